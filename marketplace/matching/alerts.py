"""Alerts follow commits: session events collect listings a transaction created and, once it
committed, a background job records the alerts about them in a session of its own (listings
never import matching). The daily digests are a periodic job: from the scheduler when jobs go to
Redis, else from a throttled per-process sweep in web requests (like listings/expiry.py);
`flask --app wsgi matching digest` does it on demand."""

import logging
from datetime import timedelta

from flask import current_app, has_app_context, has_request_context, request
from sqlalchemy import select

from marketplace.core.clock import utcnow
from marketplace.core.session_hooks import forget_on_rollback, listen_once, outer_transaction
from marketplace.core.sweeps import run_sweep, sweep_due
from marketplace.extensions import db
from marketplace.jobs.queue import enqueue, jobs_queued
from marketplace.listings.models import Listing
from marketplace.matching import notifications, services

log = logging.getLogger("marketplace.matching.alerts")

_NEW = "matching_new_listing_ids"
#: More new listings than this in one commit is an import (demo data, a bulk load): no alerts.
MAX_LISTINGS_PER_COMMIT = 20
#: Listings created longer ago than this (back-dated imports) are not news.
MAX_AGE = timedelta(days=1)


def register() -> None:
    """Follow the session's commits (once per process, for every app)."""
    listen_once(
        "match_alerts",
        after_flush=_after_flush,
        after_commit=_after_commit,
        after_rollback=forget_on_rollback(_NEW),
    )


def _after_flush(session, _flush_context) -> None:
    for obj in session.new:
        if isinstance(obj, Listing):
            session.info.setdefault(_NEW, set()).add(obj.id)


def _after_commit(session) -> None:
    if not outer_transaction(session):
        return
    ids = session.info.pop(_NEW, None)
    if not ids or not has_app_context():
        return
    app = current_app._get_current_object()
    if not app.config.get("MATCH_ALERTS_ENABLED", True):
        return
    if len(ids) > MAX_LISTINGS_PER_COMMIT:
        log.info("matching: %d listings in one commit, treated as an import: no alerts", len(ids))
        return
    # The committed session can run no SQL now: the job has a session of its own.
    enqueue(record_alerts_for, sorted(ids))


def record_alerts_for(ids) -> int:
    """Job: record (and commit) the alerts about new listings; returns how many. Idempotent: an
    organisation already alerted about a listing (or that said "not interested") is skipped, and
    (organisation, listing) is unique."""
    count = 0
    try:
        listings = db.session.execute(
            select(Listing).where(
                Listing.id.in_(sorted(ids)), Listing.created_at >= utcnow() - MAX_AGE
            )
        ).scalars()
        for listing in listings.unique().all():
            count += len(services.record_alerts(listing))
        db.session.commit()
    except Exception:
        log.exception("matching: recording alerts failed")
        db.session.rollback()
        raise  # retried by the worker; in the web process only logged (the listing is saved)
    return count


def send_due_digests(now=None) -> int:
    """Job (periodic): send the digests that are due; returns how many. Idempotent: each person's
    `mailed_until` moves past the alerts mailed, in the same commit."""
    sent = notifications.send_digests(now or utcnow(), due_only=True)
    db.session.commit()
    if sent:
        log.info("matching: sent %d digest(s)", sent)
    return sent


# ---- daily digest sweep -------------------------------------------------------------------------


_SWEEP = "matching_digest"


def sweep_digests() -> None:
    """before_app_request hook (only without Redis): at most every MATCH_DIGEST_SWEEP_INTERVAL_S
    per process, send the digests that are due (alerts of earlier days) in a transaction of its
    own; never breaks the request."""
    if (
        not has_request_context()
        or jobs_queued()  # the scheduler sends them
        or request.endpoint == "static"
        or request.path.startswith("/api/")
    ):
        return
    if not sweep_due(_SWEEP, float(current_app.config.get("MATCH_DIGEST_SWEEP_INTERVAL_S", 600))):
        return
    now = utcnow()
    until = notifications.start_of_local_day(now)
    try:
        if not notifications.organisations_with_pending_alerts(until, now):
            db.session.rollback()
            return
        db.session.rollback()  # the check read in a deferred transaction; writing needs the lock
    except Exception:  # noqa: BLE001
        log.exception("matching: digest check failed")
        db.session.rollback()
        return
    run_sweep(lambda: send_due_digests(now), log, "matching: digest sweep failed")
