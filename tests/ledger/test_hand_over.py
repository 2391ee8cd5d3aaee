"""A hand-over priced in the local currency: the receiver pays the provider when it completes,
in the same transaction; a completion it cannot pay completes nothing."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from marketplace.core.errors import Conflict
from marketplace.exchanges import services as exchanges
from marketplace.extensions import db
from marketplace.ledger.models import Transfer
from marketplace.listings.models import Listing
from tests.exchanges.helpers import fresh, parties
from tests.ledger.helpers import balance, taler


@pytest.fixture
def priced(app_ctx):
    taler()
    found = parties(quantity="40", price="2.50", price_local=Decimal("1.50"))
    db.session.commit()
    return found


def _accepted(p, quantity="10"):
    exchange = exchanges.propose_exchange(p.receiver, p.offer, quantity=quantity)
    db.session.commit()
    exchanges.accept_exchange(p.provider, exchange)
    db.session.commit()
    return exchange


def test_completing_makes_the_receiver_pay_price_local_times_the_quantity_handed(priced):
    exchange = _accepted(priced)
    exchanges.complete_exchange(priced.provider, exchange, quantity="8")
    db.session.commit()
    paid = db.session.scalars(select(Transfer)).one()
    assert paid.exchange_id == exchange.id and paid.kind == "exchange"
    assert paid.amount_cents == 1200  # 8 x 1.50
    assert balance(priced.receiver) == Decimal("-12") and balance(priced.provider) == 12
    assert fresh(exchange).status == "completed"


def test_a_completion_the_receiver_cannot_pay_is_409_and_completes_nothing(priced):
    exchange = _accepted(priced, quantity="40")
    db.session.execute(
        Listing.__table__.update()
        .where(Listing.id == priced.offer.id)
        .values(price_local=Decimal("10"))
    )
    db.session.commit()
    db.session.expire_all()
    with pytest.raises(Conflict) as refused:
        exchanges.complete_exchange(priced.receiver, fresh(exchange))  # 400 T, the limit is -300
    assert refused.value.code == "insufficient_credit"
    assert "not confirmed" in refused.value.message
    db.session.rollback()
    assert fresh(exchange).status == "accepted"
    assert fresh(priced.offer).quantity_remaining == 0  # still reserved for this exchange
    assert db.session.scalars(select(Transfer)).all() == []


def test_without_a_currency_a_price_local_offer_is_simply_free(app_ctx):
    found = parties(quantity="5", price_local=None)
    db.session.commit()
    exchange = _accepted(found, quantity="5")
    exchanges.complete_exchange(found.provider, exchange)
    db.session.commit()
    assert db.session.scalars(select(Transfer)).all() == []


def test_the_web_completion_says_why_and_stays_accepted(priced, client, login_as, app):
    exchange = _accepted(priced, quantity="40")
    db.session.execute(
        Listing.__table__.update()
        .where(Listing.id == priced.offer.id)
        .values(price_local=Decimal("10"))
    )
    db.session.commit()
    exchange_id = exchange.id
    login_as(priced.receiver)
    page = client.post(
        f"/exchanges/{exchange_id}/complete", data={"quantity": "40"}, follow_redirects=True
    )
    text = page.get_data(as_text=True)  # the receiver reads German
    assert "Die Übergabe wurde nicht bestätigt" in text and "Nicht genug Spielraum" in text
    assert fresh(exchange).status == "accepted"


def test_the_api_completion_answers_409_insufficient_credit(priced, api):
    exchange = _accepted(priced, quantity="40")
    db.session.execute(
        Listing.__table__.update()
        .where(Listing.id == priced.offer.id)
        .values(price_local=Decimal("10"))
    )
    db.session.commit()
    response = api.post(f"/api/v1/exchanges/{exchange.id}/complete", as_=priced.receiver, json={})
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "insufficient_credit"
