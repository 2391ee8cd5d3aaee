"""Listings past their available_until date expire: a periodic job writes it (from the scheduler
when jobs go to Redis, else from a throttled sweep in web requests); reads never wait for it."""

import logging
from datetime import date

from flask import current_app, request
from sqlalchemy import update

from marketplace.core.clock import today, utcnow
from marketplace.core.sweeps import SweepClock, reset_sweep, run_sweep, sweep_clock, sweep_due
from marketplace.extensions import db
from marketplace.jobs.queue import jobs_queued
from marketplace.listings.liveness import overdue
from marketplace.listings.models import Listing

log = logging.getLogger("marketplace.listings.expiry")


def expire_due_listings(on: date) -> int:
    """Mark open/reserved listings whose available_until lies before `on` as expired (one UPDATE);
    returns how many. The caller commits."""
    result = db.session.execute(
        update(Listing)
        .where(overdue(on))
        .values(status="expired", ended_at=utcnow(), updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def expire_listings() -> int:
    """Job (periodic): expire the due listings and commit; returns how many. Idempotent: the
    UPDATE touches only listings still open or reserved."""
    count = expire_due_listings(today())
    db.session.commit()
    if count:
        log.info("Expired %d listing(s) past their available-until date", count)
    return count


_SWEEP = "listings_expiry"


def _clock() -> SweepClock:
    return sweep_clock(_SWEEP)


def reset_sweep_clock() -> None:
    reset_sweep(_SWEEP)


def sweep_expired_listings() -> None:
    """before_app_request hook (only without Redis): expire due listings at most every
    EXPIRY_SWEEP_INTERVAL_S seconds per process, in a transaction of its own; a failure is logged
    and never breaks the request."""
    if request.endpoint == "static" or jobs_queued():
        return
    if sweep_due(_SWEEP, float(current_app.config.get("EXPIRY_SWEEP_INTERVAL_S", 60))):
        run_sweep(expire_listings, log, "Expiry sweep failed")
