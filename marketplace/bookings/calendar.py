"""The month view of a lend/book offer: weeks from Monday, each day with its free units and the
booked spans in local time. `month_grid` is pure; `listing_month` reads once (the availability
query) and hands the rows to it."""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo

from marketplace.bookings.queries import availability
from marketplace.bookings.spans import BERLIN, Held, day_bounds, free_units_by_day, local
from marketplace.core.clock import today as local_today
from marketplace.listings.models import Listing

MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")
#: How far the calendar can be paged from today, in months (enough for a year's planning).
MONTHS_BACK = 12
MONTHS_AHEAD = 24


@dataclass(frozen=True)
class DaySpan:
    """A booked span clipped to one local day: wall-clock "HH:MM" (the end may be "24:00")."""

    start: str
    end: str
    units: int


@dataclass
class CalendarDay:
    day: date
    free_units: int
    spans: list[DaySpan] = field(default_factory=list)
    past: bool = False
    today: bool = False

    @property
    def booked(self) -> bool:
        return bool(self.spans)


@dataclass
class MonthGrid:
    first: date
    capacity: int
    #: Weeks Monday to Sunday; None for days of the neighbouring months.
    weeks: list[list[CalendarDay | None]]
    previous: str | None
    next: str | None

    @property
    def key(self) -> str:
        return month_key(self.first)


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _shift(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def parse_month(text: str | None, today: date) -> date:
    """The first day of `YYYY-MM`, kept within the pageable range; this month when missing or
    malformed."""
    this_month = today.replace(day=1)
    match = MONTH_PATTERN.match((text or "").strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        return this_month
    first = date(int(match.group(1)), int(match.group(2)), 1)
    return min(max(first, _shift(this_month, -MONTHS_BACK)), _shift(this_month, MONTHS_AHEAD))


def month_range(first: date) -> tuple[date, date]:
    """The first and last day of the month starting on `first`."""
    return first, _shift(first, 1) - timedelta(days=1)


def _clock(moment: datetime, day: date) -> str:
    """Wall-clock time within `day`; the following midnight is "24:00"."""
    if moment.date() > day:
        return "24:00"
    return moment.strftime("%H:%M")


def day_spans(
    held: list[Held],
    day: date,
    zone: tzinfo = BERLIN,
    bounds: tuple[datetime, datetime] | None = None,
) -> list[DaySpan]:
    """The spans touching a local day, clipped to it, in local wall-clock time (`bounds`: the
    day's naive UTC start and end, when already known)."""
    lo, hi = bounds or day_bounds(day, zone)
    out = []
    for span in held:
        if span.start < hi and span.end > lo:
            start = local(max(span.start, lo), zone)
            end = local(min(span.end, hi), zone)
            out.append(DaySpan(_clock(start, day), _clock(end, day), span.units))
    return out


def month_grid(
    first: date,
    capacity: int,
    held: list[Held],
    today: date,
    *,
    free_days: list[tuple[date, int]] | None = None,
    zone: tzinfo = BERLIN,
) -> MonthGrid:
    """The weeks of the month starting on `first` (Monday first). `held` are the holding spans
    (naive UTC, sorted by start); `free_days` the units free all day, computed when not given."""
    _first, last = month_range(first)
    if free_days is None:
        free_days = free_units_by_day(capacity, held, first, last, zone)
    free = dict(free_days)
    weeks: list[list[CalendarDay | None]] = []
    week: list[CalendarDay | None] = [None] * first.weekday()
    day = first
    while day <= last:
        bounds = day_bounds(day, zone)
        week.append(
            CalendarDay(
                day=day,
                free_units=free.get(day, capacity),
                spans=day_spans(held, day, zone, bounds),
                past=day < today,
                today=day == today,
            )
        )
        if len(week) == 7:
            weeks.append(week)
            week = []
        day += timedelta(days=1)
    if week:
        weeks.append(week + [None] * (7 - len(week)))
    this_month = today.replace(day=1)
    previous, following = _shift(first, -1), _shift(first, 1)
    return MonthGrid(
        first=first,
        capacity=capacity,
        weeks=weeks,
        previous=month_key(previous) if previous >= _shift(this_month, -MONTHS_BACK) else None,
        next=month_key(following) if following <= _shift(this_month, MONTHS_AHEAD) else None,
    )


def listing_month(listing: Listing, month_text: str | None) -> MonthGrid:
    """The month view of a listing (`?month=YYYY-MM`): one query, the availability's."""
    today = local_today()
    first, last = month_range(parse_month(month_text, today))
    found = availability(listing, first, last)
    return month_grid(first, found.capacity, found.booked, today, free_days=found.days)
