"""Writes: propose, accept, decline, cancel and complete exchanges (messages: conversation.py).

Quantities change only through conditional UPDATEs whose WHERE clause re-checks what is left, so
that no number of workers and clients can over-allocate an offer (security.md 16). Each exchange
transition is itself a conditional UPDATE on the exchange's status, so a double click cannot
reserve twice. Locks are always taken exchange first, then the offer, then the request.

Expiry (the listings sweep marks offers past their date `expired`): what an accepted exchange
reserved stays reserved, because the provider promised it; it can still be completed (and then
counts as reuse) or cancelled, which returns the quantity to `quantity_remaining` of the still
expired offer, where it counts as value lost. Proposals on an expired offer can no longer be
accepted (409). An expired offer whose last reservation is handed over with nothing left closes.

Services only flush; the caller commits once, and rolls back when a DomainError is raised.
"""

from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy import and_, case, exists, func, select, update

from marketplace.auth.models import User
from marketplace.core.clock import local_month, utcnow
from marketplace.core.errors import Conflict, InvalidTransition, PermissionDenied, ValidationFailed
from marketplace.core.geo import haversine_km
from marketplace.exchanges import impact, workflow
from marketplace.exchanges.models import (
    TRANSPORT_MODES,
    Exchange,
    ExchangeEvent,
)
from marketplace.exchanges.notifications import notify_other_side
from marketplace.exchanges.queries import is_open_for_proposals, role_of
from marketplace.exchanges.workflow import PROVIDER
from marketplace.extensions import db
from marketplace.ledger import services as ledger
from marketplace.listings.models import LIVE_STATUSES, Listing

MAX_MESSAGE_LENGTH = 5000
_PLACES = 3


# --- helpers -------------------------------------------------------------------------------


def _round(expression):
    """Keep stored quantities on three decimals (SQLite computes in binary floating point)."""
    return func.round(expression, _PLACES)


def _to_decimal(value, field: str) -> Decimal:
    """A positive Decimal with at most three places from a number or text ("2,5" and "2.5")."""
    if isinstance(value, bool):
        raise ValidationFailed({field: [_("Enter a number.")]})
    if isinstance(value, str):
        text = value.strip().replace(" ", "").replace("\u00a0", "")
        if "," in text and "." in text:
            # Both separators ("1.234,5" or "1,234.5"): the last one is the decimal separator.
            text = text.replace("." if text.rfind(",") > text.rfind(".") else ",", "")
        value = text.replace(",", ".")
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationFailed({field: [_("Enter a number.")]}) from None
    if not number.is_finite():
        raise ValidationFailed({field: [_("Enter a number.")]})
    if number <= 0:
        raise ValidationFailed({field: [_("Must be greater than zero.")]})
    if number.as_tuple().exponent < -_PLACES:
        raise ValidationFailed({field: [_("At most three decimal places.")]})
    if number >= 10**11:
        raise ValidationFailed({field: [_("That is too much.")]})
    return number


def _authorise(action: str, user: User, exchange: Exchange) -> str:
    """The user's role for `action`, or PermissionDenied (403) / InvalidTransition (409)."""
    role = role_of(user, exchange)
    try:
        workflow.next_status(action, exchange.status, role)
    except PermissionDenied:
        raise PermissionDenied(_role_message(action)) from None
    except InvalidTransition:
        raise InvalidTransition(_status_message(exchange.status)) from None
    return role


def _role_message(action: str) -> str:
    if action in ("accept", "decline"):
        return _("Only the offering organisation can accept or decline a proposal.")
    return _("Only the two organisations of this exchange can do this.")


def _status_message(status: str) -> str:
    messages = {
        "proposed": _("This exchange is still awaiting the provider's answer."),
        "accepted": _("This exchange has already been accepted."),
        "declined": _("This exchange was declined."),
        "cancelled": _("This exchange was cancelled."),
        "completed": _("This exchange is already completed."),
    }
    return messages.get(status, _("This exchange cannot change now."))


def _move(exchange: Exchange, role: str, from_status: str, to_status: str, **values) -> int:
    """Conditional UPDATE of the exchange's status; returns the new activity seq.
    InvalidTransition when another request changed the status first."""
    side = "provider_seq" if role == PROVIDER else "receiver_seq"
    row = db.session.execute(
        update(Exchange)
        .where(Exchange.id == exchange.id, Exchange.status == from_status)
        .values(
            status=to_status,
            updated_at=utcnow(),
            activity_seq=Exchange.activity_seq + 1,
            **{side: Exchange.activity_seq + 1},
            **values,
        )
        .returning(Exchange.activity_seq)
        .execution_options(synchronize_session=False)
    ).first()
    if row is None:
        db.session.expire(exchange)
        raise InvalidTransition(_("This exchange was changed meanwhile; please reload the page."))
    return int(row[0])


