"""Value lost ("Werteverluste"): what offers that expired or were withdrawn still had left.

An offer counts in the period in which it left the market: its ended_at (Europe/Berlin date) when
withdrawn or expired by the sweep; an open or reserved offer whose available-until date has passed
(the sweep has not run yet) counts as expired on that date. Its remainder is converted to kg like a
hand-over (listings/mass.py: kg, t x 1000, else x the listing's or the category's weight per unit;
space and time have no mass) and to kg CO2e with the category's current factor."""

from datetime import UTC

from sqlalchemy import and_, func, literal, or_, select, type_coerce

from marketplace.categories.models import Category
from marketplace.core.clock import today
from marketplace.core.i18n import current_language
from marketplace.extensions import db
from marketplace.listings.liveness import past_due
from marketplace.listings.mass import mass_sql
from marketplace.listings.models import LIVE_STATUSES, Listing
from marketplace.orgs.models import Organisation
from marketplace.reports.figures import Breakdown, LostListing, ValueLost
from marketplace.reports.filters import REGION_TZ, ReportFilters, utc_bounds
from marketplace.reports.labels import district_label
from marketplace.reports.scope import KG, as_kg, category_ids, kg_sum

ENDED_STATUSES = ("expired", "withdrawn")


def _mass_expr():
    return type_coerce(func.round(mass_sql(Listing.quantity_remaining), 3), KG)


def _co2e_expr():
    return type_coerce(func.round(_mass_expr() * Category.co2e_factor, 3), KG)


def _conditions(filters: ReportFilters) -> list:
    start, end = utc_bounds(filters)
    ended = [Listing.status.in_(ENDED_STATUSES), Listing.ended_at.is_not(None)]
    if start is not None:
        ended.append(Listing.ended_at >= start)
    if end is not None:
        ended.append(Listing.ended_at < end)
    # Past its date but not swept yet (or expired before ended_at was recorded).
    lapsed = [
        or_(
            Listing.status.in_(LIVE_STATUSES),
            and_(Listing.status == "expired", Listing.ended_at.is_(None)),
        ),
        past_due(today()),
    ]
    if filters.date_from is not None:
        lapsed.append(Listing.available_until >= filters.date_from)
    if filters.date_to is not None:
        lapsed.append(Listing.available_until <= filters.date_to)
    clauses = [
        Listing.kind == "offer",
        Listing.quantity_remaining > 0,
        or_(and_(*ended), and_(*lapsed)),
    ]
    ids = category_ids(filters.category)
    if ids is not None:
        clauses.append(Listing.category_id.in_(ids))
    if filters.district:
        clauses.append(Listing.district == filters.district)
    if filters.organisation_id is not None:
        # An organisation loses only its own offers; what it received has no remainder.
        clauses.append(Listing.organisation_id == filters.organisation_id)
        if filters.side == "received":
            clauses.append(literal(False))
    if filters.organisation_kind:
        clauses.append(Organisation.kind == filters.organisation_kind)
    return clauses


def _scoped(stmt, filters: ReportFilters):
    stmt = stmt.join(Category, Category.id == Listing.category_id)
    if filters.organisation_kind:
        stmt = stmt.join(Organisation, Organisation.id == Listing.organisation_id)
    return stmt.where(*_conditions(filters))


def _metrics() -> list:
    return [
        func.count(Listing.id).label("n"),
        kg_sum(_mass_expr()).label("mass"),
        kg_sum(_co2e_expr()).label("co2e"),
    ]


def summarise_value_lost(filters: ReportFilters) -> ValueLost:
    """Totals of value lost, by category and by district (one GROUP BY of both)."""
    language = current_language()
    district = func.coalesce(Listing.district, "")
    stmt = _scoped(
        select(
            Category.slug,
            Category.name_de,
            Category.name_en,
            district.label("district"),
            *_metrics(),
        ),
        filters,
    )
    categories: dict[str, Breakdown] = {}
    districts: dict[str, Breakdown] = {}
    for row in db.session.execute(stmt.select_from(Listing).group_by(Category.id, district)):
        mass, co2e = as_kg(row.mass), as_kg(row.co2e)
        group = categories.get(row.slug)
        if group is None:
            label = row.name_en if language == "en" else row.name_de
            group = categories[row.slug] = Breakdown(row.slug, label)
        _count(group, row.n, mass, co2e)
        group = districts.get(row.district)
        if group is None:
            group = districts[row.district] = Breakdown(row.district, district_label(row.district))
        _count(group, row.n, mass, co2e)
    order = lambda b: (-b.mass_kg, -b.exchanges, b.key)  # noqa: E731
    by_category = sorted(categories.values(), key=order)
    by_district = sorted(districts.values(), key=order)
    return ValueLost(
        listings=sum(b.exchanges for b in by_category),
        mass_kg=sum((b.mass_kg for b in by_category), as_kg(0)),
        co2e_kg=sum((b.co2e_avoided_kg for b in by_category), as_kg(0)),
        by_category=by_category,
        by_district=by_district,
    )


def _count(group: Breakdown, listings: int, mass, co2e) -> None:
    group.exchanges += listings
    group.mass_kg += mass
    group.co2e_avoided_kg += co2e


def list_lost_listings(filters: ReportFilters, limit: int = 50) -> list[LostListing]:
    """The listings behind the value lost, biggest loss (kg) first."""
    language = current_language()
    mass, co2e = _mass_expr(), _co2e_expr()
    stmt = _scoped(
        select(
            Listing.id,
            Listing.title,
            Listing.organisation_id,
            Organisation.name.label("organisation"),
            Category.slug,
            Category.name_de,
            Category.name_en,
            Listing.district,
            Listing.quantity_remaining,
            Listing.unit,
            Listing.status,
            Listing.ended_at,
            Listing.available_until,
            mass.label("mass"),
            co2e.label("co2e"),
        ).select_from(Listing),
        filters,
    )
    if not filters.organisation_kind:
        stmt = stmt.join(Organisation, Organisation.id == Listing.organisation_id)
    stmt = stmt.order_by(func.coalesce(mass, -1).desc(), Listing.id).limit(max(1, min(limit, 1000)))
    return [_lost_listing(row, language) for row in db.session.execute(stmt)]


def _lost_listing(row, language: str) -> LostListing:
    if row.ended_at is not None and row.status in ENDED_STATUSES:
        ended_on = row.ended_at.replace(tzinfo=UTC).astimezone(REGION_TZ).date()
    else:
        ended_on = row.available_until
    return LostListing(
        listing_id=row.id,
        title=row.title,
        organisation_id=row.organisation_id,
        organisation=row.organisation,
        category=row.slug,
        category_label=row.name_en if language == "en" else row.name_de,
        district=row.district,
        quantity_remaining=row.quantity_remaining,
        unit=row.unit,
        mass_kg=None if row.mass is None else as_kg(row.mass),
        co2e_kg=None if row.co2e is None else as_kg(row.co2e),
        ended_on=ended_on,
        reason="withdrawn" if row.status == "withdrawn" else "expired",
    )
