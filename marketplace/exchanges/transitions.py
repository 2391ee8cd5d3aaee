"""What every exchange transition shares: amounts parsed, rights checked, the status moved by a
conditional UPDATE, the event recorded, a reservation released (services.py, completion.py)."""

from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import case, func, update

from marketplace.auth.models import User
from marketplace.core.clock import utcnow
from marketplace.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from marketplace.core.numbers import NotANumber, parse_decimal
from marketplace.exchanges import workflow
from marketplace.exchanges.models import (
    Exchange,
    ExchangeEvent,
)
from marketplace.exchanges.notifications import notify_other_side
from marketplace.exchanges.queries import role_of
from marketplace.exchanges.workflow import PROVIDER
from marketplace.extensions import db
from marketplace.listings.models import Listing

MAX_MESSAGE_LENGTH = 5000
_PLACES = 3


def rounded_sql(expression):
    """Keep stored quantities on three decimals (SQLite computes in binary floating point)."""
    return func.round(expression, _PLACES)


def to_decimal(value, field: str) -> Decimal:
    """A positive Decimal with at most three places from a number or text ("2,5" and "2.5")."""
    try:
        number = parse_decimal(value)
    except NotANumber:
        raise ValidationFailed({field: [_("Enter a number.")]}) from None
    if number <= 0:
        raise ValidationFailed({field: [_("Must be greater than zero.")]})
    if number.as_tuple().exponent < -_PLACES:
        raise ValidationFailed({field: [_("At most three decimal places.")]})
    if number >= 10**11:
        raise ValidationFailed({field: [_("That is too much.")]})
    return number


def authorise(action: str, user: User, exchange: Exchange) -> str:
    """The user's role for `action`, or PermissionDenied (403) / InvalidTransition (409)."""
    role = role_of(user, exchange)
    try:
        workflow.next_status(action, exchange.status, role)
    except PermissionDenied:
        raise PermissionDenied(role_message(action)) from None
    except InvalidTransition:
        raise InvalidTransition(status_message(exchange.status)) from None
    return role


def role_message(action: str) -> str:
    if action in ("accept", "decline"):
        return _("Only the offering organisation can accept or decline a proposal.")
    return _("Only the two organisations of this exchange can do this.")


def status_message(status: str) -> str:
    messages = {
        "proposed": _("This exchange is still awaiting the provider's answer."),
        "accepted": _("This exchange has already been accepted."),
        "declined": _("This exchange was declined."),
        "cancelled": _("This exchange was cancelled."),
        "completed": _("This exchange is already completed."),
    }
    return messages.get(status, _("This exchange cannot change now."))


def move(exchange: Exchange, role: str, from_status: str, to_status: str, **values) -> int:
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


def record_event(
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


def finish(exchange: Exchange, user: User, action: str, from_status: str, seq: int, note=""):
    """After a transition: reload, write the audit event, tell the other organisation."""
    db.session.expire(exchange)
    record_event(exchange, user, action, from_status, exchange.status, seq, note)
    db.session.flush()
    notify_other_side(exchange, user.organisation_id, exchange.status, user, note=note)


def release(offer_id: int, quantity: Decimal) -> None:
    """Give a reserved quantity back to the offer: a reserved offer opens again; an expired or
    withdrawn one stays so, and what comes back counts as value lost."""
    db.session.execute(
        update(Listing)
        .where(Listing.id == offer_id)
        .values(
            quantity_remaining=rounded_sql(Listing.quantity_remaining + quantity),
            status=case((Listing.status == "reserved", "open"), else_=Listing.status)
            if quantity > 0
            else Listing.status,
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )


def fmt(value: Decimal) -> str:
    from marketplace.core.i18n import format_quantity

    return format_quantity(value)
