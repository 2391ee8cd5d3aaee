"""iCal feeds: a listing's and an organisation's bookings behind a secret, renewable address."""

from datetime import UTC

import pytest
from icalendar import Calendar
from sqlalchemy import select

from marketplace.bookings.models import CalendarFeed
from marketplace.extensions import db
from tests import factories
from tests.bookings.helpers import booked, built, days_ahead


@pytest.fixture
def s(app):
    return built(app, mode="lend", capacity=2)


def _token(app, **owner) -> str | None:
    with app.app_context():
        token = db.session.execute(
            select(CalendarFeed.token).filter_by(**owner)
        ).scalar_one_or_none()
        db.session.remove()
    return token


def _listing_feed(app, client, login_as, s) -> str:
    login_as(s.provider)
    response = client.post(f"/listings/{s.offer.id}/calendar-feed")
    assert response.status_code == 302
    return _token(app, listing_id=s.offer.id)


def _events(response) -> dict[str, dict]:
    calendar = Calendar.from_ical(response.data)
    return {str(event["uid"]): event for event in calendar.walk("VEVENT")}


def test_the_listing_feed_holds_its_bookings_with_their_times(app, client, login_as, s):
    start, end = days_ahead(2), days_ahead(4, hour=18)
    kept = booked(app, s, start, end, "accepted", units=2)
    cancelled = booked(app, s, days_ahead(5), days_ahead(6), "cancelled")
    declined = booked(app, s, days_ahead(7), days_ahead(8), "declined")
    requested = booked(app, s, days_ahead(9), days_ahead(10), "requested")
    token = _listing_feed(app, client, login_as, s)
    client.get("/logout")

    response = client.get(f"/calendar/{token}.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Cache-Control"] == "private, no-store"
    events = _events(response)
    assert set(events) == {f"booking-{kept}@localhost", f"booking-{cancelled}@localhost"}
    assert f"booking-{declined}@localhost" not in events
    assert f"booking-{requested}@localhost" not in events
    event = events[f"booking-{kept}@localhost"]
    assert event.decoded("dtstart") == start.replace(tzinfo=UTC)
    assert event.decoded("dtend") == end.replace(tzinfo=UTC)
    assert str(event["status"]) == "CONFIRMED"
    assert "Akkuschrauber Makita" in str(event["summary"]) and "2" in str(event["summary"])
    assert str(event["url"]).endswith(f"/bookings/{kept}")
    assert event.get("dtstamp") and event.get("last-modified")
    assert str(events[f"booking-{cancelled}@localhost"]["status"]) == "CANCELLED"
    assert b"DTSTART:" in response.data and b"Z\r\n" in response.data  # UTC, not floating


def test_no_person_is_named_in_a_feed(app, client, login_as, s):
    booked(app, s, days_ahead(2), days_ahead(3), "active")
    token = _listing_feed(app, client, login_as, s)
    login_as(s.borrower)
    client.post("/bookings/calendar")
    org_token = _token(app, organisation_id=s.borrower.organisation_id)
    for address in (f"/calendar/{token}.ics", f"/calendar/{org_token}.ics"):
        body = client.get(address).data.decode()
        unfolded = body.replace("\r\n ", "")
        for secret in ("Lena", "Leiherin", "Ben", "Borger", "@example.org", s.provider.email):
            assert secret not in unfolded, (address, secret)


def test_the_organisation_feed_names_the_other_organisation(app, client, login_as, s):
    accepted = booked(app, s, days_ahead(2), days_ahead(3), "accepted")
    requested = booked(app, s, days_ahead(4), days_ahead(5), "requested")
    declined = booked(app, s, days_ahead(6), days_ahead(7), "declined")
    login_as(s.borrower)
    assert client.get("/bookings/calendar").status_code == 200
    client.post("/bookings/calendar")
    token = _token(app, organisation_id=s.borrower.organisation_id)
    page = client.get("/bookings/calendar").get_data(as_text=True)
    assert f"/calendar/{token}.ics" in page

    events = _events(client.get(f"/calendar/{token}.ics"))
    assert set(events) == {f"booking-{accepted}@localhost", f"booking-{requested}@localhost"}
    assert f"booking-{declined}@localhost" not in events
    assert "Repair-Café Connewitz" in str(events[f"booking-{accepted}@localhost"]["summary"])
    assert str(events[f"booking-{requested}@localhost"]["status"]) == "TENTATIVE"

    # The provider's own feed names the borrower.
    login_as(s.provider)
    client.post("/bookings/calendar")
    provider_token = _token(app, organisation_id=s.provider.organisation_id)
    summary = _events(client.get(f"/calendar/{provider_token}.ics"))[
        f"booking-{accepted}@localhost"
    ]["summary"]
    assert "Jugendwerkstatt Grünau" in str(summary)


def test_a_new_address_kills_the_old_one_at_once(app, client, login_as, s):
    old = _listing_feed(app, client, login_as, s)
    assert client.get(f"/calendar/{old}.ics").status_code == 200
    client.post(f"/listings/{s.offer.id}/calendar-feed")
    new = _token(app, listing_id=s.offer.id)
    assert new != old and len(new) >= 40
    assert client.get(f"/calendar/{old}.ics").status_code == 404
    assert client.get(f"/calendar/{new}.ics").status_code == 200
    assert client.get("/calendar/unknown-token.ics").status_code == 404


def test_strangers_cannot_renew_or_see_the_address(app, client, login_as, s):
    token = _listing_feed(app, client, login_as, s)
    page = client.get(f"/listings/{s.offer.id}").get_data(as_text=True)
    assert f"/calendar/{token}.ics" in page and 'id="calendar-feed"' in page

    login_as(s.borrower)
    assert client.post(f"/listings/{s.offer.id}/calendar-feed").status_code == 403
    assert _token(app, listing_id=s.offer.id) == token
    page = client.get(f"/listings/{s.offer.id}").get_data(as_text=True)
    assert token not in page and 'id="calendar-feed"' not in page


def test_renewing_needs_a_login_and_a_shared_offer(app, client, login_as, s):
    assert client.post(f"/listings/{s.offer.id}/calendar-feed").status_code == 302  # to login
    assert _token(app, listing_id=s.offer.id) is None
    with app.app_context():
        giving = factories.listing(
            organisation=db.session.get(type(s.offer), s.offer.id).organisation
        )
        giving_id = giving.id
        db.session.remove()
    login_as(s.provider)
    assert client.post(f"/listings/{giving_id}/calendar-feed").status_code == 409
