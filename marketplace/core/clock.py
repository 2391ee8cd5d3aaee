"""Time in one convention: stored as naive UTC, shown in Europe/Berlin, sent with an offset."""

from datetime import UTC, date, datetime


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def today() -> date:
    """Today's date in the region the marketplace serves (listings expire by local date)."""
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo("Europe/Berlin")).date()


def as_aware(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def local_month(value: datetime | None) -> str | None:
    """The Europe/Berlin month ("YYYY-MM") of a naive UTC timestamp."""
    from zoneinfo import ZoneInfo

    if value is None:
        return None
    return as_aware(value).astimezone(ZoneInfo("Europe/Berlin")).strftime("%Y-%m")


def local_day_start_utc(day: date) -> datetime:
    """Naive UTC of midnight in Europe/Berlin at the start of `day` (for date filters)."""
    from zoneinfo import ZoneInfo

    start = datetime(day.year, day.month, day.day, tzinfo=ZoneInfo("Europe/Berlin"))
    return start.astimezone(UTC).replace(tzinfo=None)
