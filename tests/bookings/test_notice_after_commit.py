"""Booking notices are rendered after the commit (outside the transaction and its write lock),
from plain values, with the same text as before; a rolled-back action renders nothing."""

from datetime import timedelta
from unittest import mock

from marketplace.auth.models import User
from marketplace.bookings.models import Booking
from marketplace.bookings.services import accept_booking
from marketplace.bookings.sweep import reset_sweep_clock
from marketplace.core import mail
from marketplace.core.clock import utcnow
from marketplace.extensions import db
from tests.bookings.helpers import booked, built, days_ahead


def test_the_accept_notice_is_rendered_after_the_commit(app, outbox):
    s = built(app, mode="lend", capacity=1)
    booking_id = booked(app, s, days_ahead(3), days_ahead(4), status="requested", units=1)
    with (
        app.test_request_context(),
        mock.patch.object(mail, "_render_plain", wraps=mail._render_plain) as render,
    ):
        provider = db.session.get(User, s.provider.id)
        accept_booking(provider, db.session.get(Booking, booking_id))
        db.session.flush()
        assert render.call_count == 0  # nothing rendered inside the transaction
        db.session.commit()
        assert render.call_count == 1
        db.session.remove()
    [notice] = outbox
    assert notice.to == [s.borrower.email]
    assert notice.subject == "Your booking of “Akkuschrauber Makita” was accepted"  # English
    assert notice.body.startswith("Hello Ben Borger,")
    assert "Repair-Café Connewitz has accepted your booking of “Akkuschrauber Makita” (1)" in (
        notice.body
    )
    assert f"/bookings/{booking_id}" in notice.body


def test_a_rolled_back_accept_renders_and_sends_nothing(app, outbox):
    s = built(app, mode="lend", capacity=1)
    booking_id = booked(app, s, days_ahead(3), days_ahead(4), status="requested", units=1)
    with (
        app.test_request_context(),
        mock.patch.object(mail, "_render_plain", wraps=mail._render_plain) as render,
    ):
        provider = db.session.get(User, s.provider.id)
        accept_booking(provider, db.session.get(Booking, booking_id))
        db.session.rollback()
        db.session.remove()
    assert render.call_count == 0
    assert outbox == []


def test_a_notice_that_cannot_be_rendered_does_not_undo_the_commit(app, outbox, monkeypatch):
    s = built(app, mode="lend", capacity=1)
    booking_id = booked(app, s, days_ahead(3), days_ahead(4), status="requested", units=1)
    monkeypatch.setattr(mail, "_render_plain", mock.Mock(side_effect=RuntimeError("broken")))
    with app.test_request_context():
        provider = db.session.get(User, s.provider.id)
        accept_booking(provider, db.session.get(Booking, booking_id))
        db.session.commit()
        db.session.remove()
    assert outbox == []
    with app.app_context():
        assert db.session.get(Booking, booking_id).status == "accepted"
        db.session.remove()


def test_notices_of_a_sweep_in_a_signed_in_request_are_sent(
    app, client, login_as, outbox, monkeypatch
):
    # The sweep runs before a signed-in member's page, whose user is not loaded yet: rendering
    # after the commit must not load them (no SQL may run then).
    s = built(app, mode="lend", capacity=1)
    now = utcnow()
    booked(app, s, now + timedelta(hours=5), now + timedelta(hours=30), "accepted")
    monkeypatch.setitem(app.config, "BOOKING_SWEEP_INTERVAL_S", 300)
    with app.app_context():
        reset_sweep_clock()
    login_as(s.borrower)
    assert client.get("/listings").status_code == 200
    [reminder] = outbox
    assert reminder.subject == "Reminder: “Akkuschrauber Makita” starts soon"
    assert reminder.body.startswith("Hello Ben Borger,")
