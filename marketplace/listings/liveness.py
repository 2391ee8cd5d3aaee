"""The live/expired rule, once: a listing that is open or reserved is live until the day after
its available_until; past that it counts as expired even before the expiry sweep writes it.

The Python checks, the SQL conditions and the search filters (search/engine.py, which reads day
numbers, and the PostgreSQL backend's OVERDUE text) all follow LIVE_STATUSES and is_past_due."""

from datetime import date

from sqlalchemy import and_, or_
from sqlalchemy.sql.elements import ColumnElement

from marketplace.core.clock import today
from marketplace.listings.models import LIVE_STATUSES, Listing

EXPIRED = "expired"


def is_past_due(available_until: date | None, on: date) -> bool:
    """A date that has passed: the listing was available until the day before `on` at most."""
    return available_until is not None and available_until < on


def status_on(status: str, available_until: date | None, on: date | None = None) -> str:
    """The status as users must see it: a live listing whose date has passed is expired already,
    even if the sweep has not written that yet."""
    if status in LIVE_STATUSES and is_past_due(available_until, on or today()):
        return EXPIRED
    return status


def effective_status(listing: Listing, on: date | None = None) -> str:
    return status_on(listing.status, listing.available_until, on)


def past_due(on: date, entity=Listing) -> ColumnElement[bool]:
    """SQL form of is_past_due (`entity`: Listing or an alias of it)."""
    return and_(entity.available_until.is_not(None), entity.available_until < on)


def overdue(on: date, entity=Listing) -> ColumnElement[bool]:
    """SQL: live by its stored status but past its date (what the expiry sweep writes)."""
    return and_(entity.status.in_(LIVE_STATUSES), past_due(on, entity))


def effective_status_is(status: str, on: date | None = None, entity=Listing) -> ColumnElement[bool]:
    """SQL condition matching listings whose effective status is `status`."""
    on = on or today()
    if status in LIVE_STATUSES:
        return and_(entity.status == status, ~past_due(on, entity))
    if status == EXPIRED:
        return or_(entity.status == EXPIRED, overdue(on, entity))
    return entity.status == status


def open_with_quantity_left(on: date, entity=Listing) -> ColumnElement[bool]:
    """SQL: effectively open and something left to give or to receive (what matching pairs)."""
    return and_(effective_status_is("open", on, entity), entity.quantity_remaining > 0)
