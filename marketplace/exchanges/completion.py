"""Completing an exchange: the hand-over's quantity and mass, its CO2e, the payment in the local
currency, the offer closed when nothing is left and the request's progress (services.py has the
rules every transition shares)."""

from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import and_, case, exists, update

from marketplace.auth.models import User
from marketplace.core.clock import local_month, utcnow
from marketplace.core.errors import ValidationFailed
from marketplace.core.geo import haversine_km
from marketplace.core.units import counts_as_space
from marketplace.exchanges import impact
from marketplace.exchanges.models import (
    TRANSPORT_MODES,
    Exchange,
)
from marketplace.exchanges.transitions import (
    authorise,
    finish,
    fmt,
    move,
    release,
    rounded_sql,
    to_decimal,
)
from marketplace.extensions import db
from marketplace.ledger import services as ledger
from marketplace.listings.models import LIVE_STATUSES, Listing


def complete_exchange(
    user: User,
    exchange: Exchange,
    quantity=None,
    weighed_kg=None,
    transport_mode: str | None = None,
) -> Exchange:
    """Either party confirms the hand-over of `quantity` (default: all accepted, at most that).
    The difference goes back to the offer; the reuse record is written from the factors in force."""
    role = authorise("complete", user, exchange)
    handed = exchange.quantity if quantity is None else to_decimal(quantity, "quantity")
    if handed > exchange.quantity:
        raise ValidationFailed(
            {"quantity": [_("At most the accepted %(q)s.", q=fmt(exchange.quantity))]}
        )
    weighed = None if weighed_kg is None else to_decimal(weighed_kg, "weighed_kg")
    if transport_mode is not None and transport_mode not in TRANSPORT_MODES:
        raise ValidationFailed({"transport_mode": [_("Choose car, bike or foot.")]})
    offer = exchange.offer
    category = offer.category
    if weighed is not None and counts_as_space(exchange.unit, category.resource_type):
        raise ValidationFailed({"weighed_kg": [_("Space and time have no weight.")]})

    record = impact.reuse_record(
        handed,
        exchange.unit,
        resource_type=category.resource_type,
        listing_kg_per_unit=offer.kg_per_unit,
        category_kg_per_unit=category.kg_per_unit,
        factor=impact.Factor(
            category.co2e_factor,
            category.factor_source,
            category.factor_basis,
            category.taxonomy_version,
        ),
        weighed_kg=weighed,
        range_days=impact.date_range_days(offer.created_at.date(), offer.available_until),
    )
    distance = _distance_km(exchange)
    completed_at = utcnow()
    seq = move(
        exchange,
        role,
        "accepted",
        "completed",
        completed_at=completed_at,
        completed_month=local_month(completed_at),
        quantity_completed=handed,
        category_id=offer.category_id,
        mass_kg=record.mass_kg,
        mass_basis=record.mass_basis,
        co2e_avoided_kg=record.co2e_avoided_kg,
        co2e_factor=record.co2e_factor,
        factor_source=record.factor_source,
        factor_basis=record.factor_basis,
        factor_version=record.factor_version,
        space_m2_days=record.space_m2_days,
        space_hours=record.space_hours,
        space_days=record.space_days,
        distance_km=distance,
        transport_mode=transport_mode,
        transport_co2e_kg=impact.transport_co2e_kg(distance, transport_mode),
        value_eur=impact.exchange_value_eur(offer.price_eur, handed),
    )
    # Always touch the offer (even with nothing to give back): it bumps updated_at for the search
    # index and takes the offer's row lock, so completions of one offer see each other below.
    release(exchange.offer_id, exchange.quantity - handed)
    _close_offer_if_done(exchange.offer_id)
    if exchange.request_id is not None:
        _count_towards_request(exchange, handed, record.mass_kg)
    _pay_in_local_currency(user, exchange, offer, handed)
    finish(exchange, user, "complete", "accepted", seq)
    return exchange


def _pay_in_local_currency(user: User, exchange: Exchange, offer: Listing, handed) -> None:
    """In the completion's transaction: a refused payment rolls the whole completion back."""
    try:
        ledger.pay_for_hand_over(
            user,
            payer_organisation_id=exchange.receiver_id,
            payee_organisation_id=exchange.provider_id,
            price=offer.price_local,
            quantity=handed,
            title=offer.title,
            exchange_id=exchange.id,
        )
    except (ledger.InsufficientCredit, ledger.AccountFrozen) as refused:
        raise type(refused)(
            _("The hand-over was not confirmed: %(why)s", why=refused.message)
        ) from None


def _distance_km(exchange: Exchange) -> Decimal | None:
    a, b = exchange.provider, exchange.receiver
    if None in (a.lat, a.lon, b.lat, b.lon):
        return None
    return impact.rounded_km(haversine_km(a.lat, a.lon, b.lat, b.lon))


def _close_offer_if_done(offer_id: int) -> None:
    """An offer with nothing left and no accepted exchange outstanding is closed."""
    outstanding = exists().where(Exchange.offer_id == offer_id, Exchange.status == "accepted")
    db.session.execute(
        update(Listing)
        .where(
            Listing.id == offer_id,
            Listing.quantity_remaining <= 0,
            Listing.status.in_(("open", "reserved", "expired")),
            ~outstanding,
        )
        .values(status="closed", updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def _count_towards_request(exchange: Exchange, handed: Decimal, mass: Decimal | None) -> None:
    """Lower the answered request's remaining need; a request whose need is met is closed."""
    request = db.session.get(Listing, exchange.request_id)
    if request is None:
        return
    towards = impact.quantity_towards_request(request.unit, exchange.unit, handed, mass)
    if towards is None:
        return
    met = Listing.quantity_remaining <= towards
    db.session.execute(
        update(Listing)
        .where(Listing.id == request.id)
        .values(
            quantity_remaining=case(
                (met, Decimal("0")), else_=rounded_sql(Listing.quantity_remaining - towards)
            ),
            status=case(
                (and_(met, Listing.status.in_(LIVE_STATUSES)), "closed"), else_=Listing.status
            ),
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
