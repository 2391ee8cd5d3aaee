"""The booking rules form: saved through set_booking_rules, read back by rules_of, and enforced
by POST /api/v1/bookings and the acceptance."""

from datetime import timedelta

import pytest

from marketplace.bookings.models import BookingRules
from marketplace.bookings.rules import rules_of
from marketplace.bookings.rules_services import set_booking_rules
from marketplace.core.errors import PermissionDenied, ValidationFailed
from marketplace.extensions import db
from tests.bookings.helpers import booked, built, days_ahead, iso, sharing


@pytest.fixture
def s(app):
    return built(app, mode="book", capacity=1)


def _rules(app, listing_id):
    with app.app_context():
        row = db.session.get(BookingRules, listing_id)
        rules = rules_of(row)
        db.session.remove()
    return rules


def _book(api, s, start, end):
    return api.post(
        "/api/v1/bookings",
        as_=s.borrower,
        json={"listing_id": s.offer.id, "start": iso(start), "end": iso(end)},
    )


WEEKDAYS_OPEN = {f"hours_{day}_1": "09:00–13:00" for day in "01234"} | {
    f"hours_{day}_2": "14:00-18:00" for day in "01234"
}


def test_the_form_saves_rules_that_rules_of_reads_back(app, client, login_as, s):
    login_as(s.provider)
    assert client.get(f"/listings/{s.offer.id}/booking-rules").status_code == 200
    response = client.post(
        f"/listings/{s.offer.id}/booking-rules",
        data={
            "min_length": "2",
            "min_unit": "hours",
            "max_length": "3",
            "max_unit": "days",
            "lead": "1",
            "lead_unit": "days",
            "buffer": "0,5",
            "buffer_unit": "hours",
            **WEEKDAYS_OPEN,
            "closed_dates": "2030-12-24\n31.12.2030\n",
            "deposit_eur": "20",
            "fee_eur": "2,50",
            "fee_per": "hour",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    rules = _rules(app, s.offer.id)
    assert rules.min_length == timedelta(hours=2) and rules.max_length == timedelta(days=3)
    assert rules.lead == timedelta(days=1) and rules.buffer == timedelta(minutes=30)
    assert len(rules.opening_hours["0"]) == 2 and rules.opening_hours["5"] == []
    assert {str(day) for day in rules.closed_dates} == {"2030-12-24", "2030-12-31"}
    assert str(rules.deposit_eur) == "20.00" and str(rules.fee_eur) == "2.50"
    assert rules.fee_per == "hour"
    page = client.get(f"/listings/{s.offer.id}/booking-rules").get_data(as_text=True)
    assert "09:00–13:00" in page and "2030-12-31" in page


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"hours_0_1": "25:00–26:00"}, "hours_0_1"),
        ({"hours_2_1": "18:00–09:00"}, "hours_2_1"),
        ({"hours_3_1": "morgens"}, "hours_3_1"),
        ({"hours_4_1": "09:00–13:00", "hours_4_2": "12:00–15:00"}, "hours_4_2"),
        ({"fee_eur": "-1"}, "fee_eur"),
        ({"deposit_eur": "1,234"}, "deposit_eur"),
        (
            {"min_length": "3", "min_unit": "days", "max_length": "1", "max_unit": "days"},
            "max_length",
        ),
        ({"closed_dates": "31.02.2030"}, "closed_dates"),
        ({"min_length": "-2", "min_unit": "hours"}, "min_length"),
    ],
)
def test_bad_values_come_back_as_field_messages(app, client, login_as, s, values, field):
    login_as(s.provider)
    response = client.post(f"/listings/{s.offer.id}/booking-rules", data=values)
    assert response.status_code == 200
    assert 'class="error" id="' + field in response.get_data(as_text=True)
    assert _rules(app, s.offer.id).fee_eur == 0  # nothing saved


def test_only_members_edit_the_rules(app, client, login_as, s):
    login_as(s.borrower)
    assert client.get(f"/listings/{s.offer.id}/booking-rules").status_code == 403
    assert client.post(f"/listings/{s.offer.id}/booking-rules", data={}).status_code == 403
    with app.app_context():
        other = sharing()
        with pytest.raises(PermissionDenied):
            set_booking_rules(other.borrower, other.offer, {})
        with pytest.raises(ValidationFailed):
            set_booking_rules(other.provider, other.offer, {"hours_0_1": "9–8"})
        db.session.rollback()


def test_rules_are_enforced_by_the_api(app, client, login_as, api, s):
    login_as(s.provider)
    client.post(
        f"/listings/{s.offer.id}/booking-rules",
        data={
            "min_length": "2",
            "min_unit": "hours",
            "buffer": "2",
            "buffer_unit": "hours",
            **{f"hours_{day}_1": "08:00–20:00" for day in "0123456"},
        },
    )
    # Outside the opening hours: 422 on the start.
    response = _book(api, s, days_ahead(3, hour=6), days_ahead(3, hour=10))
    assert response.status_code == 422 and "start" in response.json["error"]["fields"]
    # Shorter than the minimum: 422 on the end.
    response = _book(api, s, days_ahead(3, hour=10), days_ahead(3, hour=11))
    assert response.status_code == 422 and "end" in response.json["error"]["fields"]
    # Within the buffer of an accepted booking: requested, but the acceptance is 409.
    booked(app, s, days_ahead(4, hour=9), days_ahead(4, hour=12), "accepted")
    response = _book(api, s, days_ahead(4, hour=13), days_ahead(4, hour=16))
    assert response.status_code == 201, response.json
    accept = api.post(f"/api/v1/bookings/{response.json['id']}/accept", as_=s.provider)
    assert accept.status_code == 409
    # After the buffer it is fine.
    response = _book(api, s, days_ahead(4, hour=14), days_ahead(4, hour=17))
    assert (
        api.post(f"/api/v1/bookings/{response.json['id']}/accept", as_=s.provider).status_code
        == 200
    )


def test_empty_opening_hours_mean_no_rule_and_give_offers_have_no_rules(app, client, login_as, s):
    login_as(s.provider)
    client.post(f"/listings/{s.offer.id}/booking-rules", data={"lead": "", "closed_dates": ""})
    assert _rules(app, s.offer.id).opening_hours is None
    edit = client.get(f"/listings/{s.offer.id}/edit").get_data(as_text=True)
    assert f"/listings/{s.offer.id}/booking-rules" in edit
    from marketplace.listings.models import Listing
    from tests.exchanges.helpers import change

    change(app, Listing, s.offer.id, mode="give")
    assert client.get(f"/listings/{s.offer.id}/booking-rules").status_code == 302
