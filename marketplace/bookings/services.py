"""Writes: request, accept, decline, cancel, check out, return and extend bookings.

Never double-booked: accepting (or extending) first locks the listing's row (SELECT ... FOR
UPDATE on PostgreSQL; on SQLite every writing transaction already holds the database's write
lock from BEGIN IMMEDIATE, core/database.py), then counts the peak of units held over the span by
the other accepted and active bookings, widened by the listing's buffer. Whoever comes second
sees the first one's committed booking. Each transition is itself a conditional UPDATE on the
booking's status, so a double click cannot accept twice.

Services only flush; the caller commits once, and rolls back when a DomainError is raised.
"""

from datetime import datetime
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from marketplace.auth.models import User
from marketplace.bookings import payments, workflow
from marketplace.bookings.models import NOTE_MAX, Booking
from marketplace.bookings.notifications import notify, notify_other_side
from marketplace.bookings.queries import get_rules, held_spans, role_of
from marketplace.bookings.rules import fee_for, span_problems
from marketplace.bookings.spans import peak_units, widened
from marketplace.core.clock import utcnow
from marketplace.core.errors import Conflict, InvalidTransition, PermissionDenied, ValidationFailed
from marketplace.extensions import db
from marketplace.listings.liveness import effective_status
from marketplace.listings.models import Listing


def _authorise(action: str, user: User, booking: Booking) -> str:
    """The user's role for `action`, or PermissionDenied (403) / InvalidTransition (409)."""
    role = role_of(user, booking)
    try:
        workflow.next_status(action, booking.status, role)
    except PermissionDenied:
        raise PermissionDenied(_role_message(action)) from None
    except InvalidTransition:
        raise InvalidTransition(_status_message(booking.status)) from None
    return role


def _role_message(action: str) -> str:
    if action == "extend":
        return _("Only the borrowing organisation can ask for a longer booking.")
    if action == "cancel":
        return _("Only the two organisations of this booking can cancel it.")
    return _("Only the lending organisation can do this.")


def _status_message(status: str) -> str:
    messages = {
        "requested": _("This booking still awaits the provider's answer."),
        "accepted": _("This booking has already been accepted."),
        "declined": _("This booking was declined."),
        "cancelled": _("This booking was cancelled."),
        "active": _("This booking is checked out."),
        "returned": _("This booking is already returned."),
    }
    return messages.get(status, _("This booking cannot change now."))


def _note(value: str | None, field: str) -> str | None:
    text = (value or "").strip()
    if len(text) > NOTE_MAX:
        raise ValidationFailed({field: [_("At most %(max)d characters.", max=NOTE_MAX)]})
    return text or None


