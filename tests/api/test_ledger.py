"""API v1 local currency: currency, accounts and transfers with the contract's errors."""

import pytest

from marketplace.extensions import db
from tests import factories
from tests.ledger.helpers import member, taler

TRANSFER_FIELDS = {"id", "payer", "payee", "amount", "reason", "exchange_id", "created_at"}


@pytest.fixture
def pair(app_ctx):
    taler()
    payer, payee = member("Projektzentrum Lindenau"), member("Tischlerei Span")
    db.session.commit()
    return payer, payee


def _pay(api, payer, payee_id, amount, reason="Holz", headers=None):
    return api.post(
        "/api/v1/transfers",
        as_=payer,
        json={"payee_organisation_id": payee_id, "amount": amount, "reason": reason},
        headers=headers,
    )


def test_before_set_up_the_currency_is_404_everywhere(api, app_ctx):
    someone = member("A")
    db.session.commit()
    assert api.get("/api/v1/currency").status_code == 404
    assert api.get("/api/v1/accounts/me", as_=someone).status_code == 404
    assert _pay(api, someone, someone.organisation_id + 1, 5).status_code == 404


def test_the_currency_and_a_new_account_at_the_default_limits(api, pair):
    payer, _ = pair
    assert api.get("/api/v1/currency").get_json() == {
        "code": "LTA",
        "name": "Leipziger Taler",
        "symbol": "T",
        "kind": "money",
        "default_min_balance": -300,
        "default_max_balance": 3000,
    }
    account = api.get("/api/v1/accounts/me", as_=payer).get_json()
    assert account["organisation"] == {
        "id": payer.organisation_id,
        "name": "Projektzentrum Lindenau",
    }
    assert (account["balance"], account["min_balance"], account["max_balance"]) == (0, -300, 3000)
    assert api.get("/api/v1/accounts/me").status_code == 401


def test_a_transfer_moves_the_amount_and_is_listed_on_both_sides(api, pair):
    payer, payee = pair
    response = _pay(api, payer, payee.organisation_id, 12.5)
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) >= TRANSFER_FIELDS
    assert body["amount"] == 12.5 and body["exchange_id"] is None
    assert body["payer"] == {"id": payer.organisation_id, "name": "Projektzentrum Lindenau"}
    assert body["payee"]["name"] == "Tischlerei Span"
    assert api.get("/api/v1/accounts/me", as_=payee).get_json()["balance"] == 12.5
    assert api.get("/api/v1/accounts/me", as_=payer).get_json()["balance"] == -12.5
    for side in (payer, payee):
        listed = api.get("/api/v1/transfers", as_=side).get_json()
        assert listed["total"] == 1 and listed["items"][0]["id"] == body["id"]


@pytest.mark.parametrize(
    ("amount", "payee"),
    [(0, "other"), (-1, "other"), (1.005, "other"), ("viel", "other"), (5, "self"), (5, 99999)],
)
def test_invalid_transfers_are_422(api, pair, amount, payee):
    payer, other = pair
    target = {"other": other.organisation_id, "self": payer.organisation_id}.get(payee, payee)
    response = _pay(api, payer, target, amount)
    assert response.status_code == 422, response.get_json()
    assert api.get("/api/v1/transfers", as_=payer).get_json()["total"] == 0


def test_over_the_limit_is_409_insufficient_credit(api, pair):
    payer, payee = pair
    assert _pay(api, payer, payee.organisation_id, 300).status_code == 201
    response = _pay(api, payer, payee.organisation_id, 0.01)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "insufficient_credit"
    assert api.get("/api/v1/accounts/me", as_=payer).get_json()["balance"] == -300


def test_a_retry_with_the_same_idempotency_key_pays_once(api, pair):
    payer, payee = pair
    key = {"Idempotency-Key": "a5f0c1e2-retry"}
    first = _pay(api, payer, payee.organisation_id, 20, headers=key)
    again = _pay(api, payer, payee.organisation_id, 20, headers=key)
    assert first.status_code == again.status_code == 201
    assert again.get_json()["id"] == first.get_json()["id"]
    assert api.get("/api/v1/accounts/me", as_=payee).get_json()["balance"] == 20
    other_body = _pay(api, payer, payee.organisation_id, 21, headers=key)
    assert other_body.status_code == 422
    assert api.get("/api/v1/transfers", as_=payer).get_json()["total"] == 1


def test_all_accounts_only_for_coordinators(api, pair):
    payer, _ = pair
    coordinator = factories.user(role="coordinator")
    db.session.commit()
    assert api.get("/api/v1/accounts", as_=payer).status_code == 403
    listed = api.get("/api/v1/accounts", as_=coordinator).get_json()
    assert listed["total"] == 3  # every organisation, also those without a transfer yet
    assert {item["organisation"]["name"] for item in listed["items"]} >= {
        "Projektzentrum Lindenau",
        "Tischlerei Span",
    }
    assert (
        api.get(f"/api/v1/transfers?organisation_id={payer.organisation_id}", as_=payer).status_code
        == 403
    )
    assert (
        api.get(
            f"/api/v1/transfers?organisation_id={payer.organisation_id}", as_=coordinator
        ).status_code
        == 200
    )


def test_the_openapi_document_describes_the_currency(api, app_ctx):
    spec = api.get("/api/v1/openapi.json").get_json()
    assert {
        "/api/v1/currency",
        "/api/v1/accounts/me",
        "/api/v1/accounts",
        "/api/v1/transfers",
    } <= set(spec["paths"])