def _record_event(
    exchange: Exchange,
    user: User,
    action: str,
    from_status: str | None,
    to_status: str,
    seq: int,
    note: str = "",
) -> ExchangeEvent:
    event = ExchangeEvent(
        exchange_id=exchange.id,
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor_id=user.id,
        actor_organisation_id=user.organisation_id,
        note=note,
        seq=seq,
        created_at=utcnow(),
    )
    db.session.add(event)
    return event


def _finish(exchange: Exchange, user: User, action: str, from_status: str, seq: int, note=""):
    """After a transition: reload, write the audit event, tell the other organisation."""
    db.session.expire(exchange)
    _record_event(exchange, user, action, from_status, exchange.status, seq, note)
    db.session.flush()
    notify_other_side(exchange, user.organisation_id, exchange.status, user, note=note)


def _release(offer_id: int, quantity: Decimal) -> None:
    """Give a reserved quantity back to the offer: a reserved offer opens again; an expired or
    withdrawn one stays so, and what comes back counts as value lost."""
    db.session.execute(
        update(Listing)
        .where(Listing.id == offer_id)
        .values(
            quantity_remaining=_round(Listing.quantity_remaining + quantity),
            status=case((Listing.status == "reserved", "open"), else_=Listing.status)
            if quantity > 0
            else Listing.status,
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )


# --- proposing -----------------------------------------------------------------------------


def propose_exchange(
    receiver_user: User,
    offer: Listing,
    quantity,
    request: Listing | None = None,
    message: str = "",
    *,
    receiver_organisation_id: int | None = None,
) -> Exchange:
    """A member of another organisation proposes to take `quantity` of an offer; with
    `receiver_organisation_id`, a coordinator proposes on that organisation's behalf (brokered)."""
    receiver_org_id = receiver_organisation_id or receiver_user.organisation_id
    brokered = receiver_org_id != receiver_user.organisation_id
    if brokered and not receiver_user.is_coordinator:
        raise PermissionDenied(_("Only coordinators can send proposals for other organisations."))
    if offer.kind != "offer":
        raise ValidationFailed({"offer_id": [_("This listing is not an offer.")]})
    if offer.organisation_id == receiver_org_id:
        raise ValidationFailed({"offer_id": [_("You cannot take your own organisation's offer.")]})
    amount = _to_decimal(quantity, "quantity")
    if amount > offer.quantity:
        raise ValidationFailed(
            {"quantity": [_("The offer has only %(quantity)s.", quantity=_fmt(offer.quantity))]}
        )
    if request is not None and (
        request.kind != "request"
        or request.organisation_id != receiver_org_id
        or request.status != "open"
    ):
        raise ValidationFailed(
            {"request_id": [_("Choose one of your organisation's open requests.")]}
        )
    message = (message or "").strip()
    if len(message) > MAX_MESSAGE_LENGTH:
        raise ValidationFailed({"message": [_("At most %(n)d characters.", n=MAX_MESSAGE_LENGTH)]})
    if not is_open_for_proposals(offer):
        raise Conflict(_("This offer is not open for proposals any more."))

    now = utcnow()
    exchange = Exchange(
        offer_id=offer.id,
        request_id=request.id if request is not None else None,
        provider_id=offer.organisation_id,
        receiver_id=receiver_org_id,
        proposed_by_id=receiver_user.id,
        category_id=offer.category_id,
        quantity=amount,
        unit=offer.unit,
        message=message,
        status="proposed",
        created_at=now,
        updated_at=now,
        activity_seq=1,
        receiver_seq=1,
        # Brokered: news for both organisations, since neither of them acted.
        provider_seq=1 if brokered else 0,
    )
    db.session.add(exchange)
    db.session.flush()
    _record_event(exchange, receiver_user, "propose", None, "proposed", 1)
    db.session.flush()
    notify_other_side(exchange, receiver_org_id, "proposed", receiver_user)
    return exchange


def _fmt(value: Decimal) -> str:
    from marketplace.core.i18n import format_quantity

    return format_quantity(value)


# --- deciding ------------------------------------------------------------------------------


def accept_exchange(user: User, exchange: Exchange) -> Exchange:
    """The provider accepts: reserves the quantity on the offer with one conditional UPDATE.
    Conflict (409) when not enough unreserved quantity is left."""
    role = _authorise("accept", user, exchange)
    quantity = exchange.quantity
    # Lock the exchange first (PostgreSQL; SQLite holds the write lock since BEGIN IMMEDIATE) and
    # re-read its status, so that nothing is written when it was accepted meanwhile. No savepoint:
    # other features' after_commit hooks (mail, search) would fire when one is released.
    current = db.session.execute(
        select(Exchange.status).where(Exchange.id == exchange.id).with_for_update()
    ).scalar_one()
    if current != "proposed":
        db.session.expire(exchange)
        raise InvalidTransition(_status_message(current))
    left = _round(Listing.quantity_remaining - quantity)
    reserved = db.session.execute(
        update(Listing)
        .where(
            Listing.id == exchange.offer_id,
            Listing.quantity_remaining >= quantity,
            Listing.status.in_(LIVE_STATUSES),
        )
        .values(
            quantity_remaining=left,
            status=case((left <= 0, "reserved"), else_="open"),
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if reserved != 1:
        raise Conflict(
            _("Not enough of this offer is left to accept this proposal."), code="not_enough_left"
        )
    seq = _move(exchange, role, "proposed", "accepted", accepted_at=utcnow())
    _finish(exchange, user, "accept", "proposed", seq)
    return exchange


def decline_exchange(user: User, exchange: Exchange, note: str = "") -> Exchange:
    """The provider declines a proposal; nothing was reserved, nothing changes on the offer."""
    role = _authorise("decline", user, exchange)
    note = _clean_note(note)
    seq = _move(exchange, role, "proposed", "declined", declined_at=utcnow())
    _finish(exchange, user, "decline", "proposed", seq, note)
    return exchange


def cancel_exchange(user: User, exchange: Exchange, note: str = "") -> Exchange:
    """Either party cancels before completion; an accepted exchange gives its reservation back."""
    role = _authorise("cancel", user, exchange)
    note = _clean_note(note)
    from_status = exchange.status
    quantity = exchange.quantity
    seq = _move(exchange, role, from_status, "cancelled", cancelled_at=utcnow())
    if from_status == "accepted":
        _release(exchange.offer_id, quantity)
    _finish(exchange, user, "cancel", from_status, seq, note)
    return exchange


def _clean_note(note: str | None) -> str:
    note = (note or "").strip()
    if len(note) > MAX_MESSAGE_LENGTH:
        raise ValidationFailed({"note": [_("At most %(n)d characters.", n=MAX_MESSAGE_LENGTH)]})
    return note


# --- completing ----------------------------------------------------------------------------


def complete_exchange(
    user: User,
    exchange: Exchange,
    quantity=None,
    weighed_kg=None,
    transport_mode: str | None = None,
) -> Exchange:
    """Either party confirms the hand-over of `quantity` (default: all accepted, at most that).
    The difference goes back to the offer; the reuse record is written from the factors in force."""
    role = _authorise("complete", user, exchange)
    handed = exchange.quantity if quantity is None else _to_decimal(quantity, "quantity")
    if handed > exchange.quantity:
        raise ValidationFailed(
            {"quantity": [_("At most the accepted %(q)s.", q=_fmt(exchange.quantity))]}
        )
    weighed = None if weighed_kg is None else _to_decimal(weighed_kg, "weighed_kg")
    if transport_mode is not None and transport_mode not in TRANSPORT_MODES:
        raise ValidationFailed({"transport_mode": [_("Choose car, bike or foot.")]})
    offer = exchange.offer
    category = offer.category
    if weighed is not None and impact.is_space(exchange.unit, category.resource_type):
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
    seq = _move(
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
    _release(exchange.offer_id, exchange.quantity - handed)
    _close_offer_if_done(exchange.offer_id)
    if exchange.request_id is not None:
        _count_towards_request(exchange, handed, record.mass_kg)
    _pay_in_local_currency(user, exchange, offer, handed)
    _finish(exchange, user, "complete", "accepted", seq)
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
                (met, Decimal("0")), else_=_round(Listing.quantity_remaining - towards)
            ),
            status=case(
                (and_(met, Listing.status.in_(LIVE_STATUSES)), "closed"), else_=Listing.status
            ),
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
