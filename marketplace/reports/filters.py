"""Report filters: parsed from query arguments, validated, and narrowed to what the caller may see."""

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from marketplace.categories.queries import get_category_by_slug
from marketplace.core.errors import PermissionDenied, ValidationFailed
from marketplace.orgs.models import ORGANISATION_KINDS

REGION_TZ = ZoneInfo("Europe/Berlin")
SIDES = ("given", "received")
FACTOR_MODES = ("recorded", "current")
#: Dates outside these years are refused: no exchange happened before, none will after.
MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_DISTRICT_LENGTH = 120
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_INT = re.compile(r"\d{1,10}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class ReportFilters:
    """What a report covers; every field optional (all time, the whole region)."""

    date_from: date | None = None  # inclusive, on completed_at as a Europe/Berlin date
    date_to: date | None = None  # inclusive
    category: str | None = None  # category slug; a parent slug includes its children
    district: str | None = None  # the offer's district (where the material came from)
    organisation_id: int | None = None  # exchanges where the org is provider OR receiver
    side: str | None = None  # None | "given" | "received"; only with organisation_id
    organisation_kind: str | None = None  # the provider's organisation kind
    factors: str = "recorded"  # "recorded" (on each exchange) | "current" (categories' factors now)

    def as_args(self) -> dict[str, str]:
        """The query arguments that parse back into these filters (for links and exports)."""
        values = {
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
            "category": self.category,
            "district": self.district,
            "organisation_id": str(self.organisation_id) if self.organisation_id else None,
            "side": self.side,
            "organisation_kind": self.organisation_kind,
            "factors": self.factors if self.factors != "recorded" else None,
        }
        return {name: value for name, value in values.items() if value}


def parse_report_filters(args: Mapping[str, str]) -> ReportFilters:
    """Filters from query arguments (from, to, category, district, organisation_id, side,
    organisation_kind, factors); raises ValidationFailed({field: [message]}) for bad values."""
    problems: dict[str, list[str]] = {}

    def value(name: str) -> str | None:
        raw = args.get(name)
        if raw is None or not isinstance(raw, str):
            return None
        raw = raw.strip()
        if _CONTROL.search(raw):
            problems[name] = [_("Control characters are not allowed.")]
            return None
        return raw or None

    date_from = _parse_date(value("from"), "from", problems)
    date_to = _parse_date(value("to"), "to", problems)
    if date_from and date_to and date_from > date_to:
        problems["to"] = [_("The end of the period must not be before its start.")]

    category = value("category")
    if category is not None and get_category_by_slug(category[:60]) is None:
        problems["category"] = [_("Unknown category.")]
    district = value("district")
    if district is not None and len(district) > MAX_DISTRICT_LENGTH:
        problems["district"] = [_("At most %(n)d characters.", n=MAX_DISTRICT_LENGTH)]

    organisation_id = None
    raw_org = value("organisation_id")
    if raw_org is not None:
        if _INT.fullmatch(raw_org) and 0 < int(raw_org) < 2**31:
            organisation_id = int(raw_org)
        else:
            problems["organisation_id"] = [_("Not a valid organisation number.")]
    side = value("side")
    if side is not None and side not in SIDES:
        problems["side"] = [_("Choose given or received.")]
    kind = value("organisation_kind")
    if kind is not None and kind not in ORGANISATION_KINDS:
        problems["organisation_kind"] = [_("Unknown kind of organisation.")]
    factors = value("factors") or "recorded"
    if factors not in FACTOR_MODES:
        problems["factors"] = [_("Choose recorded or current.")]

    if problems:
        raise ValidationFailed(problems)
    return ReportFilters(
        date_from=date_from,
        date_to=date_to,
        category=category,
        district=district,
        organisation_id=organisation_id,
        side=side,
        organisation_kind=kind,
        factors=factors,
    )


def _parse_date(raw: str | None, name: str, problems: dict[str, list[str]]) -> date | None:
    if raw is None:
        return None
    try:
        if not _DATE.fullmatch(raw):
            raise ValueError(raw)
        parsed = date.fromisoformat(raw)
    except ValueError:
        problems[name] = [_("Enter a date as YYYY-MM-DD.")]
        return None
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        problems[name] = [_("Enter a date between %(a)d and %(b)d.", a=MIN_YEAR, b=MAX_YEAR)]
        return None
    return parsed


def authorise_report_filters(user, filters: ReportFilters) -> ReportFilters:
    """Coordinators and admins see everything; a member sees only their own organisation
    (implied when none is asked for; another one is 403); anonymous callers see nothing."""
    if user is None or not getattr(user, "is_authenticated", False):
        raise PermissionDenied(_("Please sign in to see reports."))
    if user.is_coordinator:
        return filters
    if filters.organisation_id is None:
        return replace(filters, organisation_id=user.organisation_id)
    if filters.organisation_id != user.organisation_id:
        raise PermissionDenied(_("You may only see your own organisation's figures."))
    return filters


def local_day_start_utc(day: date) -> datetime:
    """The naive UTC instant at which `day` begins in Europe/Berlin (completed_at is naive UTC)."""
    local = datetime.combine(day, time.min, tzinfo=REGION_TZ)
    return local.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def utc_bounds(filters: ReportFilters) -> tuple[datetime | None, datetime | None]:
    """[start, end) in naive UTC for the filters' local dates (end exclusive)."""
    start = local_day_start_utc(filters.date_from) if filters.date_from else None
    end = local_day_start_utc(filters.date_to + timedelta(days=1)) if filters.date_to else None
    return start, end
