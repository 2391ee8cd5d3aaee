"""Brokered proposals: a coordinator sends allocation pairs; re-validation, rights, CSRF, mail."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from marketplace.auth.models import User
from marketplace.core.clock import today
from marketplace.core.errors import PermissionDenied
from marketplace.exchanges.brokered import parse_pair, propose_brokered_exchanges
from marketplace.exchanges.models import Exchange, ExchangeEvent
from marketplace.exchanges.queries import count_unread_exchanges
from marketplace.exchanges.services import accept_exchange, cancel_exchange
from marketplace.extensions import db
from marketplace.listings.models import Listing
from tests import factories
from tests.exchanges.helpers import fresh, load


def _setting():
    office = factories.organisation(name="Amt für Wirtschaftsförderung", kind="public_body")
    coordinator = factories.user(
        organisation=office, role="coordinator", locale="en", name="Carla Koordination"
    )
    market = factories.organisation(name="Supermarkt Elster")
    garden = factories.organisation(name="Gemeinschaftsgarten Lindenhof")
    provider = factories.user(organisation=market, locale="en")
    receiver = factories.user(organisation=garden, locale="de")
    offer = factories.listing(
        organisation=market, title="Europaletten abzugeben", quantity=Decimal(10)
    )
    request = factories.listing(
        kind="request", organisation=garden, title="Suche Europaletten", quantity=Decimal(8)
    )
    return coordinator, provider, receiver, offer, request


def test_creates_proposals_for_the_requesting_organisation_and_tells_both(make, outbox):
    coordinator, provider, receiver, offer, request = _setting()
    outcome = propose_brokered_exchanges(
        coordinator, [(offer.id, request.id, "6")], "Bitte bis Freitag."
    )
    db.session.commit()
    assert not outcome.skipped and len(outcome.created) == 1
    exchange = fresh(outcome.created[0])
    assert exchange.status == "proposed" and exchange.quantity == Decimal(6)
    assert (exchange.provider_id, exchange.receiver_id) == (
        offer.organisation_id,
        request.organisation_id,
    )
    assert exchange.request_id == request.id and exchange.proposed_by_id == coordinator.id
    assert "network office" in exchange.message and "Bitte bis Freitag." in exchange.message
    event = db.session.execute(select(ExchangeEvent)).scalar_one()
    assert (event.action, event.actor_id) == ("propose", coordinator.id)
    assert sorted(m.to[0] for m in outbox) == sorted([provider.email, receiver.email])
    assert count_unread_exchanges(provider) == 1 and count_unread_exchanges(receiver) == 1
    # The provider accepts as usual; the receiver could cancel instead.
    accept_exchange(provider, exchange)
    db.session.commit()
    assert fresh(offer).quantity_remaining == Decimal(4)


def test_receiver_can_cancel_a_brokered_proposal(make):
    coordinator, provider, receiver, offer, request = _setting()
    exchange = propose_brokered_exchanges(coordinator, [f"{offer.id}:{request.id}:2"]).created[0]
    db.session.commit()
    cancel_exchange(receiver, exchange)
    db.session.commit()
    assert fresh(exchange).status == "cancelled"


def test_only_coordinators_and_admins(make):
    coordinator, provider, receiver, offer, request = _setting()
    with pytest.raises(PermissionDenied):
        propose_brokered_exchanges(provider, [(offer.id, request.id, 1)])
    admin = factories.user(role="admin")
    assert len(propose_brokered_exchanges(admin, [(offer.id, request.id, 1)]).created) == 1


def test_pairs_are_validated_again_and_skipped_with_a_reason(make):
    coordinator, provider, receiver, offer, request = _setting()
    own = factories.listing(kind="request", organisation=offer.organisation, title="Eigene Anfrage")
    expired = factories.listing(title="Alte Paletten", available_until=today() - timedelta(days=1))
    closed = factories.listing(kind="request", title="Erledigt", status="closed")
    chairs = factories.listing(
        title="Bürostühle", category=factories.category("office-furniture"), unit="piece"
    )
    kg_request = factories.listing(
        kind="request", organisation=request.organisation, unit="m2", title="Suche Fläche"
    )
    pairs = [
        (offer.id, request.id, "9"),  # more than the request still needs (8)
        (offer.id, request.id, "0"),
        (offer.id, request.id, "1.0001"),
        (offer.id, own.id, "1"),
        (expired.id, request.id, "1"),
        (offer.id, closed.id, "1"),
        (request.id, offer.id, "1"),
        (chairs.id, kg_request.id, "1"),
        (999999, request.id, "1"),
        "nonsense",
        (offer.id, request.id, "5"),  # valid
        (offer.id, request.id, "4"),  # duplicate of the pair just proposed
    ]
    outcome = propose_brokered_exchanges(coordinator, pairs)
    db.session.commit()
    assert [e.quantity for e in outcome.created] == [Decimal(5)]
    reasons = [reason for _, reason in outcome.skipped]
    # Unreadable values are reported first, then the pairs in their order.
    assert reasons == [
        "invalid",
        "quantity",
        "quantity",
        "quantity",
        "organisation",
        "offer",
        "request",
        "offer",
        "units",
        "offer",
        "duplicate",
    ]


def test_an_offer_is_never_promised_beyond_what_is_left(make):
    coordinator, provider, receiver, offer, request = _setting()
    other = factories.listing(kind="request", title="Suche Paletten", quantity=Decimal(20))
    outcome = propose_brokered_exchanges(
        coordinator, [(offer.id, request.id, 8), (offer.id, other.id, 3)]
    )
    assert [e.quantity for e in outcome.created] == [Decimal(8)]
    assert outcome.skipped[0][1] == "quantity"


def test_parse_pair_refuses_odd_values():
    assert parse_pair("1:2:3.5").quantity == Decimal("3.5")
    for text in (
        "",
        "1:2",
        "a:b:c",
        "1:2:NaN",
        "1:2:Infinity",
        "-1:2:3",
        "1:2:3:4",
        "1:2:" + "9" * 80,
    ):
        assert parse_pair(text) is None


# --- web ---------------------------------------------------------------------------------


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


@pytest.fixture
def web(app):
    with app.app_context():
        coordinator, provider, receiver, offer, request = _setting()
        ids = coordinator.id, provider.id, offer.id, request.id
        db.session.remove()
    return load(app, User, ids[0]), load(app, User, ids[1]), ids[2], ids[3]


def test_compute_and_send_round_trip(app, client, login_as, web, outbox):
    coordinator, _, offer_id, request_id = web
    login_as(coordinator)
    page = client.get("/matching/allocation")
    assert page.status_code == 200 and "Compute" in page.get_data(as_text=True)
    result = client.post(
        "/matching/allocation",
        data={"objective": "co2e", "transport_penalty": "y", "district": "", "category": ""},
    )
    html = result.get_data(as_text=True)
    assert result.status_code == 200
    value = f"{offer_id}:{request_id}:8"
    assert f'value="{value}"' in html and "Send as proposals" in html
    sent = client.post("/exchanges/brokered", data={"pair": [value], "message": "Viel Erfolg!"})
    assert sent.status_code == 302
    with app.app_context():
        exchange = db.session.execute(select(Exchange)).scalar_one()
        assert (exchange.offer_id, exchange.request_id, exchange.quantity) == (
            offer_id,
            request_id,
            Decimal(8),
        )
        assert db.session.get(Listing, offer_id).quantity_remaining == Decimal(
            10
        )  # proposed, not reserved
        db.session.remove()
    assert "1 proposal sent." in client.get("/matching/allocation").get_data(as_text=True)
    again = client.post("/exchanges/brokered", data={"pair": [value]})
    assert again.status_code == 302
    assert "1 pair skipped" in client.get("/matching/allocation").get_data(as_text=True)


def test_invalid_allocation_form_is_422(client, login_as, web):
    login_as(web[0])
    response = client.post(
        "/matching/allocation", data={"objective": "everything", "district": "\x00"}
    )
    assert response.status_code == 422


def test_members_cannot_send_brokered_proposals(client, login_as, web):
    _, provider, offer_id, request_id = web
    login_as(provider)
    assert (
        client.post(
            "/exchanges/brokered", data={"pair": [f"{offer_id}:{request_id}:1"]}
        ).status_code
        == 403
    )


def test_csrf_is_required(app, client, login_as, web):
    coordinator, _, offer_id, request_id = web
    login_as(coordinator)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        refused = client.post("/exchanges/brokered", data={"pair": [f"{offer_id}:{request_id}:1"]})
        assert refused.status_code == 400
        token = _csrf(client.get("/matching/allocation").get_data(as_text=True))
        accepted = client.post(
            "/exchanges/brokered",
            data={"pair": [f"{offer_id}:{request_id}:1"], "csrf_token": token},
        )
        assert accepted.status_code == 302
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
