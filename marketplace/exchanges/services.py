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

from flask_babel import gettext as _
from sqlalchemy import case, select, update

from marketplace.auth.models import User
from marketplace.core.clock import utcnow
from marketplace.core.errors import Conflict, InvalidTransition, PermissionDenied, ValidationFailed
from marketplace.exchanges.completion import complete_exchange
from marketplace.exchanges.models import (
    Exchange,
)
from marketplace.exchanges.notifications import notify_other_side
from marketplace.exchanges.queries import is_open_for_proposals
from marketplace.exchanges.transitions import (
    MAX_MESSAGE_LENGTH,
    authorise,
    finish,
    fmt,
    move,
    record_event,
    release,
    rounded_sql,
    status_message,
    to_decimal,
)
from marketplace.extensions import db
from marketplace.listings.models import LIVE_STATUSES, Listing

__all__ = [
    "MAX_MESSAGE_LENGTH",
    "accept_exchange",
    "cancel_exchange",
    "complete_exchange",
    "decline_exchange",
    "propose_exchange",
]


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
    amount = to_decimal(quantity, "quantity")
    if amount > offer.quantity:
        raise ValidationFailed(
            {"quantity": [_("The offer has only %(quantity)s.", quantity=fmt(offer.quantity))]}
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
    record_event(exchange, receiver_user, "propose", None, "proposed", 1)
    db.session.flush()
    notify_other_side(exchange, receiver_org_id, "proposed", receiver_user)
    return exchange


# --- deciding ------------------------------------------------------------------------------


def accept_exchange(user: User, exchange: Exchange) -> Exchange:
    """The provider accepts: reserves the quantity on the offer with one conditional UPDATE.
    Conflict (409) when not enough unreserved quantity is left."""
    role = authorise("accept", user, exchange)
    quantity = exchange.quantity
    # Lock the exchange first (PostgreSQL; SQLite holds the write lock since BEGIN IMMEDIATE) and
    # re-read its status, so that nothing is written when it was accepted meanwhile. No savepoint:
    # other features' after_commit hooks (mail, search) would fire when one is released.
    current = db.session.execute(
        select(Exchange.status).where(Exchange.id == exchange.id).with_for_update()
    ).scalar_one()
    if current != "proposed":
        db.session.expire(exchange)
        raise InvalidTransition(status_message(current))
    left = rounded_sql(Listing.quantity_remaining - quantity)
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
    seq = move(exchange, role, "proposed", "accepted", accepted_at=utcnow())
    finish(exchange, user, "accept", "proposed", seq)
    return exchange


def decline_exchange(user: User, exchange: Exchange, note: str = "") -> Exchange:
    """The provider declines a proposal; nothing was reserved, nothing changes on the offer."""
    role = authorise("decline", user, exchange)
    note = _clean_note(note)
    seq = move(exchange, role, "proposed", "declined", declined_at=utcnow())
    finish(exchange, user, "decline", "proposed", seq, note)
    return exchange


def cancel_exchange(user: User, exchange: Exchange, note: str = "") -> Exchange:
    """Either party cancels before completion; an accepted exchange gives its reservation back."""
    role = authorise("cancel", user, exchange)
    note = _clean_note(note)
    from_status = exchange.status
    quantity = exchange.quantity
    seq = move(exchange, role, from_status, "cancelled", cancelled_at=utcnow())
    if from_status == "accepted":
        release(exchange.offer_id, quantity)
    finish(exchange, user, "cancel", from_status, seq, note)
    return exchange


def _clean_note(note: str | None) -> str:
    note = (note or "").strip()
    if len(note) > MAX_MESSAGE_LENGTH:
        raise ValidationFailed({"note": [_("At most %(n)d characters.", n=MAX_MESSAGE_LENGTH)]})
    return note
