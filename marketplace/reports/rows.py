"""The completed exchanges behind a summary, one row each, by completion time: as ExchangeRow
objects (JSON, pages), and as plain records straight from the driver for the CSV and the XLSX
(the fast paths of full exports: no per-value type conversion, no objects)."""

from collections.abc import Iterator
from datetime import UTC

from sqlalchemy import case, func, select, type_coerce
from sqlalchemy.types import NullType

from marketplace.categories.models import Category
from marketplace.exchanges.models import Exchange
from marketplace.extensions import db
from marketplace.reports.exports import EXCHANGE_COLUMNS
from marketplace.reports.figures import ExchangeRow
from marketplace.reports.filters import REGION_TZ, ReportFilters
from marketplace.reports.scope import (
    CurrentCategory,
    Offer,
    Provider,
    Receiver,
    as_kg,
    co2e_expr,
    factor_basis_expr,
    factor_source_expr,
    scoped,
)

BATCH = 2000


def _rows_select(filters: ReportFilters, *columns):
    stmt = scoped(select(*columns).select_from(Exchange), filters, offer=True, provider=True)
    return (
        stmt.join(Receiver, Receiver.id == Exchange.receiver_id)
        .outerjoin(Category, Category.id == Exchange.category_id)
        .order_by(Exchange.completed_at, Exchange.id)
    )


def _current_or_recorded(filters: ReportFilters, current, recorded):
    return current if filters.factors == "current" else recorded


def iter_exchange_rows(filters: ReportFilters, batch: int = BATCH) -> Iterator[ExchangeRow]:
    """Every completed exchange the filters cover, by completed_at then id, streamed in batches."""
    stmt = _rows_select(
        filters,
        Exchange.id,
        Exchange.completed_at,
        Provider.name.label("provider"),
        Provider.kind.label("provider_kind"),
        Receiver.name.label("receiver"),
        Receiver.kind.label("receiver_kind"),
        Category.slug,
        func.coalesce(Exchange.quantity_completed, Exchange.quantity).label("quantity"),
        Exchange.unit,
        Exchange.mass_kg,
        Exchange.mass_basis,
        co2e_expr(filters).label("co2e"),
        _current_or_recorded(filters, CurrentCategory.co2e_factor, Exchange.co2e_factor).label(
            "factor"
        ),
        factor_source_expr(filters).label("factor_source"),
        factor_basis_expr(filters).label("factor_basis"),
        _current_or_recorded(
            filters, CurrentCategory.taxonomy_version, Exchange.factor_version
        ).label("factor_version"),
        Offer.district,
        Exchange.value_eur,
        Exchange.space_m2_days,
        Exchange.space_hours,
        Exchange.space_days,
        Exchange.transport_co2e_kg,
    ).execution_options(yield_per=batch)
    for row in db.session.execute(stmt):
        known = row.co2e is not None
        yield ExchangeRow(
            completed_at=row.completed_at.replace(tzinfo=UTC).astimezone(REGION_TZ),
            exchange_id=row.id,
            provider=row.provider,
            receiver=row.receiver,
            category=row.slug or "",
            quantity=row.quantity,
            unit=row.unit,
            mass_kg=row.mass_kg,
            co2e_avoided_kg=as_kg(row.co2e) if known else None,
            factor_source=row.factor_source if known else None,
            district=row.district,
            mass_basis=row.mass_basis,
            factor_basis=row.factor_basis if known else None,
            co2e_factor=row.factor if known else None,
            factor_version=row.factor_version if known else None,
            value_eur=row.value_eur,
            provider_kind=row.provider_kind,
            receiver_kind=row.receiver_kind,
            space_m2_days=row.space_m2_days,
            space_hours=row.space_hours,
            space_days=row.space_days,
            transport_co2e_kg=row.transport_co2e_kg,
        )


def _raw(expr, name: str):
    """The driver's value as it comes (SQLite: text dates and REAL numbers; PostgreSQL:
    datetime and Decimal); exports.csv_record_cells formats both the same way."""
    return type_coerce(expr, NullType()).label(name)


