"""Reads: bookings the caller may see, what a listing's capacity holds over time, availability."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select, union_all

from marketplace.auth.models import User
from marketplace.bookings import workflow
from marketplace.bookings.models import Booking, BookingRules
from marketplace.bookings.rules import Rules, rules_of
from marketplace.bookings.spans import (
    FIRST_YEAR,
    LAST_YEAR,
    Held,
    day_bounds,
    free_units_by_day,
    within_calendar,
)
from marketplace.bookings.workflow import BORROWER, PROVIDER
from marketplace.core.clock import today, utcnow
from marketplace.core.errors import NotFound, ValidationFailed
from marketplace.core.pagination import Page, PageRequest
from marketplace.extensions import db
from marketplace.listings.models import Listing

#: The availability answer covers at most this many days.
MAX_AVAILABILITY_DAYS = 366


def role_of(user: User | None, booking: Booking) -> str | None:
    """'provider' or 'borrower' when the user belongs to one of the two organisations."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if user.organisation_id == booking.provider_id:
        return PROVIDER
    if user.organisation_id == booking.borrower_id:
        return BORROWER
    return None


#: The steps that move a booking on, in the order a list offers them as its one button.
NEXT_STEPS = ("accept", "answer_extension", "checkout", "return")


def next_step(booking: Booking, user: User | None) -> str | None:
    """The one action a list offers as a button, or None (cancelling is never a next step)."""
    actions = workflow.allowed_actions(booking.status, role_of(user, booking))
    if "answer_extension" in actions and booking.extension_end_at is None:
        actions.remove("answer_extension")
    return next((action for action in NEXT_STEPS if action in actions), None)


def get_booking_for_user(booking_id: int, user: User | None) -> Booking:
    """The booking when the user is a party or a coordinator; NotFound otherwise (a stranger
    does not learn that it exists)."""
    booking = db.session.get(Booking, booking_id)
    if booking is None:
        raise NotFound()
    if role_of(user, booking) is None and not getattr(user, "is_coordinator", False):
        raise NotFound()
    return booking


def get_rules(listing_id: int) -> Rules:
    return rules_of(db.session.get(BookingRules, listing_id))


def get_rules_row(listing_id: int) -> BookingRules | None:
    return db.session.get(BookingRules, listing_id)


def held_spans(
    listing_id: int,
    start: datetime,
    end: datetime,
    *,
    exclude_id: int | None = None,
    now: datetime | None = None,
) -> list[Held]:
    """Accepted and active bookings of the listing touching [start, end). An active booking past
    its end still holds its units until it is returned (the thing is not back yet)."""
    now = now or utcnow()
    # One statement of two index range scans (listing, status, start): accepted ones that end
    # after `start`, and every active one (held until returned); an OR would read past the index.
    scope = [Booking.listing_id == listing_id, Booking.start_at < end]
    if exclude_id is not None:
        scope.append(Booking.id != exclude_id)
    columns = (Booking.start_at, Booking.end_at, Booking.units, Booking.status)
    rows = db.session.execute(
        union_all(
            select(*columns).where(*scope, Booking.status == "accepted", Booking.end_at > start),
            select(*columns).where(*scope, Booking.status == "active"),
        )
    ).all()
    spans = []
    for row in rows:
        row_end = max(row.end_at, now) if row.status == "active" else row.end_at
        if row_end > start:
            spans.append(Held(row.start_at, row_end, row.units))
    return spans


@dataclass
class Availability:
    capacity: int
    days: list[tuple[date, int]]
    booked: list[Held]


def _out_of_calendar() -> str:
    return _("Choose a day between %(first)d and %(last)d.", first=FIRST_YEAR, last=LAST_YEAR)


def parse_day_range(start_text: str | None, end_text: str | None) -> tuple[date, date]:
    """`from` and `to` as dates (default: today and 30 days later); 422 when malformed, reversed or
    more than a year apart."""
    problems: dict[str, list[str]] = {}
    days = {}
    for name, text, default in (
        ("from", start_text, today()),
        ("to", end_text, None),
    ):
        if text in (None, ""):
            days[name] = default
            continue
        try:
            days[name] = date.fromisoformat(text.strip())
        except (ValueError, AttributeError):
            problems[name] = [_("Must be a date (YYYY-MM-DD).")]
    if problems:
        raise ValidationFailed(problems)
    first = days["from"]
    if not within_calendar(first):
        raise ValidationFailed({"from": [_out_of_calendar()]})
    last = days["to"] or first + timedelta(days=30)
    if not within_calendar(last):
        raise ValidationFailed({"to": [_out_of_calendar()]})
    if last < first:
        raise ValidationFailed({"to": [_("Must not be before from.")]})
    if (last - first).days >= MAX_AVAILABILITY_DAYS:
        raise ValidationFailed({"to": [_("At most %(n)d days at once.", n=MAX_AVAILABILITY_DAYS)]})
    return first, last


def availability(listing: Listing, first: date, last: date) -> Availability:
    """Units free on each local day from first to last, and the spans that hold units (no names)."""
    lo, _unused = day_bounds(first)
    _unused, hi = day_bounds(last)
    held = sorted(held_spans(listing.id, lo, hi), key=lambda span: (span.start, span.end))
    capacity = listing.capacity if listing.is_shared else 0
    return Availability(capacity, free_units_by_day(capacity, held, first, last), held)


def list_bookings_of_organisation(
    org_id: int,
    page: PageRequest,
    *,
    role: str | None = None,
    status: str | None = None,
) -> Page:
    """An organisation's bookings as provider and/or borrower, the soonest start first."""
    if role == PROVIDER:
        condition = Booking.provider_id == org_id
    elif role == BORROWER:
        condition = Booking.borrower_id == org_id
    else:
        condition = or_(Booking.provider_id == org_id, Booking.borrower_id == org_id)
    if status:
        condition = and_(condition, Booking.status == status)
    total = db.session.execute(select(func.count(Booking.id)).where(condition)).scalar_one()
    items = list(
        db.session.execute(
            select(Booking)
            .where(condition)
            .order_by(Booking.start_at.desc(), Booking.id.desc())
            .offset(page.offset)
            .limit(page.per_page)
        )
        .unique()
        .scalars()
    )
    return Page(items=items, total=int(total), page=page.page, per_page=page.per_page)


def list_bookings_of_listing(listing_id: int, first: datetime, last: datetime) -> list[Booking]:
    """Every booking of a listing touching [first, last), for its provider's calendar."""
    return list(
        db.session.execute(
            select(Booking)
            .where(
                Booking.listing_id == listing_id,
                Booking.start_at < last,
                Booking.end_at > first,
            )
            .order_by(Booking.start_at, Booking.id)
        )
        .unique()
        .scalars()
    )


def waiting_bookings_count_select(org_id: int):
    return select(func.count(Booking.id)).where(
        Booking.provider_id == org_id, Booking.status == "requested"
    )


def count_waiting_bookings(org_id: int) -> int:
    """Requests waiting for the provider's answer (for the header's badge and the start page)."""
    return int(db.session.execute(waiting_bookings_count_select(org_id)).scalar_one())
