"""What admins see of the job queue: failed jobs (after their last retry) and the periodic jobs'
latest runs. Arguments are never shown: a mail job's carry addresses and bodies."""

from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app
from flask_babel import gettext as _
from rq.cron import get_cron_job_ids
from rq.job import Job
from rq.registry import FailedJobRegistry

from marketplace.core.errors import NotFound, PermissionDenied
from marketplace.jobs.queue import get_queue, jobs_queued, redis_connection
from marketplace.jobs.schedule import PERIODIC, interval_of

#: Failed jobs listed at most (the newest); the rest stay in Redis until JOB_FAILURE_TTL_S.
LISTED = 100


@dataclass(frozen=True)
class FailedJob:
    id: str
    name: str
    enqueued_at: datetime | None
    failed_at: datetime | None
    attempts: int
    error: str


@dataclass(frozen=True)
class PeriodicRun:
    name: str
    interval_s: int
    last_enqueued_at: datetime | None
    last_status: str | None


@dataclass(frozen=True)
class JobsOverview:
    queued: bool
    waiting: int
    failed_total: int
    failed: list[FailedJob]
    periodic: list[PeriodicRun]


def _naive_utc(moment: datetime | None) -> datetime | None:
    """RQ's aware times as the app stores times (naive UTC), for the templates' filters."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment else None


def _require_admin(viewer) -> None:
    if not getattr(viewer, "is_admin", False):
        raise PermissionDenied(_("Only administrators can see the background jobs."))


def get_jobs_overview(viewer) -> JobsOverview:
    """The failed jobs, newest first, and the periodic jobs; admins only."""
    _require_admin(viewer)
    if not jobs_queued():
        return JobsOverview(False, 0, 0, [], [])
    queue = get_queue()
    registry = FailedJobRegistry(queue=queue)
    ids = registry.get_job_ids(0, LISTED - 1, desc=True)
    jobs = [job for job in Job.fetch_many(ids, connection=queue.connection) if job is not None]
    return JobsOverview(
        queued=True,
        waiting=queue.count,
        failed_total=registry.count,
        failed=[_failed(job, current_app.config) for job in jobs],
        periodic=_periodic(),
    )


def _failed(job: Job, config) -> FailedJob:
    result = job.latest_result()
    error = (result.exc_string or "") if result is not None else ""
    tried = len(config["JOB_RETRY_INTERVALS"]) - (job.retries_left or 0)
    return FailedJob(
        id=job.id,
        name=job.description or job.func_name,
        enqueued_at=_naive_utc(job.enqueued_at),
        failed_at=_naive_utc(job.ended_at),
        attempts=1 + max(tried, 0),
        # The last line names the exception; the whole trace is in the worker's log.
        error=(error.strip().splitlines() or [""])[-1][:300],
    )


def _periodic() -> list[PeriodicRun]:
    connection = redis_connection()
    runs = []
    for periodic in PERIODIC:
        last = get_cron_job_ids(periodic.name, connection, 0, 0)
        job = Job.fetch_many(last, connection=connection)[0] if last else None
        runs.append(
            PeriodicRun(
                name=periodic.name,
                interval_s=interval_of(periodic, current_app.config),
                last_enqueued_at=_naive_utc(job.enqueued_at) if job else None,
                last_status=job.get_status(refresh=False).value if job else None,
            )
        )
    return runs


def requeue_failed_job(viewer, job_id: str) -> None:
    """Put a failed job back on the queue (after the cause is fixed); admins only."""
    _require_admin(viewer)
    if not jobs_queued():
        raise NotFound()
    registry = FailedJobRegistry(queue=get_queue())
    if job_id not in registry:
        raise NotFound()
    registry.requeue(job_id)
