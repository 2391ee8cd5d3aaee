"""Reading and checking a lend/book offer's rules: length, lead time, buffer, opening hours,
closed dates, fee and deposit. Problems come back as field errors for forms and 422 answers."""

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from flask_babel import format_date
from flask_babel import gettext as _

from marketplace.bookings.models import BookingRules
from marketplace.bookings.spans import local
from marketplace.core.clock import utcnow
from marketplace.listings.models import Listing

#: No booking is longer than a year.
MAX_SPAN = timedelta(days=366)
#: A start a minute ago (a slow form, a clock) is "now", not the past.
GRACE = timedelta(minutes=5)
WEEKDAYS = tuple(str(day) for day in range(7))
_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$|^24:00$")


@dataclass(frozen=True)
class Rules:
    """A listing's rules with the defaults applied (an offer without rules allows any span)."""

    min_length: timedelta | None = None
    max_length: timedelta | None = None
    lead: timedelta | None = None
    buffer: timedelta = timedelta(0)
    opening_hours: dict[str, list[tuple[time, time]]] | None = None
    closed_dates: frozenset[date] = field(default_factory=frozenset)
    deposit_eur: Decimal = Decimal("0")
    fee_eur: Decimal = Decimal("0")
    fee_per: str = "booking"
    deposit_local: Decimal = Decimal("0")
    fee_local: Decimal = Decimal("0")


def _minutes(value: int | None) -> timedelta | None:
    return timedelta(minutes=value) if value else None


def parse_clock(text: str) -> time:
    """ "09:30" as a time; "24:00" as the end of the day (time.max)."""
    if not isinstance(text, str) or not _CLOCK.match(text.strip()):
        raise ValueError(text)
    text = text.strip()
    if text == "24:00":
        return time.max
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def rules_of(row: BookingRules | None) -> Rules:
    if row is None:
        return Rules()
    hours = None
    if row.opening_hours is not None:
        hours = {
            day: [(parse_clock(lo), parse_clock(hi)) for lo, hi in row.opening_hours.get(day, [])]
            for day in WEEKDAYS
        }
    return Rules(
        min_length=_minutes(row.min_minutes),
        max_length=_minutes(row.max_minutes),
        lead=_minutes(row.lead_minutes),
        buffer=_minutes(row.buffer_minutes) or timedelta(0),
        opening_hours=hours,
        closed_dates=frozenset(date.fromisoformat(day) for day in (row.closed_dates or [])),
        deposit_eur=row.deposit_eur or Decimal("0"),
        fee_eur=row.fee_eur or Decimal("0"),
        fee_per=row.fee_per or "booking",
        deposit_local=row.deposit_local or Decimal("0"),
        fee_local=row.fee_local or Decimal("0"),
    )


def _is_open_at(rules: Rules, moment: datetime, *, closing: bool) -> bool:
    """Whether a local moment lies within an opening window of its day (a window's closing time
    counts for an end, its opening time for a start)."""
    if moment.date() in rules.closed_dates:
        return False
    if rules.opening_hours is None:
        return True
    clock = moment.time().replace(tzinfo=None)
    for lo, hi in rules.opening_hours.get(str(moment.weekday()), []):
        if closing and lo < clock <= hi or not closing and lo <= clock < hi:
            return True
        if closing and hi == time.max and clock == time(0, 0):
            return True
    # An end at midnight closes the previous day: open until 24:00 then.
    if closing and clock == time(0, 0):
        previous = moment - timedelta(minutes=1)
        return previous.date() not in rules.closed_dates and any(
            hi == time.max for _lo, hi in rules.opening_hours.get(str(previous.weekday()), [])
        )
    return False


def _length_text(length: timedelta) -> str:
    hours = length.total_seconds() / 3600
    if hours >= 24 and hours % 24 == 0:
        days = int(hours // 24)
        return _("%(n)d day(s)", n=days)
    return _("%(n)s hour(s)", n=f"{hours:g}")


def span_problems(
    listing: Listing, rules: Rules, start: datetime, end: datetime, *, now: datetime | None = None
) -> dict[str, list[str]]:
    """What is wrong with booking [start, end) (naive UTC) under the listing's rules."""
    now = now or utcnow()
    problems: dict[str, list[str]] = {}

    def fail(name: str, message: str) -> None:
        problems.setdefault(name, []).append(message)

    if end <= start:
        fail("end", _("The end must be after the start."))
        return problems
    if start < now - GRACE:
        fail("start", _("The start lies in the past."))
    elif rules.lead and start < now + rules.lead - GRACE:
        fail(
            "start",
            _("Please book at least %(lead)s ahead.", lead=_length_text(rules.lead)),
        )
    length = end - start
    if length > MAX_SPAN:
        fail("end", _("A booking lasts at most a year."))
    if rules.min_length and length < rules.min_length:
        fail("end", _("At least %(length)s.", length=_length_text(rules.min_length)))
    if rules.max_length and length > rules.max_length:
        fail("end", _("At most %(length)s.", length=_length_text(rules.max_length)))
    start_local, end_local = local(start), local(end)
    if not _is_open_at(rules, start_local, closing=False):
        fail("start", _("Pick-up or start is only possible during the opening hours."))
    if not _is_open_at(rules, end_local, closing=True):
        fail("end", _("Return or end is only possible during the opening hours."))
    if listing.available_until is not None and start_local.date() > listing.available_until:
        fail(
            "start",
            _(
                "The offer is available until %(day)s.",
                day=format_date(listing.available_until, "medium"),
            ),
        )
    return problems


def fee_for(
    rules: Rules, start: datetime, end: datetime, units: int, *, local: bool = False
) -> Decimal:
    """The fee in EUR (or in the local currency) for units over the span: per booking, per
    started day or started hour."""
    price = rules.fee_local if local else rules.fee_eur
    if not price:
        return Decimal("0.00")
    hours = (end - start).total_seconds() / 3600
    count = {"booking": 1, "day": math.ceil(hours / 24), "hour": math.ceil(hours)}[rules.fee_per]
    return (price * count * units).quantize(Decimal("0.01"))
