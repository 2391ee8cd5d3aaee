"""The availability answer built without marshmallow's per-day dump is byte for byte what the
schema of nested days produced."""

from datetime import date, timedelta

from marshmallow import Schema, fields

from marketplace.api.bookings import DaySchema, HeldSchema
from marketplace.bookings.queries import availability
from marketplace.extensions import db
from marketplace.listings.models import Listing
from tests.bookings.helpers import booked, built, days_ahead


class NestedAvailabilitySchema(Schema):
    """The schema as it was: every day through DaySchema."""

    capacity = fields.Integer()
    days = fields.List(fields.Nested(DaySchema))
    booked = fields.List(fields.Nested(HeldSchema))


def test_availability_json_equals_the_nested_schema_dump(app, client):
    s = built(app, mode="lend", capacity=3)
    booked(app, s, days_ahead(2), days_ahead(4), units=2)
    booked(app, s, days_ahead(3, hour=8), days_ahead(3, hour=20), units=1, status="active")
    booked(app, s, days_ahead(200), days_ahead(203), units=3)  # across a DST change
    first = date.today()
    last = first + timedelta(days=365)

    response = client.get(f"/api/v1/listings/{s.offer.id}/availability?from={first}&to={last}")

    assert response.status_code == 200
    with app.test_request_context():
        found = availability(db.session.get(Listing, s.offer.id), first, last)
        expected = NestedAvailabilitySchema().dump(
            {
                "capacity": found.capacity,
                "days": [{"date": day, "free_units": free} for day, free in found.days],
                "booked": found.booked,
            }
        )
        expected_text = app.json.response(expected).get_data(as_text=True)
    assert len(response.json["days"]) == 366
    assert response.json == expected
    assert response.get_data(as_text=True) == expected_text
