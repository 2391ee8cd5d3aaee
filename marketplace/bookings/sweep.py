"""Reminders before pick-up and before the return, and the overdue notice to both sides.

Each is sent exactly once, however many workers sweep at the same time: a booking is first
claimed with a conditional UPDATE (`SET pickup_reminded_at = now WHERE id = :id AND
pickup_reminded_at IS NULL`), and only the one sweep whose UPDATE changed the row queues the
mail (after the commit, in each recipient's language: bookings.notifications). That makes the
periodic job idempotent: from the scheduler when jobs go to Redis, else from web requests."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, request
from sqlalchemy import select, update

from marketplace.bookings.models import Booking
from marketplace.bookings.notifications import notify
from marketplace.core.clock import utcnow
from marketplace.core.sweeps import reset_sweep, run_sweep, sweep_due
from marketplace.extensions import db
from marketplace.jobs.queue import jobs_queued

log = logging.getLogger("marketplace.bookings.sweep")
#: Bookings handled per kind and sweep; the next sweep takes the rest.
BATCH = 500


@dataclass
class SweepResult:
    pickup_reminders: int = 0
    return_reminders: int = 0
    overdue_notices: int = 0

    @property
    def total(self) -> int:
        return self.pickup_reminders + self.return_reminders + self.overdue_notices


def _claim(booking_id: int, column, now: datetime) -> bool:
    """Mark the notice as sent; False when another sweep was first."""
    result = db.session.execute(
        update(Booking)
        .where(Booking.id == booking_id, column.is_(None))
        .values({column.key: now})
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _due(column, *conditions) -> list[int]:
    return list(
        db.session.execute(
            select(Booking.id)
            .where(column.is_(None), *conditions)
            .order_by(Booking.id)
            .limit(BATCH)
        ).scalars()
    )


def _claimed(ids: list[int], column, now: datetime) -> list[Booking]:
    claimed = [booking_id for booking_id in ids if _claim(booking_id, column, now)]
    return [db.session.get(Booking, booking_id) for booking_id in claimed]


def send_booking_notices(now: datetime | None = None, hours: float | None = None) -> SweepResult:
    """Queue the due reminders and overdue notices (the caller commits; mail leaves after)."""
    now = now or utcnow()
    if hours is None:
        hours = float(current_app.config.get("BOOKING_REMINDER_HOURS", 24))
    soon = now + timedelta(hours=hours)
    result = SweepResult()

    pickup = Booking.pickup_reminded_at
    due = _due(
        pickup, Booking.status == "accepted", Booking.start_at > now, Booking.start_at <= soon
    )
    for booking in _claimed(due, pickup, now):
        notify(booking, booking.borrower_id, "pickup_reminder")
        result.pickup_reminders += 1

    back = Booking.return_reminded_at
    due = _due(back, Booking.status == "active", Booking.end_at > now, Booking.end_at <= soon)
    for booking in _claimed(due, back, now):
        notify(booking, booking.borrower_id, "return_reminder")
        result.return_reminders += 1

    overdue = Booking.overdue_notified_at
    due = _due(overdue, Booking.status == "active", Booking.end_at <= now)
    for booking in _claimed(due, overdue, now):
        notify(booking, booking.borrower_id, "overdue")
        notify(booking, booking.provider_id, "overdue")
        result.overdue_notices += 1
    return result


def send_due_booking_notices() -> int:
    """Job (periodic): queue the due notices and commit (the mail leaves after); returns how many."""
    result = send_booking_notices()
    db.session.commit()
    if result.total:
        log.info("Sent %d booking reminder(s) and notice(s)", result.total)
    return result.total


_SWEEP = "bookings"


def reset_sweep_clock() -> None:
    reset_sweep(_SWEEP)


def sweep_bookings() -> None:
    """before_request hook (only without Redis): send due notices at most every
    BOOKING_SWEEP_INTERVAL_S seconds per process (0 turns it off; `flask bookings sweep` still
    works), in a transaction of its own; a failure is logged and never breaks the request."""
    if request.endpoint == "static" or jobs_queued():
        return
    if sweep_due(_SWEEP, float(current_app.config.get("BOOKING_SWEEP_INTERVAL_S", 300) or 0)):
        run_sweep(send_due_booking_notices, log, "Booking sweep failed")
