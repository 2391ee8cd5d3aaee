"""The coordinator dashboard's reading of a request: filters with their errors, the choices of the
filter form, quick periods, the optional displacement rate, and the data its charts are drawn from."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from marketplace.auth.access import require_coordinator
from marketplace.categories.queries import grouped_categories
from marketplace.core.errors import ValidationFailed
from marketplace.core.numbers import NotANumber, parse_decimal
from marketplace.extensions import db
from marketplace.listings.models import Listing
from marketplace.orgs.models import ORGANISATION_KINDS
from marketplace.reports.cache import cached
from marketplace.reports.filters import ReportFilters, parse_report_filters
from marketplace.reports.queries import Breakdown, Summary

#: Query arguments the filter form and the exports share (parse_report_filters reads them).
FILTER_ARGS = (
    "from",
    "to",
    "category",
    "district",
    "organisation_id",
    "side",
    "organisation_kind",
    "factors",
)
FACTOR_MODE_LABELS = {
    "recorded": _l("as recorded at each hand-over"),
    "current": _l("recomputed with the current factors"),
}
#: Longest breakdown a chart shows; the table below it always lists every row.
CHART_ROWS = 12


@dataclass
class ReportRequest:
    """The filters asked for (None when invalid), the problems per field and the raw values to
    echo into the form."""

    filters: ReportFilters | None
    errors: dict[str, list[str]] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)
    displacement: Decimal | None = None  # share of reuse that replaces a new purchase, 0..1


def require_report_reader(user) -> None:
    """Reports of the whole region are for coordinators and admins only."""
    require_coordinator(user, _("Reports are for coordinators of the network."))


def read_report_request(args: Mapping[str, str], only: tuple[str, ...] = FILTER_ARGS):
    """Parse the filters among `args` (only the names in `only`) and the displacement rate."""
    values = {}
    for name in (*only, "displacement"):
        raw = args.get(name)
        if isinstance(raw, str) and raw.strip():
            values[name] = raw.strip()[:200]
    errors: dict[str, list[str]] = {}
    try:
        filters = parse_report_filters({k: v for k, v in values.items() if k in only})
    except ValidationFailed as error:
        filters, errors = None, dict(error.fields)
    displacement = _parse_rate(values.get("displacement"), errors)
    return ReportRequest(filters, errors, values, displacement)


def _parse_rate(raw: str | None, errors: dict[str, list[str]]) -> Decimal | None:
    """A percentage from 0 to 100 ("60", "60 %", "60,5") as a rate from 0 to 1."""
    if raw is None:
        return None
    text = raw.replace("%", "").strip()
    try:
        percent = parse_decimal(text) if len(text) <= 12 else None
    except NotANumber:
        percent = None
    if percent is None or not 0 <= percent <= 100:
        errors["displacement"] = [_("Enter a percentage from 0 to 100.")]
        return None
    return (percent / 100).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def displaced(value: Decimal, rate: Decimal | None) -> Decimal | None:
    """kg CO2e avoided after the displacement rate (None when no rate is set)."""
    if rate is None:
        return None
    return (value * rate).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class QuickPeriod:
    label: str
    date_from: date | None
    date_to: date | None
    #: What the period covers, said on the page (a tooltip and the link's accessible name).
    explanation: str = ""


def quick_periods(today: date) -> list[QuickPeriod]:
    """This year, the last 12 months and all time, distinct on every day of the year.

    "Last 12 months" is the 12 full months before the current one plus this month so far: it
    always begins in the previous year, so it never equals "this year" (which a start 11 months
    back did all December), and every month in it is a whole calendar month but the current."""
    return [
        QuickPeriod(_("This year"), date(today.year, 1, 1), today, _("since 1 January")),
        QuickPeriod(
            _("Last 12 months"),
            first_of_month_before(today, 12),
            today,
            _("the 12 full months before this one, plus this month so far"),
        ),
        QuickPeriod(_("All time"), None, None, _("every hand-over ever recorded")),
    ]


def first_of_month_before(day: date, months: int) -> date:
    """The first day of the month `months` months before `day`'s month."""
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def period_args(values: dict[str, str], period: QuickPeriod) -> dict[str, str]:
    """The current arguments with the period replaced by a quick pick."""
    args = {k: v for k, v in values.items() if k not in ("from", "to")}
    if period.date_from:
        args["from"] = period.date_from.isoformat()
    if period.date_to:
        args["to"] = period.date_to.isoformat()
    return args


@dataclass
class FilterChoices:
    categories: dict  # resource type -> [CategoryGroup]
    districts: list[str]
    kinds: list[tuple[str, str]]
    factor_modes: list[tuple[str, str]]


def list_offer_districts() -> list[str]:
    """Districts that offers came from (the district filter reads the offer's district)."""
    rows = db.session.execute(
        select(Listing.district)
        .where(Listing.kind == "offer", Listing.district.is_not(None), Listing.district != "")
        .distinct()
        .order_by(Listing.district)
    ).scalars()
    return list(rows)


def _offer_districts(_filters) -> list[str]:
    return list_offer_districts()


def filter_choices() -> FilterChoices:
    return FilterChoices(
        categories=grouped_categories(),
        districts=cached(None, _offer_districts),
        kinds=[(key, str(label)) for key, label in ORGANISATION_KINDS.items()],
        factor_modes=[(key, str(label)) for key, label in FACTOR_MODE_LABELS.items()],
    )


def month_label(key: str) -> str:
    """ "2026-03" as "Mar 2026" / "März 2026" (the key itself when it is not a month)."""
    return _month_label(key, str(get_locale()))


@lru_cache(maxsize=1024)
def _month_label(key: str, _locale: str) -> str:
    """Keyed by the locale that format_date reads (a page shows each month several times)."""
    try:
        year, month = (int(part) for part in key.split("-"))
        return format_date(date(year, month, 1), "MMM y")
    except (ValueError, TypeError):
        return key


def _series(rows: list[Breakdown], limit: int | None = CHART_ROWS, months: bool = False) -> dict:
    rows = rows if limit is None else rows[:limit]
    return {
        "labels": [month_label(row.key) if months else row.label for row in rows],
        "mass_kg": [float(row.mass_kg) for row in rows],
        "co2e_kg": [float(row.co2e_avoided_kg) for row in rows],
        "exchanges": [row.exchanges for row in rows],
    }


def chart_data(summary: Summary, with_organisations: bool = True) -> dict:
    """What static/js/reports-charts.js draws (floats only for drawing; tables show Decimals)."""
    data = {
        "labels": {
            "mass_kg": _("kg reused"),
            "co2e_kg": _("kg CO2e avoided"),
            "exchanges": _("Exchanges"),
            "listings": _("Listings"),
        },
        "by_month": _series(summary.by_month, None, months=True),
        "by_category": _series(summary.by_category),
        "by_district": _series(summary.by_district),
        "by_organisation_kind": _series(summary.by_organisation_kind),
        "value_lost_by_category": _series(summary.value_lost.by_category),
    }
    if with_organisations:
        data["by_organisation"] = _series(summary.by_organisation)
    return data


def share(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """part / whole as a percentage with one decimal; None when whole is zero."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