def _move(booking: Booking, from_status: str, to_status: str, **values) -> None:
    """Conditional UPDATE of the status; InvalidTransition when another request was first."""
    values = {"status": to_status, "updated_at": utcnow(), **values}
    result = db.session.execute(
        update(Booking)
        .where(Booking.id == booking.id, Booking.status == from_status)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.refresh(booking)
        raise InvalidTransition(_status_message(booking.status))
    # The row is what it was plus these values: no SELECT of the booking and its joins again.
    for key, value in values.items():
        set_committed_value(booking, key, value)


def _lock_listing(listing_id: int) -> Listing:
    """The listing, its row locked until the commit (serialises acceptances per listing)."""
    # Locked and read fresh in one statement (the row as another acceptance may have left it).
    return db.session.get(
        Listing, listing_id, with_for_update={"of": Listing}, populate_existing=True
    )


def _require_bookable(listing: Listing) -> None:
    if listing.kind != "offer" or not listing.is_shared:
        raise Conflict(_("This offer is given away, not lent or booked."), code="not_bookable")
    if effective_status(listing) != "open":
        raise Conflict(_("This offer is not open any more."), code="listing_not_open")


def units_free(
    listing: Listing, start: datetime, end: datetime, units: int, *, exclude_id: int | None = None
) -> bool:
    """Whether `units` more fit under the capacity at every moment of [start, end)."""
    buffer = get_rules(listing.id).buffer
    held = widened(
        held_spans(listing.id, start - buffer, end + buffer, exclude_id=exclude_id), buffer
    )
    return peak_units(held, start, end) + units <= listing.capacity


def _units(value, capacity: int) -> int:
    if value in (None, ""):
        return 1
    try:
        number = int(str(value).strip()) if not isinstance(value, bool) else None
    except ValueError:
        number = None
    if number is None:
        raise ValidationFailed({"units": [_("Enter a whole number.")]})
    if number < 1:
        raise ValidationFailed({"units": [_("At least one unit.")]})
    if number > capacity:
        raise ValidationFailed({"units": [_("At most %(n)d: the offer has no more.", n=capacity)]})
    return number


def request_booking(
    user: User,
    listing: Listing,
    start: datetime,
    end: datetime,
    units=1,
    *,
    message: str | None = None,
    request: Listing | None = None,
    only_if_free: bool = False,
) -> Booking:
    """Ask to borrow or book units of another organisation's lend/book offer for [start, end)
    (naive UTC). With only_if_free (the web form), a span that is already taken is refused at
    once; the API lets the provider decide and answers 409 on acceptance."""
    if listing.organisation_id == user.organisation_id:
        raise ValidationFailed(
            {"listing_id": [_("You cannot book your own organisation's offer.")]}
        )
    _require_bookable(listing)
    units = _units(units, listing.capacity)
    rules = get_rules(listing.id)
    problems = span_problems(listing, rules, start, end)
    if problems:
        raise ValidationFailed(problems)
    text = _note(message, "message") or ""
    if only_if_free and not units_free(listing, start, end, units):
        raise ValidationFailed(
            {"start": [_("This time is already booked; please choose another.")]}
        )
    booking = Booking(
        listing_id=listing.id,
        provider_id=listing.organisation_id,
        borrower_id=user.organisation_id,
        created_by_id=user.id,
        status=workflow.next_status("request", None, workflow.BORROWER),
        start_at=start,
        end_at=end,
        units=units,
        message=text,
        request_id=request.id if request is not None else None,
        fee_eur=fee_for(rules, start, end, units),
        deposit_eur=(rules.deposit_eur * units).quantize(Decimal("0.01")),
        fee_local=fee_for(rules, start, end, units, local=True),
        deposit_local=(rules.deposit_local * units).quantize(Decimal("0.01")),
    )
    db.session.add(booking)
    db.session.flush()
    notify(booking, booking.provider_id, "requested")
    return booking


def accept_booking(user: User, booking: Booking) -> Booking:
    """Accept (provider): 409 when the units are not free for the whole span."""
    _authorise("accept", user, booking)
    listing = _lock_listing(booking.listing_id)
    _require_bookable(listing)
    if not units_free(
        listing, booking.start_at, booking.end_at, booking.units, exclude_id=booking.id
    ):
        raise Conflict(
            _("The units are not free for the whole time any more."), code="not_available"
        )
    _move(booking, "requested", "accepted", accepted_at=utcnow())
    payments.pay_fee(user, booking)
    notify_other_side(booking, booking.provider_id, "accepted")
    return booking


def decline_booking(user: User, booking: Booking, reason: str | None = None) -> Booking:
    _authorise("decline", user, booking)
    _move(booking, "requested", "declined", declined_at=utcnow(), reason=_note(reason, "note"))
    notify_other_side(booking, booking.provider_id, "declined")
    return booking


def cancel_booking(user: User, booking: Booking, reason: str | None = None) -> Booking:
    """Either party, before check-out; the units are free again."""
    role = _authorise("cancel", user, booking)
    was_accepted = booking.status == "accepted"
    _move(
        booking,
        booking.status,
        "cancelled",
        cancelled_at=utcnow(),
        reason=_note(reason, "note"),
    )
    if was_accepted:
        payments.refund_fees(user, booking)
    actor = booking.provider_id if role == workflow.PROVIDER else booking.borrower_id
    notify_other_side(booking, actor, "cancelled")
    return booking


def check_out_booking(
    user: User, booking: Booking, note: str | None = None, photo: str | None = None
) -> Booking:
    """The thing is handed out (provider), with its condition and optionally a photo's name."""
    _authorise("checkout", user, booking)
    _move(
        booking,
        "accepted",
        "active",
        checked_out_at=utcnow(),
        checkout_note=_note(note, "note"),
        checkout_photo=photo,
    )
    payments.pay_deposit(user, booking)
    notify_other_side(booking, booking.provider_id, "checked_out")
    return booking


def return_booking(
    user: User, booking: Booking, note: str | None = None, damage: str | None = None
) -> Booking:
    """The thing is back (provider): its condition, and damage if there is any."""
    _authorise("return", user, booking)
    _move(
        booking,
        "active",
        "returned",
        returned_at=utcnow(),
        return_note=_note(note, "note"),
        damage_note=_note(damage, "damage"),
        extension_end_at=None,
    )
    payments.pay_back_deposit(user, booking)
    notify_other_side(booking, booking.provider_id, "returned")
    return booking


def request_extension(user: User, booking: Booking, new_end: datetime) -> Booking:
    """The borrower asks to keep the units longer; the provider answers."""
    _authorise("extend", user, booking)
    if new_end <= booking.end_at:
        raise ValidationFailed({"end": [_("The new end must be after the current end.")]})
    problems = span_problems(
        booking.listing,
        get_rules(booking.listing_id),
        booking.start_at,
        new_end,
        now=min(utcnow(), booking.start_at),
    )
    if problems:
        raise ValidationFailed({"end": [m for ms in problems.values() for m in ms]})
    booking.extension_end_at = new_end
    booking.updated_at = utcnow()
    db.session.flush()
    notify_other_side(booking, booking.borrower_id, "extension_requested")
    return booking


def answer_extension(user: User, booking: Booking, accept: bool) -> Booking:
    """The provider accepts a longer booking when the units are free until the new end (409
    otherwise), or declines it."""
    _authorise("answer_extension", user, booking)
    if booking.extension_end_at is None:
        raise InvalidTransition(_("No longer booking was asked for."))
    if not accept:
        booking.extension_end_at = None
        db.session.flush()
        notify_other_side(booking, booking.provider_id, "extension_declined")
        return booking
    listing = _lock_listing(booking.listing_id)
    new_end = booking.extension_end_at
    if not units_free(listing, booking.start_at, new_end, booking.units, exclude_id=booking.id):
        raise Conflict(_("The units are not free until the new end."), code="not_available")
    rules = get_rules(listing.id)
    new_fee_local = fee_for(rules, booking.start_at, new_end, booking.units, local=True)
    payments.pay_extra_fee(user, booking, new_fee_local)
    result = db.session.execute(
        update(Booking)
        .where(Booking.id == booking.id, Booking.status.in_(("accepted", "active")))
        .values(
            end_at=new_end,
            extension_end_at=None,
            return_reminded_at=None,
            overdue_notified_at=None,
            fee_eur=fee_for(rules, booking.start_at, new_end, booking.units),
            fee_local=max(new_fee_local, booking.fee_local or Decimal(0)),
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.refresh(booking)
        raise InvalidTransition(_status_message(booking.status))
    db.session.refresh(booking)
    notify_other_side(booking, booking.provider_id, "extension_accepted")
    return booking
