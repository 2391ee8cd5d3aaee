"""SQL building blocks of the reports: the completed exchanges a set of filters covers, the figures
of each (as recorded or with current factors), and the Europe/Berlin month of completion."""

from datetime import date
from decimal import Decimal

from sqlalchemy import Numeric, func, literal, or_, select, type_coerce
from sqlalchemy.orm import aliased
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import UnaryExpression

import marketplace.auth.models  # noqa: F401 - every mapper known before aliasing below
from marketplace.categories.models import Category
from marketplace.categories.queries import category_ids_with_descendants, get_category_by_slug
from marketplace.exchanges.models import Exchange
from marketplace.extensions import db
from marketplace.listings.models import Listing
from marketplace.orgs.models import Organisation
from marketplace.reports.filters import ReportFilters, utc_bounds

KG = Numeric(20, 3)
EUR = Numeric(20, 2)

Offer = aliased(Listing, name="offer")
Provider = aliased(Organisation, name="provider")
Receiver = aliased(Organisation, name="receiver")
CurrentCategory = aliased(Category, name="current_category")
_DistrictOffer = aliased(Listing, name="district_offer")


def _district_offers(district: str):
    return select(_DistrictOffer.id).where(_DistrictOffer.district == district).correlate(None)


def category_ids(slug: str | None) -> list[int] | None:
    """The ids a category filter covers (a parent includes its children); None for no filter."""
    if not slug:
        return None
    category = get_category_by_slug(slug)
    return [-1] if category is None else category_ids_with_descendants(category)


def exchange_conditions(filters: ReportFilters, *, plan: str = "rows") -> list:
    """WHERE clauses over Exchange, Offer and Provider for the filters (completed exchanges only);
    see scoped() for `plan`."""
    start, end = utc_bounds(filters)
    status, completed_at = Exchange.status, Exchange.completed_at
    if db.engine.dialect.name == "sqlite" and filters.organisation_id is None:
        # An expression (status || '', + completed_at) is in no index: SQLite then reads the
        # table, or picks the report index over (status, completed_at) for a period.
        if plan == "table" or (plan == "months" and filters.district):
            # (The month index would be read whole for a district; its offers are fewer.)
            status = status.concat("")
        elif plan in ("months", "offers"):
            completed_at = UnaryExpression(
                completed_at, operator=operators.custom_op("+"), type_=completed_at.type
            )
    # Completed exchanges always have completed_at and completed_month; testing either here
    # would make the database read the table instead of the report indexes.
    clauses = [status == "completed"]
    if start is not None:
        clauses.append(completed_at >= start)
    if end is not None:
        clauses.append(completed_at < end)
    if plan == "months":
        # Redundant with the period, but lets ix_exchanges_report_month narrow down by month.
        if filters.date_from is not None:
            clauses.append(Exchange.completed_month >= filters.date_from.strftime("%Y-%m"))
        if filters.date_to is not None:
            clauses.append(Exchange.completed_month <= filters.date_to.strftime("%Y-%m"))
    ids = category_ids(filters.category)
    if ids is not None:
        clauses.append(Exchange.category_id.in_(ids))
    if filters.district:
        # As "the offer is one of the district's": the database then finds the district's
        # offers first and their exchanges by offer (a tenth of the rows here), instead of
        # looking up the offer of every exchange.
        clauses.append(Exchange.offer_id.in_(_district_offers(filters.district)))
    if filters.organisation_id is not None:
        org = filters.organisation_id
        if filters.side == "given":
            clauses.append(Exchange.provider_id == org)
        elif filters.side == "received":
            clauses.append(Exchange.receiver_id == org)
        else:
            clauses.append(or_(Exchange.provider_id == org, Exchange.receiver_id == org))
    if filters.organisation_kind:
        clauses.append(Provider.kind == filters.organisation_kind)
    return clauses


def scoped(
    stmt,
    filters: ReportFilters,
    *,
    offer: bool = False,
    provider: bool = False,
    plan: str = "rows",
):
    """Add the joins the filters (or the caller's columns) need, and the filters' conditions.
    plan (a hint for SQLite, whose planner has no statistics here): "months" and "offers" for
    the breakdowns that ix_exchanges_report_month and ix_exchanges_report_offer cover, "table"
    for statements that need most columns of most rows (reading the table is faster than
    fetching each row through an index), "rows" otherwise."""
    if offer:
        stmt = stmt.join(Offer, Offer.id == Exchange.offer_id)
    if provider or filters.organisation_kind:
        stmt = stmt.join(Provider, Provider.id == Exchange.provider_id)
    if filters.factors == "current":
        stmt = stmt.outerjoin(CurrentCategory, CurrentCategory.id == Exchange.category_id)
    return stmt.where(*exchange_conditions(filters, plan=plan))


def co2e_expr(filters: ReportFilters):
    """kg CO2e avoided of one exchange: as recorded, or mass x the category's factor now."""
    if filters.factors == "current":
        return type_coerce(func.round(Exchange.mass_kg * CurrentCategory.co2e_factor, 3), KG)
    return Exchange.co2e_avoided_kg


def factor_basis_expr(filters: ReportFilters):
    return CurrentCategory.factor_basis if filters.factors == "current" else Exchange.factor_basis


def factor_source_expr(filters: ReportFilters):
    return CurrentCategory.factor_source if filters.factors == "current" else Exchange.factor_source


def kg_sum(expr):
    return type_coerce(func.coalesce(func.sum(expr), literal(0)), KG)


def metric_columns(filters: ReportFilters) -> list:
    """count, kg and kg CO2e: the three figures every breakdown row carries."""
    return [
        func.count().label("n"),
        kg_sum(Exchange.mass_kg).label("mass"),
        kg_sum(co2e_expr(filters)).label("co2e"),
    ]


def as_kg(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.001"))


def as_eur(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


# -- months --------------------------------------------------------------------------------------


def month_bucket_columns() -> list:
    """Columns to GROUP BY that fix the Europe/Berlin month of completion (stored with each
    exchange at completion, so that the report indexes deliver the groups in order)."""
    return [Exchange.completed_month.label("month")]


def month_of_bucket(row) -> str:
    """The local month ("YYYY-MM") of a row of month_bucket_columns()."""
    return row.month


def months_between(first: date, last: date) -> list[str]:
    """Every "YYYY-MM" from first's month to last's, both included."""
    months, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def period_months(filters: ReportFilters, present: set[str]) -> list[str]:
    """The months by_month lists, with zeros: the period's, or from the first to the last month
    with exchanges where the period is open (a period far wider than the data is not padded)."""
    first, last = (min(present), max(present)) if present else (None, None)
    start = _month(filters.date_from) or first
    end = _month(filters.date_to) or last
    if start is None or end is None:
        return sorted(present)
    if filters.date_from and filters.date_to and int(end[:4]) - int(start[:4]) > 20 and present:
        start, end = max(start, first), min(end, last)
    return months_between(date.fromisoformat(start + "-01"), date.fromisoformat(end + "-01"))


def _month(day: date | None) -> str | None:
    return day.strftime("%Y-%m") if day else None
