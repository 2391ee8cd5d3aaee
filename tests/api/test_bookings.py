"""API v1 bookings and availability: the contract's answers and errors, rights included."""

from datetime import date, datetime, timedelta

import pytest

from marketplace.bookings.models import Booking
from marketplace.extensions import db
from marketplace.listings.models import Listing
from tests import factories
from tests.bookings.helpers import built, days_ahead, iso
from tests.exchanges.helpers import change, load

CONTRACT_FIELDS = {
    "id",
    "listing_id",
    "status",
    "start",
    "end",
    "units",
    "provider",
    "borrower",
    "created_at",
    "accepted_at",
    "checked_out_at",
    "returned_at",
    "overdue",
}


@pytest.fixture
def s(app):
    return built(app, mode="lend", capacity=2)


def _book(api, s, start_days=2, end_days=3, units=1, as_=None, status=201, **extra):
    response = api.post(
        "/api/v1/bookings",
        as_=as_ or s.borrower,
        json={
            "listing_id": s.offer.id,
            "start": iso(days_ahead(start_days)),
            "end": iso(days_ahead(end_days)),
            "units": units,
            **extra,
        },
    )
    assert response.status_code == status, response.json
    return response.json


def test_a_request_answers_201_with_the_booking_object(api, s):
    body = _book(api, s, message="Für das Sommerfest")
    assert set(body) >= CONTRACT_FIELDS
    assert body["status"] == "requested" and body["units"] == 1
    assert body["provider"] == {"id": s.provider.organisation_id, "name": "Repair-Café Connewitz"}
    assert body["borrower"]["name"] == "Jugendwerkstatt Grünau"
    start = datetime.fromisoformat(body["start"])
    assert start.utcoffset() is not None
    assert datetime.fromisoformat(body["end"]) - start == timedelta(days=1)
    assert body["overdue"] is False
    assert body["accepted_at"] is body["checked_out_at"] is body["returned_at"] is None


def test_a_time_without_offset_is_berlin_time(api, s):
    start = (date.today() + timedelta(days=3)).isoformat() + "T10:00:00"
    end = (date.today() + timedelta(days=3)).isoformat() + "T12:00:00"
    response = api.post(
        "/api/v1/bookings",
        as_=s.borrower,
        json={"listing_id": s.offer.id, "start": start, "end": end},
    )
    assert response.status_code == 201, response.json
    moment = datetime.fromisoformat(response.json["start"])
    assert moment.utcoffset() == timedelta(0)
    assert moment.hour in (8, 9)  # 10:00 in Berlin is 08:00 or 09:00 UTC


@pytest.mark.parametrize(
    ("change_", "field"),
    [
        ({"end_days": 2}, "end"),  # end not after start
        ({"start_days": -2, "end_days": 1}, "start"),  # start in the past
        ({"units": 3}, "units"),  # more than the capacity of 2
        ({"units": 0}, "units"),
    ],
)
def test_bad_spans_are_422_with_the_field(api, s, change_, field):
    body = _book(api, s, status=422, **change_)
    assert body["error"]["code"] == "validation_failed"
    assert field in body["error"]["fields"]


def test_booking_the_own_offer_is_422(api, s):
    body = _book(api, s, as_=s.provider, status=422)
    assert "listing_id" in body["error"]["fields"]


def test_a_give_offer_or_a_closed_listing_is_409(app, api, s):
    change(app, Listing, s.offer.id, mode="give")
    assert _book(api, s, status=409)["error"]["code"] == "not_bookable"
    change(app, Listing, s.offer.id, mode="lend", status="closed")
    assert _book(api, s, status=409)["error"]["code"] == "listing_not_open"


def test_malformed_bodies_are_422(api, s):
    for body in (
        {"listing_id": s.offer.id, "start": "morgen", "end": "übermorgen"},
        {"listing_id": "x", "start": iso(days_ahead(2)), "end": iso(days_ahead(3))},
        {"start": iso(days_ahead(2)), "end": iso(days_ahead(3))},
    ):
        assert api.post("/api/v1/bookings", as_=s.borrower, json=body).status_code == 422


def test_an_unknown_listing_is_404(api, s):
    response = api.post(
        "/api/v1/bookings",
        as_=s.borrower,
        json={"listing_id": 999999, "start": iso(days_ahead(2)), "end": iso(days_ahead(3))},
    )
    assert response.status_code == 404


