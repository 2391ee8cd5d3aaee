"""Units held over time (pure: no Flask, no db).

The overlap test counts the peak over the span, not the sum: two bookings Mon-Tue and Wed-Thu on
a capacity of 1 are both fine; a third one Tue-Wed is not, because at some moment it would be
held together with one of them."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")
UTC = ZoneInfo("UTC")
#: Bookings and calendars lie within these years: beyond them a time zone shift or a buffer
#: would leave what `datetime` can hold.
FIRST_YEAR, LAST_YEAR = 2000, 2100


class OutOfCalendar(ValueError):
    """A time or day outside FIRST_YEAR..LAST_YEAR."""


def within_calendar(day: date) -> bool:
    return FIRST_YEAR <= day.year <= LAST_YEAR


def local_to_utc(value: datetime) -> datetime:
    """A time given by a person or a client (Berlin time when it has no offset) as naive UTC;
    OutOfCalendar when it lies outside the years bookings may use."""
    if not within_calendar(value):
        raise OutOfCalendar(value)
    return to_utc(value if value.tzinfo is not None else value.replace(tzinfo=BERLIN))


@dataclass(frozen=True)
class Held:
    """Units held from `start` to `end` (naive UTC, end exclusive)."""

    start: datetime
    end: datetime
    units: int


def peak_units(held: Iterable[Held], start: datetime, end: datetime) -> int:
    """The most units held at any one moment within [start, end)."""
    changes: list[tuple[datetime, int]] = []
    for span in held:
        lo, hi = max(span.start, start), min(span.end, end)
        if lo < hi:
            changes.append((lo, span.units))
            changes.append((hi, -span.units))
    # At the same instant releases come before takes: back-to-back spans do not overlap.
    changes.sort(key=lambda change: (change[0], change[1]))
    peak = current = 0
    for _moment, delta in changes:
        current += delta
        peak = max(peak, current)
    return peak


def widened(held: Iterable[Held], buffer: timedelta) -> list[Held]:
    """Each span with the buffer kept free before and after it."""
    if not buffer:
        return list(held)
    return [Held(span.start - buffer, span.end + buffer, span.units) for span in held]


def local(value: datetime, zone: tzinfo = BERLIN) -> datetime:
    """A naive UTC time as local wall-clock time (aware)."""
    return value.replace(tzinfo=UTC).astimezone(zone)


def to_utc(value: datetime) -> datetime:
    """An aware time as naive UTC (how times are stored)."""
    return value.astimezone(UTC).replace(tzinfo=None)


def day_start(day: date, zone: tzinfo = BERLIN) -> datetime:
    """The naive UTC time at which a local day begins."""
    return to_utc(datetime.combine(day, datetime.min.time(), zone))


def day_bounds(day: date, zone: tzinfo = BERLIN) -> tuple[datetime, datetime]:
    """The naive UTC start and end of a local day (23 or 25 hours long on DST days)."""
    return day_start(day, zone), day_start(day + timedelta(days=1), zone)


def free_units_by_day(
    capacity: int, held: list[Held], first: date, last: date, zone: tzinfo = BERLIN
) -> list[tuple[date, int]]:
    """(day, units free all day long) for each local day from first to last inclusive."""
    ordered = sorted(held, key=lambda span: span.start)
    count = (last - first).days + 1
    # A day ends where the next begins: one time zone conversion per day, not two.
    bounds = [day_start(first + timedelta(days=i), zone) for i in range(count + 1)]
    out = []
    for i in range(count):
        lo, hi = bounds[i], bounds[i + 1]
        touching = [span for span in ordered if span.start < hi and span.end > lo]
        free = capacity - peak_units(touching, lo, hi) if touching else capacity
        out.append((first + timedelta(days=i), max(0, free)))
    return out
