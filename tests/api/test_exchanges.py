"""API v1 exchanges: every answer of the contract's table, rights included."""

from datetime import datetime
from decimal import Decimal

import pytest

from marketplace.extensions import db
from marketplace.listings.models import Listing
from marketplace.orgs.models import Organisation
from tests import factories
from tests.exchanges.helpers import change, load, outside, parties

CONTRACT_FIELDS = {
    "id",
    "status",
    "offer_id",
    "request_id",
    "quantity",
    "unit",
    "provider",
    "receiver",
    "created_at",
    "accepted_at",
    "completed_at",
    "mass_kg",
    "co2e_avoided_kg",
    "factor_source",
}


@pytest.fixture
def p(app):
    return outside(app, parties, quantity="10", category="pallets")


def member_of(app, org_id, **kw):
    return outside(
        app, lambda: factories.user(organisation=db.session.get(Organisation, org_id), **kw)
    )


def request_of(app, org_id):
    return outside(
        app,
        lambda: factories.listing(
            kind="request", organisation=db.session.get(Organisation, org_id), quantity=5
        ),
    )


def remaining(app, p):
    return load(app, Listing, p.offer.id).quantity_remaining


def _propose(api, p, quantity=4, **extra):
    response = api.post(
        "/api/v1/exchanges",
        as_=p.receiver,
        json={"offer_id": p.offer.id, "quantity": quantity, **extra},
    )
    assert response.status_code == 201, response.json
    return response.json


def _accepted(api, p, quantity=4):
    exchange = _propose(api, p, quantity)
    response = api.post(f"/api/v1/exchanges/{exchange['id']}/accept", as_=p.provider)
    assert response.status_code == 200, response.json
    return response.json


# -- POST /exchanges ----------------------------------------------------------------------------


def test_propose_answers_201_with_the_exchange_object(app, api, p):
    body = _propose(api, p, 4, message="Holen wir morgen ab.")
    assert set(body) >= CONTRACT_FIELDS
    assert body["status"] == "proposed"
    assert (body["offer_id"], body["request_id"]) == (p.offer.id, None)
    assert body["quantity"] == 4 and body["unit"] == "piece"
    assert body["provider"] == {"id": p.provider.organisation.id, "name": "Tischlerei Holzwurm"}
    assert body["receiver"] == {
        "id": p.receiver.organisation.id,
        "name": "Jugendwerkstatt Wedding",
    }
    assert datetime.fromisoformat(body["created_at"]).utcoffset() is not None
    assert body["accepted_at"] is body["completed_at"] is None
    assert body["mass_kg"] is body["co2e_avoided_kg"] is body["factor_source"] is None
    assert body["url"].endswith(f"/exchanges/{body['id']}")


def test_propose_answering_an_own_request(app, api, p):
    request = request_of(app, p.receiver.organisation_id)
    body = _propose(api, p, 4, request_id=request.id)
    assert body["request_id"] == request.id


def test_propose_without_a_token_is_401(app, api, p):
    response = api.post("/api/v1/exchanges", json={"offer_id": p.offer.id, "quantity": 1})
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"quantity": 11}, "quantity"),
        ({"quantity": 0}, "quantity"),
        ({"quantity": -1}, "quantity"),
        ({"quantity": "viele"}, "quantity"),
        ({"quantity": True}, "quantity"),
        ({}, "quantity"),
        ({"quantity": 1, "offer_id": 999999}, "offer_id"),
        ({"quantity": 1, "offer_id": "1"}, "offer_id"),
        ({"quantity": 1, "message": "x" * 5001}, "message"),
    ],
)
def test_propose_with_invalid_fields_is_422(app, api, p, body, field):
    response = api.post("/api/v1/exchanges", as_=p.receiver, json={"offer_id": p.offer.id, **body})
    assert response.status_code == 422, response.json
    assert field in response.json["error"]["fields"]


def test_proposing_for_an_own_offer_is_422(app, api, p):
    colleague = member_of(app, p.provider.organisation_id)
    response = api.post(
        "/api/v1/exchanges", as_=colleague, json={"offer_id": p.offer.id, "quantity": 1}
    )
    assert response.status_code == 422
    assert "offer_id" in response.json["error"]["fields"]


def test_proposal_answering_someone_elses_request_is_422(app, api, p):
    foreign = outside(app, factories.listing, kind="request", quantity=5)
    response = api.post(
        "/api/v1/exchanges",
        as_=p.receiver,
        json={"offer_id": p.offer.id, "quantity": 1, "request_id": foreign.id},
    )
    assert response.status_code == 422
    assert "request_id" in response.json["error"]["fields"]


@pytest.mark.parametrize("status", ["reserved", "closed", "expired"])
def test_proposing_on_an_offer_that_is_not_open_is_409(app, api, p, status):
    change(app, Listing, p.offer.id, status=status)
    response = api.post(
        "/api/v1/exchanges", as_=p.receiver, json={"offer_id": p.offer.id, "quantity": 1}
    )
    assert response.status_code == 409
    assert response.json["error"]["code"] == "conflict"


