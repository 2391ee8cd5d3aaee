"""The booking sweep: pick-up and return reminders to the borrower, the overdue notice to both
sides; each exactly once, in each recipient's language, after the commit."""

from datetime import timedelta

import pytest

from marketplace.bookings import sweep
from marketplace.bookings.models import Booking
from marketplace.bookings.sweep import reset_sweep_clock, send_booking_notices
from marketplace.core.clock import utcnow
from marketplace.extensions import db
from tests.bookings.helpers import booked, built


@pytest.fixture
def s(app):
    # The provider reads German, the borrower English (tests/bookings/helpers.py).
    return built(app, mode="lend", capacity=5)


def _bookings(app, s):
    now = utcnow()
    hour = timedelta(hours=1)
    return {
        "pickup": booked(app, s, now + 5 * hour, now + 30 * hour, "accepted"),
        "later": booked(app, s, now + 72 * hour, now + 80 * hour, "accepted"),
        "back": booked(app, s, now - 20 * hour, now + 3 * hour, "active"),
        "overdue": booked(app, s, now - 48 * hour, now - 2 * hour, "active"),
        "returned": booked(app, s, now - 48 * hour, now - 2 * hour, "returned"),
        "cancelled": booked(app, s, now + 2 * hour, now + 4 * hour, "cancelled"),
    }


def _sweep(app):
    with app.app_context():
        result = send_booking_notices()
        db.session.commit()
        db.session.remove()
    return result


def test_each_notice_goes_once_to_the_right_side_in_its_language(app, s, outbox):
    ids = _bookings(app, s)
    result = _sweep(app)
    assert (result.pickup_reminders, result.return_reminders, result.overdue_notices) == (1, 1, 1)
    by_recipient: dict[str, list] = {}
    for message in outbox:
        by_recipient.setdefault(message.to[0], []).append(message)
    borrower = sorted(m.subject for m in by_recipient[s.borrower.email])
    assert borrower == [
        "Overdue: “Akkuschrauber Makita” has not been returned",
        "Reminder: “Akkuschrauber Makita” is due back soon",
        "Reminder: “Akkuschrauber Makita” starts soon",
    ]
    provider = by_recipient[s.provider.email]
    assert [m.subject for m in provider] == [
        "Überfällig: „Akkuschrauber Makita“ wurde nicht zurückgegeben"  # German
    ]
    assert all(m.body.startswith("Hello Ben Borger,") for m in by_recipient[s.borrower.email])
    assert provider[0].body.startswith("Guten Tag Lena Leiherin,")
    assert f"/bookings/{ids['overdue']}" in provider[0].body

    # A second sweep, and a third: nothing more.
    outbox.clear()
    assert _sweep(app).total == 0
    assert _sweep(app).total == 0
    assert outbox == []
    with app.app_context():
        pickup = db.session.get(Booking, ids["pickup"])
        later = db.session.get(Booking, ids["later"])
        assert pickup.pickup_reminded_at is not None and later.pickup_reminded_at is None
        db.session.remove()


def test_a_booking_claimed_by_another_sweep_is_not_mailed_again(app, s, outbox, monkeypatch):
    ids = _bookings(app, s)
    with app.app_context():
        # Another worker claimed the pick-up reminder between our SELECT and our UPDATE.
        real_due = sweep._due

        def racing_due(column, *conditions):
            found = real_due(column, *conditions)
            if column.key == "pickup_reminded_at":
                db.session.get(Booking, ids["pickup"]).pickup_reminded_at = utcnow()
                db.session.flush()
            return found

        monkeypatch.setattr(sweep, "_due", racing_due)
        result = send_booking_notices()
        db.session.commit()
        db.session.remove()
    assert result.pickup_reminders == 0 and result.return_reminders == 1
    assert not any("starts soon" in m.subject for m in outbox)


def test_mail_waits_for_the_commit(app, s, outbox):
    _bookings(app, s)
    with app.app_context():
        send_booking_notices()
        assert outbox == []
        db.session.rollback()
        db.session.remove()
    assert outbox == []
    assert _sweep(app).total == 3  # the rolled-back claims are free again


def test_the_request_hook_sweeps_at_most_once_per_interval(app, client, s, outbox, monkeypatch):
    _bookings(app, s)
    monkeypatch.setitem(app.config, "BOOKING_SWEEP_INTERVAL_S", 300)
    with app.app_context():
        reset_sweep_clock()
    assert client.get("/").status_code == 200
    assert len(outbox) == 4
    now = utcnow()
    booked(app, s, now - 30 * timedelta(hours=1), now - timedelta(hours=1), "active")
    client.get("/")
    assert len(outbox) == 4  # the interval has not passed


def test_a_failing_sweep_never_breaks_the_request(app, client, s, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("no database for writing")

    monkeypatch.setattr(sweep, "send_booking_notices", broken)
    monkeypatch.setitem(app.config, "BOOKING_SWEEP_INTERVAL_S", 300)
    with app.app_context():
        reset_sweep_clock()
    assert client.get("/listings").status_code == 200
    assert "Booking sweep failed" in caplog.text


def test_the_command_line_sweeps(app, runner, s, outbox):
    _bookings(app, s)
    result = runner.invoke(args=["bookings", "sweep"])
    assert result.exit_code == 0, result.output
    assert "1 pick-up reminder(s), 1 return reminder(s), 1 overdue notice(s)" in result.output
    assert len(outbox) == 4
    assert "0 pick-up" in runner.invoke(args=["bookings", "sweep"]).output