def iter_csv_records(filters: ReportFilters, batch: int = 5000) -> Iterator[tuple]:
    """The CSV columns of every row, in CSV_COLUMNS order, with completed_at naive UTC."""
    co2e = co2e_expr(filters)
    stmt = _rows_select(
        filters,
        _raw(Exchange.completed_at, "completed_at"),
        Exchange.id,
        Provider.name,
        Receiver.name,
        Category.slug,
        _raw(func.coalesce(Exchange.quantity_completed, Exchange.quantity), "quantity"),
        Exchange.unit,
        _raw(Exchange.mass_kg, "mass_kg"),
        _raw(co2e, "co2e"),
        case((co2e.is_(None), None), else_=factor_source_expr(filters)).label("source"),
        Offer.district,
    )
    # A server-side cursor for this statement only: Connection.execution_options() would set it
    # on the session's connection for every later statement of the transaction (an UPDATE after
    # an export, in a job, then failed on PostgreSQL as "DECLARE ... CURSOR FOR UPDATE").
    result = db.session.connection().execute(stmt, execution_options={"stream_results": True})
    for chunk in result.partitions(batch):
        yield from chunk


def _known(co2e, expr):
    """expr where the exchange has a CO2e figure, else NULL (an export shows the factor's
    source, basis and version only beside a figure)."""
    return case((co2e.is_(None), None), else_=expr)


def count_exchange_rows(filters: ReportFilters) -> int:
    """How many rows iter_exchange_rows and iter_xlsx_records give for the filters."""
    rows = _rows_select(filters, Exchange.id).order_by(None).subquery()
    return db.session.execute(select(func.count()).select_from(rows)).scalar_one()


def iter_xlsx_records(
    filters: ReportFilters, limit: int | None = None, batch: int = 1000
) -> Iterator[tuple]:
    """The values of every row in EXCHANGE_COLUMNS order, as the driver gives them (completed_at
    naive UTC; None where ExchangeRow has None, category "" without one), at most `limit`."""
    co2e = co2e_expr(filters)
    current = filters.factors == "current"
    columns = {
        "completed_at": _raw(Exchange.completed_at, "completed_at"),
        "exchange_id": Exchange.id,
        "provider": Provider.name,
        "receiver": Receiver.name,
        "category": func.coalesce(Category.slug, ""),
        "quantity": _raw(func.coalesce(Exchange.quantity_completed, Exchange.quantity), "q"),
        "unit": Exchange.unit,
        "mass_kg": _raw(Exchange.mass_kg, "mass_kg"),
        "co2e_avoided_kg": _raw(co2e, "co2e"),
        "factor_source": _known(co2e, factor_source_expr(filters)),
        "district": Offer.district,
        "mass_basis": Exchange.mass_basis,
        "factor_basis": _known(co2e, factor_basis_expr(filters)),
        "co2e_factor": _raw(
            _known(co2e, CurrentCategory.co2e_factor if current else Exchange.co2e_factor), "f"
        ),
        "factor_version": _known(
            co2e, CurrentCategory.taxonomy_version if current else Exchange.factor_version
        ),
        "value_eur": _raw(Exchange.value_eur, "value_eur"),
        "provider_kind": Provider.kind,
        "receiver_kind": Receiver.kind,
    }
    stmt = _rows_select(filters, *(columns[name] for name in EXCHANGE_COLUMNS))
    if limit is not None:
        stmt = stmt.limit(limit)
    # A server-side cursor for this statement only: Connection.execution_options() would set it
    # on the session's connection for every later statement of the transaction (an UPDATE after
    # an export, in a job, then failed on PostgreSQL as "DECLARE ... CURSOR FOR UPDATE").
    result = db.session.connection().execute(stmt, execution_options={"stream_results": True})
    for chunk in result.partitions(batch):
        yield from chunk
