"""`enqueue(job, *args)`: onto the RQ queue when REDIS_URL is set, else run now, in this process.

A job is a module-level function taking plain, picklable arguments (ids, strings): the worker
imports it by name and runs it in an app context of its own, with a database session of its own.
It must be idempotent, because RQ runs it again after a failure (JOB_RETRY_INTERVALS)."""

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from flask import current_app, g
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Retry
from rq.job import Job

log = logging.getLogger("marketplace.jobs")


def jobs_queued() -> bool:
    """True when jobs go to Redis (and the request-time sweeps are off)."""
    return bool(current_app.config.get("REDIS_URL"))


def redis_connection() -> Redis:
    """The current app's Redis client (one pool per app and URL)."""
    url = current_app.config["REDIS_URL"]
    key = f"jobs.redis:{url}"
    client = current_app.extensions.get(key)
    if client is None:
        client = current_app.extensions[key] = Redis.from_url(url, socket_timeout=5)
    return client


def get_queue() -> Queue:
    return Queue(current_app.config["JOB_QUEUE"], connection=redis_connection())


def job_name(job: Callable) -> str:
    return f"{job.__module__}.{job.__qualname__}"


def enqueue(job: Callable, *args, detach: bool = False) -> Job | None:
    """Queue `job(*args)` with retries and backoff, or run it now when no Redis is configured.

    Callers that act after a commit (mail, alerts) call this from their after-commit hook, so the
    job sees the committed rows in both modes. When Redis does not answer the job runs here
    instead: a mail or an alert is worth more than keeping the web process free. Without Redis,
    `detach` runs it on a thread of this process instead (run_detached)."""
    if jobs_queued():
        config = current_app.config
        intervals = list(config["JOB_RETRY_INTERVALS"])
        try:
            return get_queue().enqueue(
                job,
                *args,
                retry=Retry(max=len(intervals), interval=intervals) if intervals else None,
                job_timeout=int(config["JOB_TIMEOUT_S"]),
                failure_ttl=int(config["JOB_FAILURE_TTL_S"]),
                description=job_name(job),
            )
        except RedisError:
            log.exception("Redis did not take job %s; running it in this process", job_name(job))
    if detach:
        run_detached(job, *args)
    else:
        run_inline(job, *args)
    return None


#: Threads per process for detached jobs: they wait on other servers (SMTP), not on the CPU.
DETACHED_THREADS = 2


def run_detached(job: Callable, *args) -> Future:
    """Run the job as run_inline does, but on a thread of this process, so that the request
    that asked does not wait for it. For jobs that wait on the network and write nothing to the
    database (mail); the threads finish their work before the process exits."""
    app = current_app._get_current_object()
    executor = app.extensions.get("jobs.detached")
    if executor is None:
        executor = app.extensions["jobs.detached"] = ThreadPoolExecutor(
            DETACHED_THREADS, thread_name_prefix="detached-job"
        )

    def run() -> None:
        with app.app_context():
            run_inline(job, *args)

    return executor.submit(run)


def wait_for_detached(app) -> None:
    """Wait until every detached job of `app` queued so far is done (tests, shutdown)."""
    executor = app.extensions.pop("jobs.detached", None)
    if executor is not None:
        executor.shutdown(wait=True)


def run_inline(job: Callable, *args) -> None:
    """Run the job as the worker would (an app context and session of its own); a failure is
    logged and never reaches the caller, whose own work is already committed."""
    with current_app._get_current_object().app_context():
        g.job = job_name(job)  # flask_babel's force_locale ignores an empty `g`
        try:
            job(*args)
        except Exception:  # noqa: BLE001 - the user's action is committed; the job is extra
            log.exception("Job %s failed in the web process", job_name(job))


def was_done(key: str) -> bool:
    """True when a job marked `key` done (mark_done): a retried or re-queued job must not repeat
    a side effect that cannot be undone, such as a sent mail. Without Redis nothing is retried."""
    return jobs_queued() and bool(redis_connection().exists(f"jobs:done:{key}"))


def mark_done(key: str, ttl_s: int = 7 * 24 * 3600) -> None:
    """Record `key` as done, after the side effect succeeded (a crash in between repeats it once
    rather than losing it)."""
    if jobs_queued():
        redis_connection().set(f"jobs:done:{key}", 1, ex=ttl_s)