def test_the_whole_way_from_request_to_return(api, s, outbox):
    booking = _book(api, s)
    path = f"/api/v1/bookings/{booking['id']}"
    assert api.post(path + "/accept", as_=s.borrower).status_code == 403
    accepted = api.post(path + "/accept", as_=s.provider).json
    assert accepted["status"] == "accepted" and accepted["accepted_at"]
    assert api.post(path + "/accept", as_=s.provider).status_code == 409
    active = api.post(path + "/checkout", as_=s.provider, json={"note": "Akku voll"}).json
    assert active["status"] == "active" and active["checked_out_at"]
    assert api.post(path + "/cancel", as_=s.borrower).status_code == 409
    returned = api.post(
        path + "/return", as_=s.provider, json={"note": "sauber", "damage": ""}
    ).json
    assert returned["status"] == "returned" and returned["returned_at"]
    # Mail went to each side about the other's steps, in the recipient's language.
    subjects = [message.subject for message in outbox]
    assert any(
        "Neue Buchungsanfrage" in subject or "booking request" in subject for subject in subjects
    )
    assert any("accepted" in subject for subject in subjects)  # the borrower reads English


def test_accepting_more_than_the_capacity_over_any_moment_is_409(api, s):
    first = _book(api, s, 2, 4, units=2)
    second = _book(api, s, 3, 5, units=1)  # overlaps the first on day 3
    later = _book(api, s, 4, 6, units=1)  # starts when the first ends
    assert api.post(f"/api/v1/bookings/{first['id']}/accept", as_=s.provider).status_code == 200
    refused = api.post(f"/api/v1/bookings/{second['id']}/accept", as_=s.provider)
    assert refused.status_code == 409 and refused.json["error"]["code"] == "not_available"
    assert api.post(f"/api/v1/bookings/{later['id']}/accept", as_=s.provider).status_code == 200
    # Cancelling frees the units: the second fits now (beside the later one: 2 of 2).
    assert api.post(f"/api/v1/bookings/{first['id']}/cancel", as_=s.borrower).status_code == 200
    assert api.post(f"/api/v1/bookings/{second['id']}/accept", as_=s.provider).status_code == 200


def test_declined_and_cancelled_release_and_strangers_get_404(app, api, s):
    booking = _book(api, s)
    stranger = factories_user(app)
    path = f"/api/v1/bookings/{booking['id']}"
    assert api.get(path, as_=stranger).status_code == 404
    assert api.get(path, as_=s.borrower).status_code == 200
    assert api.get(path).status_code == 401
    declined = api.post(path + "/decline", as_=s.provider, json={"note": "Da sind wir zu."})
    assert declined.json["status"] == "declined"


def factories_user(app):
    with app.app_context():
        user = factories.user(organisation=factories.organisation(name="Fremde GmbH"))
        db.session.refresh(user)
        db.session.expunge_all()
        db.session.remove()
    return user


def test_availability_counts_free_units_per_day_without_names(api, s):
    first = _book(api, s, 2, 4, units=1)
    api.post(f"/api/v1/bookings/{first['id']}/accept", as_=s.provider)
    _book(api, s, 2, 3, units=1)  # only requested: holds nothing
    start = date.today()
    response = api.get(
        f"/api/v1/listings/{s.offer.id}/availability?from={start}&to={start + timedelta(days=6)}"
    )
    assert response.status_code == 200
    body = response.json
    assert body["capacity"] == 2
    assert len(body["days"]) == 7
    free = {day["date"]: day["free_units"] for day in body["days"]}
    assert free[str(start)] == 2
    assert free[str(start + timedelta(days=3))] == 1
    assert len(body["booked"]) == 1 and body["booked"][0]["units"] == 1
    assert "Jugendwerkstatt" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "query", ["from=gestern", "from=2027-01-10&to=2027-01-01", "from=2027-01-01&to=2028-06-01"]
)
def test_availability_with_bad_dates_is_422(api, s, query):
    response = api.get(f"/api/v1/listings/{s.offer.id}/availability?{query}")
    assert response.status_code == 422


