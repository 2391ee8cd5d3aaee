"""Web pages of lending and booking: the month view and booking form on the listing page, a
booking's actions for each side, "my bookings", the header's badge, both languages.

The people here read English (but for the German page), so that assertions on texts survive
the German catalogue."""

import io
import re
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import select, update

from marketplace.auth.models import User
from marketplace.bookings.models import Booking
from marketplace.bookings.spans import local
from marketplace.extensions import db
from tests import factories
from tests.bookings.helpers import built, days_ahead


@pytest.fixture
def s(app):
    """A meeting room (capacity 1) booked by the hour; both sides read English."""
    sharing = built(app, mode="book", category="meeting-rooms")
    with app.app_context():
        db.session.execute(update(User).values(locale="en"))
        db.session.commit()
        db.session.remove()
    return sharing


def _add(app, s, start, end, status="accepted", **values) -> int:
    with app.app_context():
        booking = Booking(
            listing_id=s.offer.id,
            provider_id=s.offer.organisation_id,
            borrower_id=s.borrower.organisation_id,
            status=status,
            start_at=start,
            end_at=end,
            **values,
        )
        db.session.add(booking)
        db.session.commit()
        booking_id = booking.id
        db.session.remove()
    return booking_id


def _load(app, booking_id: int) -> Booking:
    with app.app_context():
        booking = db.session.get(Booking, booking_id)
        db.session.expunge_all()
        db.session.remove()
    return booking


def _stranger(app) -> User:
    with app.app_context():
        user = factories.user(organisation=factories.organisation(name="Fremde GmbH"))
        db.session.refresh(user)
        db.session.expunge_all()
        db.session.remove()
    return user


def _local_input(moment) -> str:
    return local(moment).strftime("%Y-%m-%dT%H:%M")


def _month(moment) -> str:
    return local(moment).strftime("%Y-%m")


def _day_cell(html: str, moment) -> str:
    day = local(moment).date().isoformat()
    match = re.search(rf'<td class="cal-day[^"]*"\s+data-date="{day}".*?</td>', html, re.S)
    assert match, f"no cell for {day}"
    return match.group(0)


def test_month_view_shows_booked_spans_and_free_days(app, client, s):
    start, end = days_ahead(3, 14), days_ahead(3, 18)
    _add(app, s, start, end)
    _add(app, s, days_ahead(3, 8), days_ahead(3, 9), status="cancelled")
    html = client.get(f"/listings/{s.offer.id}?month={_month(start)}").get_data(as_text=True)
    booked = _day_cell(html, start)
    assert "cal-booked" in booked and "14:00–<wbr>18:00" in booked and "booked" in booked
    assert "08:00" not in booked  # cancelled bookings hold nothing
    free_day = days_ahead(4)
    html = client.get(f"/listings/{s.offer.id}?month={_month(free_day)}").get_data(as_text=True)
    free = _day_cell(html, free_day)
    assert "cal-free" in free and ">available<" in free
    assert 'rel="prev"' in html and 'rel="next"' in html
    # Monday first
    assert re.search(r"<thead>\s*<tr><th scope=\"col\"><abbr title=\"Monday\">", html)


def test_past_days_are_greyed_and_nonsense_month_falls_back_to_this_one(app, client, s):
    html = client.get(f"/listings/{s.offer.id}?month=2026-13").get_data(as_text=True)
    today = local(days_ahead(0))
    assert f'data-month="{today:%Y-%m}"' in html
    if today.day > 1:
        assert "cal-past" in _day_cell(html, days_ahead(-1))


def test_month_view_counts_free_units_of_the_capacity(app, client):
    s = built(app, mode="lend", capacity=3)
    start, end = days_ahead(6, 9), days_ahead(7, 12)
    _add(app, s, start, end, units=2)
    html = client.get(f"/listings/{s.offer.id}?month={_month(start)}").get_data(as_text=True)
    cell = _day_cell(html, start)
    assert "1/3 free" in cell and "09:00–<wbr>24:00" in cell and "(2)" in cell


def test_give_offers_have_no_calendar_and_shared_ones_no_proposal(app, client, login_as, s):
    login_as(s.borrower)
    html = client.get(f"/listings/{s.offer.id}").get_data(as_text=True)
    assert 'id="calendar"' in html and 'id="booking-form"' in html
    assert "/propose" not in html and "Propose an exchange" not in html
    with app.app_context():
        give = factories.listing(organisation=factories.organisation())
        give_id = give.id
        db.session.remove()
    html = client.get(f"/listings/{give_id}").get_data(as_text=True)
    assert 'id="calendar"' not in html and "/propose" in html


