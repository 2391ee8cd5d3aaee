"""Report reads: the summary of completed exchanges (aggregated in SQL), the exchange rows behind it
(streamed), and the factor table. Totals equal the sum of each breakdown and of the rows."""

from dataclasses import replace

from sqlalchemy import case, func, select

from marketplace.categories.models import Category
from marketplace.categories.queries import list_categories
from marketplace.core.i18n import current_language
from marketplace.exchanges.models import Exchange
from marketplace.extensions import db
from marketplace.listings.models import Listing
from marketplace.orgs.models import Organisation
from marketplace.reports import value_lost
from marketplace.reports.cache import cached
from marketplace.reports.figures import (
    ZERO,
    Breakdown,
    ExchangeRow,
    FactorRow,
    LostListing,
    Summary,
    ValueLost,
)
from marketplace.reports.filters import ReportFilters
from marketplace.reports.labels import district_label, organisation_kind_label
from marketplace.reports.rows import iter_csv_records, iter_exchange_rows
from marketplace.reports.scope import (
    EUR,
    CurrentCategory,
    as_eur,
    as_kg,
    kg_sum,
    metric_columns,
    month_bucket_columns,
    month_of_bucket,
    period_months,
    scoped,
)
from marketplace.reports.value_lost import summarise_value_lost

__all__ = [
    "Breakdown",
    "ExchangeRow",
    "FactorRow",
    "LostListing",
    "Summary",
    "ValueLost",
    "factor_table",
    "iter_csv_records",
    "iter_exchange_rows",
    "list_lost_listings",
    "summarise",
]

#: The publisher, year and table of the shipped factors (every export names them).
FACTOR_PUBLICATION = (
    "UK DESNZ/DEFRA, Greenhouse gas reporting: conversion factors 2025, full set, "
    "tab 'Material use'; WRAP and McGill et al. product studies"
)


def summarise(filters: ReportFilters) -> Summary:
    """Totals and breakdowns of the completed exchanges the filters cover (see reports.cache)."""
    return cached(filters, compute_summary)


def list_lost_listings(filters: ReportFilters, limit: int = 50) -> list[LostListing]:
    """The listings behind the value lost, biggest loss first (see reports.cache)."""
    return cached(filters, value_lost.list_lost_listings, limit)


def compute_summary(filters: ReportFilters) -> Summary:
    """The summary computed now: five aggregate queries (totals; category x month; district x
    provider; receivers; value lost). The breakdowns read the report indexes of exchanges
    (ix_exchanges_report_month, ix_exchanges_report_offer) in group order: no sort, no table."""
    summary = Summary(filters=filters, date_from=filters.date_from, date_to=filters.date_to)
    _fill_totals(summary, filters)
    summary.by_category, summary.by_month, versions, upper = _by_category_and_month(filters)
    if filters.factors == "current":
        # Each category has one current factor and basis: the category groups hold the CO2e
        # totals, so the totals' pass over the table needs no join to the categories.
        summary.co2e_avoided_kg = sum((b.co2e_avoided_kg for b in summary.by_category), ZERO)
        summary.co2e_upper_bound_kg = upper
    providers = _by_district_and_provider(summary, filters)
    summary.organisations = len(providers | _receivers(filters))
    summary.value_lost = summarise_value_lost(filters)
    summary.factor_set = factor_set_label(versions)
    return summary


def factor_set_label(versions: list[str]) -> str:
    """The factor set a report used, e.g. "...; taxonomy 2026.1"."""
    shown = ", ".join(versions) if versions else "-"
    return f"{FACTOR_PUBLICATION}; taxonomy {shown}"


