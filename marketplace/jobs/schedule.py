"""The periodic jobs and their intervals: with Redis, `flask --app wsgi scheduler` (rq.cron)
enqueues them and no web request sweeps; without, the same functions run from the request hooks
(listings/expiry.py, matching/alerts.py, bookings/sweep.py)."""

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask
from rq.cron import CronScheduler

from marketplace.bookings.sweep import send_due_booking_notices
from marketplace.jobs.queue import redis_connection
from marketplace.listings.expiry import expire_listings
from marketplace.matching.alerts import send_due_digests
from marketplace.reports.prepared import purge_prepared_files


@dataclass(frozen=True)
class Periodic:
    name: str
    job: Callable[[], int]
    #: The setting holding its interval in seconds (the same one the request-time sweep reads);
    #: 0 turns the job off.
    interval_setting: str
    default_s: int


PERIODIC = (
    Periodic("listings-expiry", expire_listings, "EXPIRY_SWEEP_INTERVAL_S", 60),
    Periodic("matching-digests", send_due_digests, "MATCH_DIGEST_SWEEP_INTERVAL_S", 600),
    Periodic("booking-notices", send_due_booking_notices, "BOOKING_SWEEP_INTERVAL_S", 300),
    # Only with Redis: without, no file is ever prepared, so there is nothing to purge.
    Periodic("prepared-files-purge", purge_prepared_files, "PREPARED_FILE_PURGE_INTERVAL_S", 3600),
)


def interval_of(periodic: Periodic, config) -> int:
    return int(float(config.get(periodic.interval_setting, periodic.default_s) or 0))


def make_scheduler(app: Flask) -> CronScheduler:
    """An rq.cron scheduler with every periodic job whose interval is not 0. Periodic jobs are not
    retried: the next run does their work anyway."""
    with app.app_context():
        connection = redis_connection()
        queue_name = app.config["JOB_QUEUE"]
    scheduler = CronScheduler(connection=connection)
    for periodic in PERIODIC:
        interval = interval_of(periodic, app.config)
        if interval > 0:
            scheduler.register(
                periodic.job,
                queue_name,
                interval=interval,
                name=periodic.name,
                job_timeout=int(app.config["JOB_TIMEOUT_S"]),
                failure_ttl=int(app.config["JOB_FAILURE_TTL_S"]),
            )
    return scheduler