def test_the_provider_sees_no_booking_form_and_the_public_a_login_link(app, client, login_as, s):
    html = client.get(f"/listings/{s.offer.id}").get_data(as_text=True)
    assert 'id="calendar"' in html and 'id="booking-form"' not in html and "Log in to book" in html
    login_as(s.provider)
    html = client.get(f"/listings/{s.offer.id}").get_data(as_text=True)
    assert 'id="booking-form"' not in html and "/bookings?role=provider" in html


def test_a_booking_through_the_form_lands_as_requested(app, client, login_as, s):
    login_as(s.borrower)
    start, end = days_ahead(5, 14), days_ahead(5, 18)
    response = client.post(
        f"/listings/{s.offer.id}/bookings",
        data={
            "start": _local_input(start),
            "end": _local_input(end),
            "units": "1",
            "message": "Für unser Teamtreffen",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    booking_id = int(re.search(r"/bookings/(\d+)$", response.headers["Location"]).group(1))
    booking = _load(app, booking_id)
    assert (booking.status, booking.start_at, booking.end_at) == ("requested", start, end)
    assert booking.borrower_id == s.borrower.organisation_id
    html = client.get(f"/bookings/{booking_id}").get_data(as_text=True)
    assert "Für unser Teamtreffen" in html and "requested" in html and "14:00–18:00" in html


def test_a_taken_span_is_refused_with_a_form_message(app, client, login_as, s):
    _add(app, s, days_ahead(5, 13), days_ahead(5, 15))
    login_as(s.borrower)
    response = client.post(
        f"/listings/{s.offer.id}/bookings",
        data={"start": _local_input(days_ahead(5, 14)), "end": _local_input(days_ahead(5, 18))},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "This time is already booked" in html and 'id="start-error"' in html
    assert f'value="{_local_input(days_ahead(5, 14))}"' in html  # what was entered stays
    with app.app_context():
        assert db.session.execute(select(Booking.id)).scalars().all().__len__() == 1
        db.session.remove()


def test_malformed_and_reversed_spans_get_field_messages(app, client, login_as, s):
    login_as(s.borrower)
    response = client.post(
        f"/listings/{s.offer.id}/bookings", data={"start": "tomorrow", "end": ""}
    )
    assert response.status_code == 422
    assert 'id="start-error"' in response.get_data(as_text=True)
    response = client.post(
        f"/listings/{s.offer.id}/bookings",
        data={"start": _local_input(days_ahead(5, 18)), "end": _local_input(days_ahead(5, 14))},
    )
    assert response.status_code == 422
    assert "The end must be after the start." in response.get_data(as_text=True)


def test_own_offer_cannot_be_booked_through_the_form(app, client, login_as, s):
    login_as(s.provider)
    response = client.post(
        f"/listings/{s.offer.id}/bookings",
        data={"start": _local_input(days_ahead(5, 14)), "end": _local_input(days_ahead(5, 18))},
    )
    assert response.status_code == 422
    assert "You cannot book your own organisation" in response.get_data(as_text=True)


ACTIONS = [
    # action, status before, form, who may, who may not, status after
    ("accept", "requested", {}, "provider", "borrower", "accepted"),
    ("decline", "requested", {"note": "Raum belegt"}, "provider", "borrower", "declined"),
    ("cancel", "accepted", {"note": "Termin fällt aus"}, "borrower", None, "cancelled"),
    ("checkout", "accepted", {"note": "sauber"}, "provider", "borrower", "active"),
    ("return", "active", {"note": "ok", "damage": "Fleck"}, "provider", "borrower", "returned"),
]


@pytest.mark.parametrize(("action", "before", "form", "right", "wrong", "after"), ACTIONS)
def test_each_action_works_for_the_right_side_and_is_refused_for_the_other(
    app, client, login_as, s, action, before, form, right, wrong, after
):
    booking_id = _add(app, s, days_ahead(5, 14), days_ahead(5, 18), status=before)
    if wrong:
        login_as(getattr(s, wrong))
        response = client.post(f"/bookings/{booking_id}/{action}", data=form)
        assert response.status_code == 403  # the other side's action: a 403 page
        assert _load(app, booking_id).status == before
    login_as(getattr(s, right))
    html = client.get(f"/bookings/{booking_id}").get_data(as_text=True)
    assert f'action="/bookings/{booking_id}/{action}"' in html
    response = client.post(f"/bookings/{booking_id}/{action}", data=form)
    assert response.status_code == 302
    assert "flash-success" in client.get(response.headers["Location"]).get_data(as_text=True)
    booking = _load(app, booking_id)
    assert booking.status == after
    if action == "return":
        assert (booking.return_note, booking.damage_note) == ("ok", "Fleck")
    if action in ("decline", "cancel"):
        assert booking.reason == form["note"]


def test_accept_is_refused_when_the_time_was_taken_meanwhile(app, client, login_as, s):
    _add(app, s, days_ahead(5, 13), days_ahead(5, 15))
    booking_id = _add(app, s, days_ahead(5, 14), days_ahead(5, 18), status="requested")
    login_as(s.provider)
    response = client.post(f"/bookings/{booking_id}/accept", follow_redirects=True)
    assert "not free for the whole time" in response.get_data(as_text=True)
    assert _load(app, booking_id).status == "requested"


def test_a_later_end_is_asked_for_by_the_borrower_and_accepted_by_the_provider(
    app, client, login_as, s
):
    booking_id = _add(app, s, days_ahead(5, 14), days_ahead(5, 18))
    new_end = days_ahead(5, 20)
    login_as(s.provider)
    response = client.post(f"/bookings/{booking_id}/extend", data={"end": _local_input(new_end)})
    assert response.status_code == 403  # only the borrower asks for a later end
    login_as(s.borrower)
    client.post(f"/bookings/{booking_id}/extend", data={"end": "nonsense"})
    assert _load(app, booking_id).extension_end_at is None
    client.post(f"/bookings/{booking_id}/extend", data={"end": _local_input(new_end)})
    assert _load(app, booking_id).extension_end_at == new_end
    response = client.post(f"/bookings/{booking_id}/extension", data={"answer": "accept"})
    assert response.status_code == 403
    assert _load(app, booking_id).end_at == days_ahead(5, 18)  # the borrower cannot answer
    login_as(s.provider)
    html = client.get(f"/bookings/{booking_id}").get_data(as_text=True)
    assert 'id="answer-extension"' in html
    client.post(f"/bookings/{booking_id}/extension", data={"answer": "accept"})
    booking = _load(app, booking_id)
    assert (booking.end_at, booking.extension_end_at) == (new_end, None)


def test_a_later_end_can_be_declined(app, client, login_as, s):
    booking_id = _add(
        app, s, days_ahead(5, 14), days_ahead(5, 18), extension_end_at=days_ahead(5, 20)
    )
    login_as(s.provider)
    client.post(f"/bookings/{booking_id}/extension", data={"answer": "decline"})
    booking = _load(app, booking_id)
    assert (booking.end_at, booking.extension_end_at) == (days_ahead(5, 18), None)


def _png() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 120, 40)).save(buffer, "PNG")
    buffer.seek(0)
    return buffer


def test_check_out_with_a_photo_shows_it_to_the_parties_only(app, client, login_as, s):
    booking_id = _add(app, s, days_ahead(5, 14), days_ahead(5, 18))
    login_as(s.provider)
    response = client.post(
        f"/bookings/{booking_id}/checkout",
        data={"note": "Whiteboard sauber", "photo": (_png(), "zustand.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    booking = _load(app, booking_id)
    assert booking.status == "active" and re.fullmatch(r"[0-9a-f]{32}\.jpg", booking.checkout_photo)
    html = client.get(f"/bookings/{booking_id}").get_data(as_text=True)
    assert f"/bookings/{booking_id}/photo?size=small" in html and "Whiteboard sauber" in html
    photo = client.get(f"/bookings/{booking_id}/photo")
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    login_as(s.borrower)
    assert client.get(f"/bookings/{booking_id}/photo?size=small").status_code == 200
    login_as(_stranger(app))
    assert client.get(f"/bookings/{booking_id}/photo").status_code == 404


def test_a_picture_that_is_not_one_is_refused_and_nothing_changes(app, client, login_as, s):
    booking_id = _add(app, s, days_ahead(5, 14), days_ahead(5, 18))
    login_as(s.provider)
    response = client.post(
        f"/bookings/{booking_id}/checkout",
        data={"photo": (io.BytesIO(b"not a picture"), "x.png")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "This file is not a picture we can read." in response.get_data(as_text=True)
    assert _load(app, booking_id).status == "accepted"


def test_a_stranger_gets_404_and_a_coordinator_reads_only(app, client, login_as, s):
    booking_id = _add(app, s, days_ahead(5, 14), days_ahead(5, 18), status="requested")
    login_as(_stranger(app))
    assert client.get(f"/bookings/{booking_id}").status_code == 404
    assert client.post(f"/bookings/{booking_id}/accept").status_code == 404
    assert _load(app, booking_id).status == "requested"
    with app.app_context():
        coordinator = factories.user(role="coordinator")
        db.session.refresh(coordinator)
        db.session.expunge_all()
        db.session.remove()
    login_as(coordinator)
    html = client.get(f"/bookings/{booking_id}").get_data(as_text=True)
    assert "Read only" in html and "/accept" not in html
    client.post(f"/bookings/{booking_id}/accept")
    assert _load(app, booking_id).status == "requested"


def test_my_bookings_lists_both_sides_with_the_next_step_and_overdue_marked(
    app, client, login_as, s
):
    waiting = _add(app, s, days_ahead(5, 14), days_ahead(5, 18), status="requested")
    late = _add(
        app,
        s,
        days_ahead(-3, 10),
        days_ahead(-1, 10),
        status="active",
        checked_out_at=days_ahead(-3, 10),
    )
    login_as(s.provider)
    html = client.get("/bookings").get_data(as_text=True)
    assert f'action="/bookings/{waiting}/accept"' in html
    assert f'href="/bookings/{late}#return"' in html and "badge-overdue" in html
    assert re.search(r'href="/bookings"[^>]*>Bookings <span class="count-badge"[^>]*>1<', html)
    html = client.get("/bookings?role=borrower").get_data(as_text=True)
    assert "No bookings here yet." in html
    html = client.get("/bookings?status=active").get_data(as_text=True)
    assert f"/bookings/{late}" in html and f"/bookings/{waiting}" not in html
    login_as(s.borrower)
    html = client.get("/bookings?role=borrower").get_data(as_text=True)
    assert f"/bookings/{waiting}" in html and f"/bookings/{waiting}/accept" not in html
    # Nothing waits for the borrower: no counter beside "Bookings" in the header.
    assert not re.search(r'href="/bookings"[^>]*>Bookings <span class="count-badge"', html)


def test_my_bookings_is_paginated(app, client, login_as, s):
    for day in range(25):
        _add(app, s, days_ahead(10 + day, 9), days_ahead(10 + day, 10), status="requested")
    login_as(s.borrower)
    html = client.get("/bookings").get_data(as_text=True)
    assert html.count('class="card booking-item') == 20 and "Page 1 of 2" in html
    html = client.get("/bookings?page=2").get_data(as_text=True)
    assert html.count('class="card booking-item') == 5


def test_the_pages_render_in_german(app, client, login_as, s, german_by_default):
    booking_id = _add(app, s, days_ahead(5, 14), days_ahead(5, 18))
    with app.app_context():
        db.session.execute(update(User).values(locale="de"))
        db.session.commit()
        db.session.remove()
    login_as(s.provider)
    for path in (f"/bookings/{booking_id}", "/bookings", f"/listings/{s.offer.id}"):
        response = client.get(path, headers={"Accept-Language": "de-DE"})
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and '<html lang="de">' in html, path
        assert "Abmelden" in html, path
    html = client.get(f"/listings/{s.offer.id}").get_data(as_text=True)
    assert '<abbr title="Montag">' in html


def test_the_pages_render_in_english(app, client, login_as, s):
    booking_id = _add(app, s, days_ahead(5, 14), days_ahead(5, 18))
    login_as(s.borrower)
    for path in (f"/bookings/{booking_id}", "/bookings", f"/listings/{s.offer.id}"):
        html = client.get(path).get_data(as_text=True)
        assert '<html lang="en">' in html and "Log out" in html, path
    html = client.get(f"/bookings/{booking_id}").get_data(as_text=True)
    assert "You borrow" in html and "Cancel the booking" in html


def test_the_calendar_page_reads_once_for_its_month(app, client, s):
    """One query for the calendar, whatever the number of bookings."""
    from sqlalchemy import event

    for day in range(10):
        _add(app, s, days_ahead(2 + day, 9), days_ahead(2 + day, 11))
    statements = []

    def count(conn, cursor, statement, *args):
        if "FROM bookings" in statement:
            statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(f"/listings/{s.offer.id}").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(statements) == 1
    assert timedelta(0) < days_ahead(1) - days_ahead(0)
