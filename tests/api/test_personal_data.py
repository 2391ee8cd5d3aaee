"""GET /api/v1/me/export: everything stored about the caller, in the contract's keys, with the
organisation's listings, exchanges, bookings and transfers and the person's own messages, and
nothing of other organisations."""

from decimal import Decimal

from marketplace.exchanges import conversation
from marketplace.exchanges import services as exchanges
from marketplace.extensions import db
from marketplace.ledger import services as ledger
from tests import factories
from tests.exchanges.helpers import parties
from tests.ledger.helpers import taler

KEYS = {"user", "organisation", "listings", "exchanges", "bookings", "messages", "transfers"}


def test_a_new_member_gets_every_key_with_empty_lists(api, app_ctx):
    person = factories.user(name="Ida Neu", email="ida@kiezladen.example")
    db.session.commit()
    body = api.get("/api/v1/me/export", as_=person).get_json()
    assert set(body) == KEYS
    assert body["user"]["email"] == "ida@kiezladen.example" and body["user"]["name"] == "Ida Neu"
    assert body["organisation"]["id"] == person.organisation_id
    assert all(body[key] == [] for key in KEYS - {"user", "organisation", "listings"})
    assert api.get("/api/v1/me/export").status_code == 401


def test_the_export_holds_the_organisations_records_and_the_persons_messages(api, app_ctx):
    taler()
    p = parties(quantity="10", price_local=Decimal("2"))
    exchange = exchanges.propose_exchange(p.receiver, p.offer, quantity="5")
    conversation.post_message(p.receiver, exchange, "Wir holen am Freitag ab.")
    db.session.commit()
    exchanges.accept_exchange(p.provider, exchange)
    conversation.post_message(p.provider, exchange, "Passt, bis Freitag.")
    db.session.commit()
    exchanges.complete_exchange(p.receiver, exchange)
    stranger = factories.user()
    ledger.pay(stranger, p.provider.organisation_id, "3", "Kaffee")
    db.session.commit()

    body = api.get("/api/v1/me/export", as_=p.receiver).get_json()
    assert [e["id"] for e in body["exchanges"]] == [exchange.id]
    assert [m["body"] for m in body["messages"]] == ["Wir holen am Freitag ab."]
    assert [(t["amount"], t["exchange_id"]) for t in body["transfers"]] == [(10, exchange.id)]
    assert body["listings"] == []  # the offer is the provider's

    provider = api.get("/api/v1/me/export", as_=p.provider).get_json()
    assert [item["id"] for item in provider["listings"]] == [p.offer.id]
    assert sorted(t["amount"] for t in provider["transfers"]) == [3, 10]