def _fill_totals(summary: Summary, filters: ReportFilters) -> None:
    """The totals but, with current factors, CO2e (see compute_summary)."""
    basis = Exchange.mass_basis
    recorded = filters.factors == "recorded"
    co2e = [
        kg_sum(Exchange.co2e_avoided_kg).label("co2e"),
        kg_sum(_when(Exchange.factor_basis == "upper_bound", Exchange.co2e_avoided_kg)).label(
            "upper"
        ),
    ]
    row = db.session.execute(
        scoped(
            select(
                func.count().label("n"),
                kg_sum(Exchange.mass_kg).label("mass"),
                *(co2e if recorded else ()),
                kg_sum(_when(basis == "weighed", Exchange.mass_kg)).label("weighed"),
                kg_sum(_when(basis == "estimated", Exchange.mass_kg)).label("estimated"),
                func.count(_when(basis == "unknown", Exchange.id)).label("unknown"),
                kg_sum(Exchange.transport_co2e_kg).label("transport"),
                func.coalesce(func.sum(Exchange.value_eur), 0).cast(EUR).label("value"),
                kg_sum(Exchange.space_m2_days).label("m2_days"),
                kg_sum(Exchange.space_hours).label("hours"),
                kg_sum(Exchange.space_days).label("days"),
            ).select_from(Exchange),
            replace(filters, factors="recorded"),  # the same rows, without the categories
            plan="table",
        )
    ).one()
    summary.exchanges = row.n
    summary.mass_kg = as_kg(row.mass)
    if recorded:
        summary.co2e_avoided_kg, summary.co2e_upper_bound_kg = as_kg(row.co2e), as_kg(row.upper)
    summary.mass_weighed_kg, summary.mass_estimated_kg = as_kg(row.weighed), as_kg(row.estimated)
    summary.exchanges_mass_unknown = row.unknown
    summary.transport_co2e_kg = as_kg(row.transport)
    summary.value_eur = as_eur(row.value)
    summary.space_m2_days, summary.space_hours = as_kg(row.m2_days), as_kg(row.hours)
    summary.space_days = as_kg(row.days)


def _when(condition, value):
    return case((condition, value), else_=None)


def _by_category_and_month(filters: ReportFilters):
    """By category (its current name) and by local month, from one GROUP BY of both (at most
    categories x months groups), the taxonomy versions of the factors used, and the kg CO2e
    from categories whose current factor is an upper bound."""
    language = current_language()
    categories = list_categories()
    names = {c.id: (c.slug, c.name(language)) for c in categories}
    upper_bound = {c.id for c in categories if c.factor_basis == "upper_bound"}
    upper = ZERO
    current = filters.factors == "current"
    buckets = month_bucket_columns()
    # In the order of ix_exchanges_report_month, which then delivers the groups without a sort;
    # a category's current version is one per category (max() of one value), not a group key.
    if current:
        version, keys = func.max(CurrentCategory.taxonomy_version), ()
    else:
        version = Exchange.factor_version
        keys = (version,)
    stmt = scoped(
        select(Exchange.category_id, version.label("version"), *buckets, *metric_columns(filters)),
        filters,
        plan="months",
    ).select_from(Exchange)
    stmt = stmt.group_by(*buckets, Exchange.category_id, *keys)
    groups: dict[str, Breakdown] = {}
    months: dict[str, Breakdown] = {}
    versions: set[str] = set()
    for row in db.session.execute(stmt):
        slug, label = names.get(row.category_id, ("", "-"))
        _add(groups, slug, row, label)
        _add(months, month_of_bucket(row), row)
        if row.version:
            versions.add(row.version)
        if row.category_id in upper_bound:
            upper += row.co2e
    by_month = [months.get(m) or Breakdown(m, m) for m in period_months(filters, set(months))]
    return _by_mass(groups.values()), by_month, sorted(versions), as_kg(upper)


