"""What admins see of the job queue: failed jobs (after their last retry) and the periodic jobs'
latest runs. Arguments are never shown: a mail job's carry addresses and bodies."""

from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from rq.cron import get_cron_job_history_key
from rq.job import Job
from rq.registry import FailedJobRegistry

from marketplace.core.errors import NotFound, PermissionDenied
from marketplace.jobs.queue import get_queue, jobs_queued, redis_connection
from marketplace.jobs.schedule import PERIODIC, interval_of

#: RQ's job states as admins read them.
STATUS_LABELS = {
    "queued": _l("waiting"),
    "scheduled": _l("waiting"),
    "deferred": _l("waiting"),
    "started": _l("running"),
    "finished": _l("done"),
    "failed": _l("failed"),
    "stopped": _l("stopped"),
    "canceled": _l("cancelled"),
}
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
        # rq.cron keeps the ids and enqueue times longer than the jobs themselves (result_ttl).
        last = connection.zrange(
            get_cron_job_history_key(periodic.name), 0, 0, desc=True, withscores=True
        )
        job = Job.fetch_many([last[0][0].decode()], connection=connection)[0] if last else None
        status = job.get_status(refresh=False).value if job else None
        runs.append(
            PeriodicRun(
                name=periodic.name,
                interval_s=interval_of(periodic, current_app.config),
                last_enqueued_at=(
                    datetime.fromtimestamp(last[0][1], UTC).replace(tzinfo=None) if last else None
                ),
                last_status=str(STATUS_LABELS.get(status, status)) if status else None,
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
