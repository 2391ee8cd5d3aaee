"""Alerts follow commits: session events collect listings a transaction created and, once it
committed, record the alerts about them in a session of their own (listings never import
matching). A throttled per-process sweep sends the daily digests without cron (like
listings/expiry.py); `flask --app wsgi matching digest` does it on demand."""

import logging
from datetime import timedelta

from flask import current_app, g, has_app_context, has_request_context, request
from sqlalchemy import event, select

from marketplace.core.clock import utcnow
from marketplace.core.database import declare_write_intent
from marketplace.core.sweeps import SweepClock, sweep_clock
from marketplace.extensions import db
from marketplace.listings.models import Listing
from marketplace.matching import notifications, services

log = logging.getLogger("marketplace.matching.alerts")

_NEW = "matching_new_listing_ids"
#: More new listings than this in one commit is an import (demo data, a bulk load): no alerts.
MAX_LISTINGS_PER_COMMIT = 20
#: Listings created longer ago than this (back-dated imports) are not news.
MAX_AGE = timedelta(days=1)
_registered = False


def register() -> None:
    """Listen on Flask-SQLAlchemy's session (once per process, for every app)."""
    global _registered
    if _registered:
        return
    event.listen(db.session, "after_flush", _after_flush)
    event.listen(db.session, "after_commit", _after_commit)
    event.listen(db.session, "after_rollback", _after_rollback)
    _registered = True


def _after_flush(session, _flush_context) -> None:
    for obj in session.new:
        if isinstance(obj, Listing):
            session.info.setdefault(_NEW, set()).add(obj.id)


def _after_rollback(session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(_NEW, None)


def _after_commit(session) -> None:
    if session.in_nested_transaction():
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
    # The committed session can run no SQL now: a fresh app context has a session of its own.
    with app.app_context():
        g.matching_alerts = True  # flask_babel's force_locale ignores an empty `g`
        record_alerts_for(ids)


def record_alerts_for(ids) -> int:
    """Record (and commit) the alerts about new listings; never raises."""
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
    except Exception:  # noqa: BLE001 - the poster's listing is saved; alerts are a bonus
        log.exception("matching: recording alerts failed")
        db.session.rollback()
    return count


# ---- daily digest sweep -------------------------------------------------------------------------


def _clock() -> SweepClock:
    return sweep_clock("matching_digest")


def sweep_digests() -> None:
    """before_app_request hook: at most every MATCH_DIGEST_SWEEP_INTERVAL_S per process, send the
    digests that are due (alerts of earlier days) in a transaction of its own; never breaks the
    request."""
    if (
        not has_request_context()
        or request.endpoint == "static"
        or request.path.startswith("/api/")
    ):
        return
    if not _clock().due(float(current_app.config.get("MATCH_DIGEST_SWEEP_INTERVAL_S", 600))):
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
    had_intent = g.get("write_intent")
    declare_write_intent()
    try:
        sent = notifications.send_digests(now, due_only=True)
        db.session.commit()
        if sent:
            log.info("matching: sent %d digest(s)", sent)
    except Exception:  # noqa: BLE001
        log.exception("matching: digest sweep failed")
        db.session.rollback()
    finally:
        if not had_intent:
            g.pop("write_intent", None)
