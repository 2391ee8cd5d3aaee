"""Exchange services: proposals, reservations, partial claims, completion and requests."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm.attributes import set_committed_value

from marketplace.core.clock import today
from marketplace.core.errors import Conflict, InvalidTransition, PermissionDenied, ValidationFailed
from marketplace.exchanges.models import Exchange, ExchangeEvent
from marketplace.exchanges.services import (
    accept_exchange,
    cancel_exchange,
    complete_exchange,
    decline_exchange,
    propose_exchange,
)
from marketplace.extensions import db
from tests.exchanges.helpers import fresh, parties


def _accepted(p, quantity):
    exchange = propose_exchange(p.receiver, p.offer, quantity)
    db.session.commit()
    accept_exchange(p.provider, exchange)
    db.session.commit()
    return exchange


def test_proposal_is_recorded_with_an_audit_event(make):
    p = parties()
    exchange = propose_exchange(p.receiver, p.offer, "12", message="Holen wir Freitag ab.")
    db.session.commit()
    exchange = fresh(exchange)
    assert exchange.status == "proposed"
    assert exchange.quantity == Decimal("12") and exchange.unit == "piece"
    assert (exchange.provider_id, exchange.receiver_id) == (
        p.provider.organisation_id,
        p.receiver.organisation_id,
    )
    events = db.session.execute(select(ExchangeEvent)).scalars().all()
    assert [(e.action, e.from_status, e.to_status, e.actor_id) for e in events] == [
        ("propose", None, "proposed", p.receiver.id)
    ]
    # A proposal reserves nothing yet.
    assert fresh(p.offer).quantity_remaining == Decimal("40")


@pytest.mark.parametrize(
    ("quantity", "field"),
    [
        ("0", "quantity"),
        ("-3", "quantity"),
        ("41", "quantity"),
        ("x", "quantity"),
        ("1.0001", "quantity"),
    ],
)
def test_proposal_with_a_bad_quantity_is_refused(make, quantity, field):
    p = parties()
    with pytest.raises(ValidationFailed) as caught:
        propose_exchange(p.receiver, p.offer, quantity)
    assert field in caught.value.fields


def test_nobody_takes_their_own_offer(make):
    p = parties()
    colleague = make.user(organisation=p.provider.organisation)
    with pytest.raises(ValidationFailed) as caught:
        propose_exchange(colleague, p.offer, 1)
    assert "offer_id" in caught.value.fields


def test_a_proposal_may_answer_only_an_own_open_request(make):
    p = parties()
    strangers_request = make.listing(kind="request", quantity=Decimal("5"))
    with pytest.raises(ValidationFailed) as caught:
        propose_exchange(p.receiver, p.offer, 1, request=strangers_request)
    assert "request_id" in caught.value.fields
    own_request = make.listing(kind="request", organisation=p.receiver.organisation, quantity=5)
    exchange = propose_exchange(p.receiver, p.offer, 1, request=own_request)
    assert exchange.request_id == own_request.id


@pytest.mark.parametrize("status", ["reserved", "closed", "expired"])
def test_proposal_on_an_offer_that_is_not_open_conflicts(make, status):
    p = parties()
    p.offer.status = status
    db.session.commit()
    with pytest.raises(Conflict):
        propose_exchange(p.receiver, p.offer, 1)


def test_proposal_on_an_offer_past_its_date_conflicts_before_the_sweep_ran(make):
    p = parties(available_until=today() - timedelta(days=1))
    with pytest.raises(Conflict):
        propose_exchange(p.receiver, p.offer, 1)


def test_partial_claim_leaves_the_rest_listed_and_open(make):
    p = parties(quantity="120", unit="m2", category="storage-space")
    _accepted(p, "30")
    offer = fresh(p.offer)
    assert offer.quantity_remaining == Decimal("90")
    assert offer.status == "open"


def test_accepting_everything_reserves_the_offer(make):
    p = parties(quantity="40")
    exchange = _accepted(p, "40")
    assert fresh(exchange).status == "accepted"
    assert fresh(exchange).accepted_at is not None
    offer = fresh(p.offer)
    assert (offer.quantity_remaining, offer.status) == (Decimal("0"), "reserved")


def test_accept_bumps_the_offers_updated_at(make):
    p = parties()
    before = p.offer.updated_at
    _accepted(p, "1")
    assert fresh(p.offer).updated_at > before


def test_over_allocation_is_refused_and_leaves_the_proposal_untouched(make):
    p = parties(quantity="50")
    first = propose_exchange(p.receiver, p.offer, "30")
    second = propose_exchange(p.receiver, p.offer, "30")
    db.session.commit()
    accept_exchange(p.provider, first)
    db.session.commit()
    with pytest.raises(Conflict):
        accept_exchange(p.provider, second)
    db.session.rollback()
    assert fresh(second).status == "proposed"
    assert fresh(p.offer).quantity_remaining == Decimal("20")


def test_a_double_click_cannot_reserve_twice(make):
    p = parties(quantity="50")
    exchange = _accepted(p, "10")
    with pytest.raises(InvalidTransition):
        accept_exchange(p.provider, fresh(exchange))
    db.session.rollback()
    assert fresh(p.offer).quantity_remaining == Decimal("40")


def test_a_stale_copy_cannot_reserve_twice_either(make):
    """Two requests loaded the exchange as `proposed`; the second UPDATE finds it accepted."""
    p = parties(quantity="50")
    exchange = propose_exchange(p.receiver, p.offer, "10")
    db.session.commit()
    accept_exchange(p.provider, exchange)
    db.session.commit()
    # What the slower request still believes (a loaded value, not a change to flush).
    set_committed_value(exchange, "status", "proposed")
    with pytest.raises(InvalidTransition):
        accept_exchange(p.provider, exchange)
    db.session.rollback()
    assert fresh(p.offer).quantity_remaining == Decimal("40")


def test_only_the_provider_accepts_or_declines(make):
    p = parties()
    exchange = propose_exchange(p.receiver, p.offer, 1)
    db.session.commit()
    with pytest.raises(PermissionDenied):
        accept_exchange(p.receiver, exchange)
    with pytest.raises(PermissionDenied):
        decline_exchange(p.receiver, exchange)
    stranger = make.user()
    with pytest.raises(PermissionDenied):
        accept_exchange(stranger, exchange)


def test_decline_keeps_the_offer_as_it_was(make):
    p = parties()
    exchange = propose_exchange(p.receiver, p.offer, 5)
    db.session.commit()
    decline_exchange(p.provider, exchange, note="Schon vergeben.")
    db.session.commit()
    assert fresh(exchange).status == "declined"
    assert fresh(exchange).declined_at is not None
    assert fresh(p.offer).quantity_remaining == Decimal("40")
    with pytest.raises(InvalidTransition):
        accept_exchange(p.provider, fresh(exchange))


def test_cancelling_an_accepted_exchange_releases_the_reservation(make):
    p = parties(quantity="40")
    exchange = _accepted(p, "40")
    assert fresh(p.offer).status == "reserved"
    cancel_exchange(p.receiver, fresh(exchange))
    db.session.commit()
    offer = fresh(p.offer)
    assert (offer.quantity_remaining, offer.status) == (Decimal("40"), "open")
    assert fresh(exchange).status == "cancelled"
    with pytest.raises(InvalidTransition):
        cancel_exchange(p.provider, fresh(exchange))


def test_cancelling_a_proposal_touches_no_quantity(make):
    p = parties()
    exchange = propose_exchange(p.receiver, p.offer, 5)
    db.session.commit()
    cancel_exchange(p.provider, exchange)
    db.session.commit()
    assert fresh(p.offer).quantity_remaining == Decimal("40")


def test_completing_everything_closes_the_offer(make):
    p = parties(quantity="4")
    exchange = _accepted(p, "4")
    complete_exchange(p.receiver, fresh(exchange))
    db.session.commit()
    exchange = fresh(exchange)
    assert exchange.status == "completed" and exchange.quantity_completed == Decimal("4")
    offer = fresh(p.offer)
    assert (offer.quantity_remaining, offer.status) == (Decimal("0"), "closed")
    with pytest.raises(InvalidTransition):
        cancel_exchange(p.provider, exchange)


def test_completing_less_gives_the_difference_back(make):
    p = parties(quantity="40")
    exchange = _accepted(p, "40")
    complete_exchange(p.provider, fresh(exchange), quantity="25")
    db.session.commit()
    offer = fresh(p.offer)
    assert (offer.quantity_remaining, offer.status) == (Decimal("15"), "open")
    assert fresh(exchange).quantity_completed == Decimal("25")


def test_an_offer_stays_reserved_while_another_acceptance_is_outstanding(make):
    p = parties(quantity="10")
    first = _accepted(p, "6")
    second = _accepted(p, "4")
    complete_exchange(p.provider, fresh(first))
    db.session.commit()
    assert fresh(p.offer).status == "reserved"
    complete_exchange(p.receiver, fresh(second))
    db.session.commit()
    assert fresh(p.offer).status == "closed"


def test_completing_more_than_accepted_is_refused(make):
    p = parties(quantity="40")
    exchange = _accepted(p, "10")
    with pytest.raises(ValidationFailed) as caught:
        complete_exchange(p.provider, fresh(exchange), quantity="11")
    assert "quantity" in caught.value.fields


def test_only_accepted_exchanges_complete(make):
    p = parties()
    exchange = propose_exchange(p.receiver, p.offer, 5)
    db.session.commit()
    with pytest.raises(InvalidTransition):
        complete_exchange(p.provider, exchange)


def test_a_request_whose_need_is_met_closes(make):
    p = parties(quantity="40")
    request = make.listing(
        kind="request", organisation=p.receiver.organisation, quantity=Decimal("10"), unit="piece"
    )
    first = propose_exchange(p.receiver, p.offer, "6", request=request)
    db.session.commit()
    accept_exchange(p.provider, first)
    complete_exchange(p.provider, first)
    db.session.commit()
    request = fresh(request)
    assert (request.quantity_remaining, request.status) == (Decimal("4"), "open")
    second = propose_exchange(p.receiver, fresh(p.offer), "4", request=request)
    db.session.commit()
    accept_exchange(p.provider, second)
    complete_exchange(p.receiver, second)
    db.session.commit()
    request = fresh(request)
    assert (request.quantity_remaining, request.status) == (Decimal("0"), "closed")


def test_a_request_in_kg_counts_the_mass_of_pieces(make):
    p = parties(quantity="10")  # pallets of 25 kg
    request = make.listing(
        kind="request", organisation=p.receiver.organisation, quantity=Decimal("100"), unit="kg"
    )
    exchange = propose_exchange(p.receiver, p.offer, "4", request=request)
    db.session.commit()
    accept_exchange(p.provider, exchange)
    complete_exchange(p.provider, exchange)
    db.session.commit()
    assert fresh(request).status == "closed"


def test_every_transition_is_in_the_audit_trail(make):
    p = parties()
    exchange = _accepted(p, "3")
    complete_exchange(p.receiver, fresh(exchange))
    db.session.commit()
    events = db.session.execute(select(ExchangeEvent).order_by(ExchangeEvent.seq)).scalars().all()
    assert [(e.action, e.from_status, e.to_status) for e in events] == [
        ("propose", None, "proposed"),
        ("accept", "proposed", "accepted"),
        ("complete", "accepted", "completed"),
    ]
    assert [e.actor_organisation_id for e in events] == [
        p.receiver.organisation_id,
        p.provider.organisation_id,
        p.receiver.organisation_id,
    ]
    assert all(e.created_at is not None for e in events)


def test_accepted_exchange_on_an_expired_offer_can_still_be_completed(make):
    """Expiry keeps reservations: what was promised can still be handed over."""
    p = parties(quantity="10")
    exchange = _accepted(p, "4")
    offer = fresh(p.offer)
    offer.status, offer.ended_at = "expired", offer.updated_at
    db.session.commit()
    complete_exchange(p.receiver, fresh(exchange))
    db.session.commit()
    offer = fresh(p.offer)
    assert (offer.status, offer.quantity_remaining) == ("expired", Decimal("6"))


def test_cancelling_on_an_expired_offer_returns_the_quantity_to_the_value_lost(make):
    p = parties(quantity="10")
    exchange = _accepted(p, "10")
    offer = fresh(p.offer)
    offer.status = "expired"
    db.session.commit()
    cancel_exchange(p.provider, fresh(exchange))
    db.session.commit()
    offer = fresh(p.offer)
    assert (offer.status, offer.quantity_remaining) == ("expired", Decimal("10"))


def test_accepting_on_an_expired_offer_conflicts(make):
    p = parties(quantity="10")
    exchange = propose_exchange(p.receiver, p.offer, "4")
    db.session.commit()
    offer = fresh(p.offer)
    offer.status = "expired"
    db.session.commit()
    with pytest.raises(Conflict):
        accept_exchange(p.provider, fresh(exchange))
    db.session.rollback()
    assert fresh(exchange).status == "proposed"


def test_fractional_quantities_add_up_exactly(make):
    p = parties(quantity="0.3", unit="t", category="aggregates")
    a = propose_exchange(p.receiver, p.offer, "0.1")
    b = propose_exchange(p.receiver, p.offer, "0.2")
    db.session.commit()
    accept_exchange(p.provider, a)
    db.session.commit()
    accept_exchange(p.provider, fresh(b))
    db.session.commit()
    offer = fresh(p.offer)
    assert (offer.quantity_remaining, offer.status) == (Decimal("0"), "reserved")
    assert db.session.execute(select(Exchange.status)).scalars().all() == ["accepted"] * 2


def test_an_expired_offer_whose_last_reservation_is_handed_over_closes(make):
    p = parties(quantity="10")
    exchange = _accepted(p, "10")
    offer = fresh(p.offer)
    offer.status = "expired"
    db.session.commit()
    complete_exchange(p.provider, fresh(exchange))
    db.session.commit()
    assert fresh(p.offer).status == "closed"