def _by_district_and_provider(summary: Summary, filters: ReportFilters) -> set[int]:
    """Fills by_district, by_organisation (the provider) and by_organisation_kind from one
    GROUP BY of district x provider; the exchanges are first grouped by offer, so that only one
    row per offer looks up the offer's district. Returns the providers' ids."""
    per_offer = (
        scoped(
            select(
                Exchange.offer_id.label("offer_id"),
                Exchange.provider_id.label("provider_id"),
                *metric_columns(filters),
            ),
            filters,
            plan="offers",
        )
        .select_from(Exchange)
        # In the order of ix_exchanges_report_offer: no sort.
        .group_by(Exchange.offer_id, Exchange.provider_id)
        .subquery()
    )
    district = func.coalesce(Listing.district, "")
    stmt = (
        select(
            district.label("district"),
            per_offer.c.provider_id,
            func.sum(per_offer.c.n).label("n"),
            kg_sum(per_offer.c.mass).label("mass"),
            kg_sum(per_offer.c.co2e).label("co2e"),
        )
        .join(Listing, Listing.id == per_offer.c.offer_id)
        .group_by(district, per_offer.c.provider_id)
    )
    districts: dict[str, Breakdown] = {}
    providers: dict[int, Breakdown] = {}
    for row in db.session.execute(stmt):
        _add(districts, row.district, row)
        _add(providers, row.provider_id, row)
    for group in districts.values():
        group.label = district_label(group.key)
    kinds: dict[str, Breakdown] = {}
    for org_id, name, kind in _organisations(providers):
        providers[org_id].label = name
        kind = kind or ""
        group = kinds.setdefault(kind, Breakdown(kind, organisation_kind_label(kind)))
        _merge(group, providers[org_id])
    summary.by_district = _by_mass(districts.values())
    summary.by_organisation = _by_mass(providers.values())
    summary.by_organisation_kind = _by_mass(kinds.values())
    return set(providers)


def _organisations(ids) -> list:
    ids = list(ids)
    rows = []
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        rows += db.session.execute(
            select(Organisation.id, Organisation.name, Organisation.kind).where(
                Organisation.id.in_(chunk)
            )
        ).all()
    return rows


def _receivers(filters: ReportFilters) -> set[int]:
    """The receivers' ids (with the providers: the organisations taking part)."""
    stmt = scoped(
        select(Exchange.receiver_id.label("org")).select_from(Exchange), filters, plan="offers"
    ).distinct()
    return set(db.session.execute(stmt).scalars())


def _merge(group: Breakdown, other: Breakdown) -> None:
    group.exchanges += other.exchanges
    group.mass_kg += other.mass_kg
    group.co2e_avoided_kg += other.co2e_avoided_kg


def _add(groups: dict, key, row, label: str | None = None) -> None:
    """Add a result row's count, kg and kg CO2e to the group `key` (created when new)."""
    group = groups.get(key)
    if group is None:
        group = groups[key] = Breakdown(str(key), str(key) if label is None else label)
    group.exchanges += int(row.n)
    group.mass_kg += row.mass
    group.co2e_avoided_kg += row.co2e


def _by_mass(groups) -> list[Breakdown]:
    return sorted(groups, key=lambda b: (-b.mass_kg, -b.exchanges, b.key))


def factor_table() -> list[FactorRow]:
    """Every category with its weight, CO2e factor, basis and sources, in taxonomy order."""
    language = current_language()
    parents = {c.id: c.slug for c in db.session.execute(select(Category)).scalars()}
    return [
        FactorRow(
            slug=c.slug,
            label=c.name(language),
            resource_type=c.resource_type,
            parent=parents.get(c.parent_id) if c.parent_id else None,
            co2e_factor=c.co2e_factor,
            basis=c.factor_basis,
            source=c.factor_source,
            kg_per_unit=c.kg_per_unit,
            default_unit=c.default_unit,
            weight_source=c.weight_source,
            taxonomy_version=c.taxonomy_version,
        )
        for c in list_categories()
    ]


def organisation_name(organisation_id: int | None) -> str | None:
    """The name of an organisation a report is about (None when unknown)."""
    if organisation_id is None:
        return None
    return db.session.execute(
        select(Organisation.name).where(Organisation.id == organisation_id)
    ).scalar_one_or_none()