def test_a_body_that_is_not_json_is_415_and_malformed_json_400(app, api, p):
    not_json = api.post("/api/v1/exchanges", as_=p.receiver, data="offer_id=1&quantity=1")
    assert not_json.status_code == 415
    broken = api.post(
        "/api/v1/exchanges",
        as_=p.receiver,
        data='{"offer_id": 1,',
        headers={"Content-Type": "application/json"},
    )
    assert broken.status_code == 400


# -- accept / decline ---------------------------------------------------------------------------


def test_accept_with_an_empty_body_reserves_the_quantity(app, api, p):
    exchange = _propose(api, p, 4)
    response = api.post(f"/api/v1/exchanges/{exchange['id']}/accept", as_=p.provider)
    assert response.status_code == 200
    assert response.json["status"] == "accepted"
    assert datetime.fromisoformat(response.json["accepted_at"]).utcoffset() is not None
    listing = api.get(f"/api/v1/listings/{p.offer.id}").json
    assert listing["quantity_remaining"] == 6


def test_accept_with_a_json_content_type_and_no_body(app, api, p):
    exchange = _propose(api, p, 4)
    response = api.post(
        f"/api/v1/exchanges/{exchange['id']}/accept",
        as_=p.provider,
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 200


def test_only_the_provider_accepts_or_declines(app, api, p):
    exchange = _propose(api, p, 4)
    for action in ("accept", "decline"):
        response = api.post(f"/api/v1/exchanges/{exchange['id']}/{action}", as_=p.receiver)
        assert response.status_code == 403, action
        assert response.json["error"]["code"] == "forbidden"
    assert remaining(app, p) == Decimal("10")


def test_a_coordinator_sees_but_cannot_accept(app, api, p):
    coordinator = outside(app, factories.user, role="coordinator")
    exchange = _propose(api, p, 4)
    assert api.get(f"/api/v1/exchanges/{exchange['id']}", as_=coordinator).status_code == 200
    response = api.post(f"/api/v1/exchanges/{exchange['id']}/accept", as_=coordinator)
    assert response.status_code == 403


def test_strangers_get_404_everywhere(app, api, p):
    stranger = outside(app, factories.user)
    exchange = _propose(api, p, 4)
    assert api.get(f"/api/v1/exchanges/{exchange['id']}", as_=stranger).status_code == 404
    for action in ("accept", "decline", "cancel", "complete"):
        response = api.post(f"/api/v1/exchanges/{exchange['id']}/{action}", as_=stranger)
        assert response.status_code == 404, action
        assert response.json["error"]["code"] == "not_found"
    assert api.get("/api/v1/exchanges/999999", as_=p.provider).status_code == 404


def test_transitions_without_a_token_are_401(app, api, p):
    exchange = _propose(api, p, 4)
    for action in ("accept", "decline", "cancel", "complete"):
        assert api.post(f"/api/v1/exchanges/{exchange['id']}/{action}").status_code == 401
    assert api.get(f"/api/v1/exchanges/{exchange['id']}").status_code == 401
    assert api.get("/api/v1/exchanges").status_code == 401


def test_accept_beyond_what_is_left_is_409(app, api, p):
    first = _propose(api, p, 8)
    second = _propose(api, p, 4)
    assert api.post(f"/api/v1/exchanges/{first['id']}/accept", as_=p.provider).status_code == 200
    response = api.post(f"/api/v1/exchanges/{second['id']}/accept", as_=p.provider)
    assert response.status_code == 409
    assert api.get(f"/api/v1/exchanges/{second['id']}", as_=p.provider).json["status"] == (
        "proposed"
    )
    assert remaining(app, p) == Decimal("2")


def test_accepting_twice_is_409_and_reserves_once(app, api, p):
    exchange = _accepted(api, p, 4)
    response = api.post(f"/api/v1/exchanges/{exchange['id']}/accept", as_=p.provider)
    assert response.status_code == 409
    assert response.json["error"]["code"] == "invalid_transition"
    assert remaining(app, p) == Decimal("6")


def test_decline_answers_200_declined(app, api, p):
    exchange = _propose(api, p, 4)
    response = api.post(
        f"/api/v1/exchanges/{exchange['id']}/decline", as_=p.provider, json={"note": "Leider weg."}
    )
    assert (response.status_code, response.json["status"]) == (200, "declined")
    again = api.post(f"/api/v1/exchanges/{exchange['id']}/decline", as_=p.provider)
    assert again.status_code == 409


# -- cancel / complete --------------------------------------------------------------------------


def test_cancel_by_either_party_releases_the_reservation(app, api, p):
    exchange = _accepted(api, p, 10)
    assert load(app, Listing, p.offer.id).status == "reserved"
    response = api.post(f"/api/v1/exchanges/{exchange['id']}/cancel", as_=p.receiver)
    assert (response.status_code, response.json["status"]) == (200, "cancelled")
    offer = load(app, Listing, p.offer.id)
    assert (offer.quantity_remaining, offer.status) == (Decimal("10"), "open")


def test_cancel_after_completion_is_409(app, api, p):
    exchange = _accepted(api, p, 4)
    api.post(f"/api/v1/exchanges/{exchange['id']}/complete", as_=p.provider)
    response = api.post(f"/api/v1/exchanges/{exchange['id']}/cancel", as_=p.provider)
    assert response.status_code == 409


def test_complete_four_pallets_answers_mass_co2e_and_source(app, api, p):
    exchange = _accepted(api, p, 4)
    response = api.post(f"/api/v1/exchanges/{exchange['id']}/complete", as_=p.receiver)
    assert response.status_code == 200, response.json
    body = response.json
    assert body["status"] == "completed"
    assert body["mass_kg"] == 100
    assert body["co2e_avoided_kg"] == pytest.approx(23.1)
    assert "DEFRA" in body["factor_source"]
    assert body["mass_basis"] == "estimated" and body["quantity_completed"] == 4
    assert isinstance(body["mass_kg"], int | float)
    assert datetime.fromisoformat(body["completed_at"]).utcoffset() is not None


def test_complete_with_quantity_and_weighed_mass(app, api, p):
    exchange = _accepted(api, p, 4)
    response = api.post(
        f"/api/v1/exchanges/{exchange['id']}/complete",
        as_=p.provider,
        json={"quantity": 3, "weighed_kg": 70.5, "transport_mode": "bike"},
    )
    assert response.status_code == 200, response.json
    assert response.json["quantity_completed"] == 3
    assert (response.json["mass_kg"], response.json["mass_basis"]) == (70.5, "weighed")
    assert response.json["transport_co2e_kg"] == 0
    assert remaining(app, p) == Decimal("7")


@pytest.mark.parametrize(
    "body",
    [{"quantity": 5}, {"quantity": 0}, {"weighed_kg": -2}, {"transport_mode": "rocket"}],
)
def test_complete_with_invalid_fields_is_422(app, api, p, body):
    exchange = _accepted(api, p, 4)
    response = api.post(f"/api/v1/exchanges/{exchange['id']}/complete", as_=p.provider, json=body)
    assert response.status_code == 422, response.json
    assert set(body) & set(response.json["error"]["fields"])


def test_complete_before_acceptance_is_409(app, api, p):
    exchange = _propose(api, p, 4)
    response = api.post(f"/api/v1/exchanges/{exchange['id']}/complete", as_=p.receiver)
    assert response.status_code == 409


# -- GET ------------------------------------------------------------------------------------------


def test_list_shows_the_organisations_exchanges_with_filters(app, api, p):
    accepted = _accepted(api, p, 2)
    proposed = _propose(api, p, 1)
    other = outside(app, parties, quantity="5")  # exchanges between two other organisations
    _propose(api, other, 1)

    mine = api.get("/api/v1/exchanges", as_=p.provider).json
    assert {e["id"] for e in mine["items"]} == {accepted["id"], proposed["id"]}
    assert (mine["total"], mine["page"], mine["per_page"]) == (2, 1, 20)

    only_proposed = api.get("/api/v1/exchanges?status=proposed", as_=p.provider).json
    assert [e["id"] for e in only_proposed["items"]] == [proposed["id"]]
    as_receiver = api.get("/api/v1/exchanges?role=receiver", as_=p.provider).json
    assert as_receiver["items"] == [] and as_receiver["total"] == 0
    as_receiver = api.get("/api/v1/exchanges?role=receiver", as_=p.receiver).json
    assert as_receiver["total"] == 2
    paged = api.get("/api/v1/exchanges?per_page=1&page=2", as_=p.receiver).json
    assert (len(paged["items"]), paged["total"], paged["page"], paged["per_page"]) == (1, 2, 2, 1)


@pytest.mark.parametrize("query", ["status=lost", "role=thief", "per_page=101", "page=0"])
def test_list_with_invalid_filters_is_422(app, api, p, query):
    response = api.get(f"/api/v1/exchanges?{query}", as_=p.provider)
    assert response.status_code == 422


def test_either_party_reads_the_exchange(app, api, p):
    exchange = _propose(api, p, 4)
    for user in (p.provider, p.receiver):
        response = api.get(f"/api/v1/exchanges/{exchange['id']}", as_=user)
        assert response.status_code == 200
        assert response.json["id"] == exchange["id"]


def test_the_openapi_document_describes_the_exchange_endpoints(client):
    spec = client.get("/api/v1/openapi.json").json
    paths = spec["paths"]
    assert set(paths["/api/v1/exchanges"]) >= {"get", "post"}
    for action in ("accept", "decline", "cancel", "complete"):
        operation = paths[f"/api/v1/exchanges/{{exchange_id}}/{action}"]["post"]
        assert {"200", "401", "403", "404", "409"} <= set(operation["responses"])
    assert "201" in paths["/api/v1/exchanges"]["post"]["responses"]
    schema = spec["components"]["schemas"]["Exchange"]["properties"]
    assert set(schema) >= CONTRACT_FIELDS


def test_transition_bodies_are_documented_as_optional(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for action in ("decline", "cancel", "complete"):
        body = paths[f"/api/v1/exchanges/{{exchange_id}}/{action}"]["post"]["requestBody"]
        assert body["required"] is False
