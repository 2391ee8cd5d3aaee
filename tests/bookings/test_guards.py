"""A listing change respects the bookings it holds: no capacity below their peak, no `give`."""

import pytest

from marketplace.core.errors import ValidationFailed
from marketplace.extensions import db
from marketplace.listings.models import Listing
from marketplace.listings.services import update_listing
from tests.bookings.helpers import booked, built, days_ahead


@pytest.fixture
def s(app):
    return built(app, mode="lend", capacity=3)


def _update(app, s, **data):
    with app.app_context():
        listing = db.session.get(Listing, s.offer.id)
        provider = db.session.merge(s.provider)
        try:
            update_listing(listing, provider, data)
            db.session.commit()
        finally:
            db.session.rollback()
            db.session.remove()


def test_capacity_cannot_fall_below_the_peak_of_future_bookings(app, s):
    booked(app, s, days_ahead(2), days_ahead(4), "accepted", units=1)
    booked(app, s, days_ahead(3), days_ahead(5), "active", units=1)
    booked(app, s, days_ahead(6), days_ahead(7), "requested", units=3)  # holds nothing yet
    booked(app, s, days_ahead(-5), days_ahead(-4), "returned", units=3)  # over
    with pytest.raises(ValidationFailed) as caught:
        _update(app, s, capacity="1")
    assert "capacity" in caught.value.fields
    _update(app, s, capacity="2")  # the peak is 2
    with app.app_context():
        assert db.session.get(Listing, s.offer.id).capacity == 2
        db.session.remove()


def test_give_is_refused_while_bookings_hold_units(app, s):
    booking = booked(app, s, days_ahead(2), days_ahead(3), "accepted")
    with pytest.raises(ValidationFailed) as caught:
        _update(app, s, mode="give")
    assert "mode" in caught.value.fields
    _update(app, s, mode="book")  # lend -> book is fine
    from marketplace.bookings.models import Booking
    from tests.exchanges.helpers import change

    change(app, Booking, booking, status="cancelled")
    _update(app, s, mode="give", capacity="1")


def test_the_edit_form_shows_the_guard_as_a_field_error(app, client, login_as, s):
    booked(app, s, days_ahead(2), days_ahead(3), "accepted", units=3)
    login_as(s.provider)
    page = client.get(f"/listings/{s.offer.id}/edit").get_data(as_text=True)
    assert 'name="mode"' in page and 'name="capacity"' in page
    with app.app_context():
        listing = db.session.get(Listing, s.offer.id)
        data = {
            "title": listing.title,
            "category": listing.category.slug,
            "quantity": "3",
            "unit": listing.unit,
            "price_eur": "0",
            "postcode": listing.postcode,
            "mode": "lend",
            "capacity": "2",
        }
        db.session.remove()
    response = client.post(f"/listings/{s.offer.id}/edit", data=data)
    assert response.status_code == 200
    assert 'id="capacity-error"' in response.get_data(as_text=True)
