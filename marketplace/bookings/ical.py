"""iCal (RFC 5545) calendars of bookings: one event per booking, times in UTC, no person's name
or e-mail anywhere (only the offer's title, units and organisations)."""

from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from flask_babel import gettext as _
from icalendar import Calendar, Event

from marketplace.bookings.models import Booking

PRODID = "-//Stoffwechsel//Bookings//DE"
#: How a booking's status shows in a calendar; statuses left out are not in the feed.
EVENT_STATUS = {
    "accepted": "CONFIRMED",
    "active": "CONFIRMED",
    "returned": "CONFIRMED",
    "cancelled": "CANCELLED",
    # Only the organisation's own feed lists requests still awaiting an answer.
    "requested": "TENTATIVE",
}


def _utc(value: datetime) -> datetime:
    """A stored naive UTC time as an aware one (icalendar writes it with a trailing Z)."""
    return value.replace(tzinfo=UTC)


def event_uid(booking: Booking, host: str) -> str:
    """Stable per booking: calendar clients update the event instead of adding a second one."""
    return f"booking-{booking.id}@{host}"


def summary_of(booking: Booking, organisation_id: int | None = None) -> str:
    """The offer's title and units; seen from one organisation, also the other one's name."""
    title = booking.listing.title
    if organisation_id == booking.provider_id:
        return _(
            "%(title)s (%(units)d×) for %(org)s",
            title=title,
            units=booking.units,
            org=booking.borrower.name,
        )
    if organisation_id == booking.borrower_id:
        return _(
            "%(title)s (%(units)d×) from %(org)s",
            title=title,
            units=booking.units,
            org=booking.provider.name,
        )
    return _("%(title)s (%(units)d×)", title=title, units=booking.units)


def build_calendar(
    name: str,
    bookings: Iterable[Booking],
    *,
    host: str,
    booking_url: Callable[[Booking], str],
    organisation_id: int | None = None,
) -> bytes:
    """The calendar as bytes; `organisation_id` is the feed's organisation (None: a listing's)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    for booking in bookings:
        status = EVENT_STATUS.get(booking.status)
        if status is None:
            continue
        event = Event()
        event.add("uid", event_uid(booking, host))
        event.add("dtstart", _utc(booking.start_at))
        event.add("dtend", _utc(booking.end_at))
        event.add("summary", summary_of(booking, organisation_id))
        event.add("status", status)
        event.add("url", booking_url(booking))
        changed = _utc(booking.updated_at or booking.created_at)
        # Without a METHOD, DTSTAMP is when the event's information was last revised.
        event.add("dtstamp", changed)
        event.add("last-modified", changed)
        event.add("created", _utc(booking.created_at))
        event.add("transp", "TRANSPARENT" if status == "CANCELLED" else "OPAQUE")
        calendar.add_component(event)
    return calendar.to_ical()