def test_listings_carry_mode_and_capacity(api, s):
    body = api.get(f"/api/v1/listings/{s.offer.id}").json
    assert (body["mode"], body["capacity"]) == ("lend", 2)
    created = api.post(
        "/api/v1/listings",
        as_=s.provider,
        json={
            "kind": "offer",
            "title": "Lastenrad Bullitt",
            "category": "bikes",
            "quantity": 1,
            "unit": "piece",
            "mode": "lend",
            "capacity": 3,
        },
    )
    assert created.status_code == 201, created.json
    assert (created.json["mode"], created.json["capacity"]) == ("lend", 3)
    patched = api.patch(
        f"/api/v1/listings/{created.json['id']}", as_=s.provider, json={"capacity": 0}
    )
    assert patched.status_code == 422
    assert (
        api.post(
            "/api/v1/listings",
            as_=s.provider,
            json={
                "kind": "offer",
                "title": "X Y Z",
                "category": "bikes",
                "quantity": 1,
                "unit": "piece",
                "mode": "verschenken",
            },
        ).status_code
        == 422
    )


def test_an_exchange_cannot_claim_a_lend_offer(api, s):
    response = api.post(
        "/api/v1/exchanges", as_=s.borrower, json={"offer_id": s.offer.id, "quantity": 1}
    )
    assert response.status_code == 409


def test_listing_bookings_of_the_caller(api, s):
    _book(api, s)
    mine = api.get("/api/v1/bookings?role=borrower", as_=s.borrower).json
    assert mine["total"] == 1
    assert api.get("/api/v1/bookings?role=borrower", as_=s.provider).json["total"] == 0
    assert api.get("/api/v1/bookings?role=provider", as_=s.provider).json["total"] == 1
    assert api.get("/api/v1/bookings?status=bogus", as_=s.provider).status_code == 422


def test_an_extension_is_accepted_only_while_the_units_are_free(app, api, s):
    one = _book(api, s, 2, 3, units=2)
    two = _book(api, s, 4, 5, units=2)
    for booking in (one, two):
        api.post(f"/api/v1/bookings/{booking['id']}/accept", as_=s.provider)
    path = f"/api/v1/bookings/{one['id']}/extension"
    asked = api.post(path, as_=s.borrower, json={"end": iso(days_ahead(4, hour=12))})
    assert asked.status_code == 200 and asked.json["extension_end"]
    assert api.post(path + "/accept", as_=s.provider).status_code == 409
    short = api.post(path, as_=s.borrower, json={"end": iso(days_ahead(3, hour=18))})
    assert short.status_code == 200
    extended = api.post(path + "/accept", as_=s.provider).json
    assert extended["extension_end"] is None
    assert datetime.fromisoformat(extended["end"]) == datetime.fromisoformat(
        iso(days_ahead(3, hour=18))
    )
    stored = load(app, Booking, one["id"])
    assert stored.end_at == days_ahead(3, hour=18)


def test_openapi_documents_bookings_and_availability(api):
    spec = api.get("/api/v1/openapi.json").json
    paths = spec["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/bookings"])
    assert "get" in paths["/api/v1/bookings/{booking_id}"]
    for action in ("accept", "decline", "cancel", "checkout", "return"):
        responses = paths[f"/api/v1/bookings/{{booking_id}}/{action}"]["post"]["responses"]
        assert {"200", "403", "404", "409"} <= set(responses)
    availability = paths["/api/v1/listings/{listing_id}/availability"]["get"]
    assert {p["name"] for p in availability["parameters"]} >= {"from", "to"}
    assert set(spec["components"]["schemas"]["Booking"]["properties"]) >= CONTRACT_FIELDS
    assert {"mode", "capacity"} <= set(spec["components"]["schemas"]["Listing"]["properties"])


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("9999-12-31T22:30:00Z", "9999-12-31T23:30:00Z"),  # Berlin time would be year 10000
        ("0001-01-01T00:30:00", "0001-01-01T02:00:00"),  # UTC would be year 0
    ],
)
def test_times_beyond_the_calendar_are_422_not_500(api, s, start, end):
    response = api.post(
        "/api/v1/bookings",
        as_=s.borrower,
        json={"listing_id": s.offer.id, "start": start, "end": end},
    )
    assert response.status_code == 422
    assert "start" in response.json["error"]["fields"]


@pytest.mark.parametrize(
    "query", ["from=9999-12-31", "from=0001-01-01", "from=2026-12-01&to=9999-12-31"]
)
def test_availability_beyond_the_calendar_is_422(api, s, query):
    assert api.get(f"/api/v1/listings/{s.offer.id}/availability?{query}").status_code == 422
