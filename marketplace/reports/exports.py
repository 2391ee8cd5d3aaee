"""Report exports (pure: neither Flask nor the database): CSV lines safe for spreadsheets, the
summary as JSON-ready data, and the number formats both use.

CSV (contract shared/api-v1.md): UTF-8 with a BOM, a dot as decimal separator, the columns
CSV_COLUMNS in that order. Text cells that begin with = + - @, tab or carriage return get a single
quote in front so spreadsheets never read them as formulas; numbers are written as numbers (a
negative number stays -1.5). JSON: the summary exactly as the API sends it, and with `rows` the
exchanges as well (one object per CSV row plus mass basis, factor basis and value)."""

import csv
import io
import json
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal

from marketplace.core.cells import neutralise

CSV_COLUMNS = (
    "completed_at",
    "exchange_id",
    "provider",
    "receiver",
    "category",
    "quantity",
    "unit",
    "mass_kg",
    "co2e_avoided_kg",
    "factor_source",
    "district",
)
#: The XLSX "Exchanges" sheet's columns: the CSV's, then the record's extras.
EXCHANGE_COLUMNS = CSV_COLUMNS + (
    "mass_basis",
    "factor_basis",
    "co2e_factor",
    "factor_version",
    "value_eur",
    "provider_kind",
    "receiver_kind",
)
BOM = "\ufeff"
#: Rows per chunk of a streamed CSV: big enough to be fast, small enough to stay streaming.
CHUNK_ROWS = 500


def number(value: Decimal | int | None) -> str:
    """A number with a dot as decimal separator and no exponent; empty for unknown."""
    if value is None:
        return ""
    return format(Decimal(value), "f")


def json_number(value: Decimal | int | None) -> int | float | None:
    """A Decimal as a JSON number (Flask would write Decimal as a string)."""
    if value is None:
        return None
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def csv_cells(row) -> list[str]:
    """One ExchangeRow as the CSV's cells, in CSV_COLUMNS order."""
    return [
        row.completed_at.isoformat(),
        str(row.exchange_id),
        neutralise(row.provider),
        neutralise(row.receiver),
        neutralise(row.category),
        number(row.quantity),
        neutralise(row.unit),
        number(row.mass_kg),
        number(row.co2e_avoided_kg),
        neutralise(row.factor_source),
        neutralise(row.district),
    ]


def iter_csv(rows: Iterable) -> Iterator[str]:
    """The CSV document in chunks: BOM and header first, then CHUNK_ROWS rows at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    yield BOM + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    for count, row in enumerate(rows, start=1):
        writer.writerow(csv_cells(row))
        if count % CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def breakdown_dict(group, key_name: str) -> dict:
    return {
        key_name: group.key,
        "label": group.label,
        "exchanges": group.exchanges,
        "mass_kg": json_number(group.mass_kg),
        "co2e_avoided_kg": json_number(group.co2e_avoided_kg),
    }


def summary_dict(summary, *, with_organisations: bool = True) -> dict:
    """The summary in the API contract's shape (numbers as JSON numbers), plus extra fields."""
    lost = summary.value_lost
    data = {
        "from": _day(summary.date_from),
        "to": _day(summary.date_to),
        "exchanges": summary.exchanges,
        "mass_kg": json_number(summary.mass_kg),
        "mass_weighed_kg": json_number(summary.mass_weighed_kg),
        "mass_estimated_kg": json_number(summary.mass_estimated_kg),
        "exchanges_mass_unknown": summary.exchanges_mass_unknown,
        "co2e_avoided_kg": json_number(summary.co2e_avoided_kg),
        "co2e_upper_bound_kg": json_number(summary.co2e_upper_bound_kg),
        "transport_co2e_kg": json_number(summary.transport_co2e_kg),
        "value_eur": json_number(summary.value_eur),
        "organisations": summary.organisations,
        "space_shared": {
            "m2_days": json_number(summary.space_m2_days),
            "hours": json_number(summary.space_hours),
            "days": json_number(summary.space_days),
        },
        "by_category": [breakdown_dict(b, "category") for b in summary.by_category],
        "by_month": [breakdown_dict(b, "month") for b in summary.by_month],
        "by_district": [breakdown_dict(b, "district") for b in summary.by_district],
        "by_organisation_kind": [
            breakdown_dict(b, "organisation_kind") for b in summary.by_organisation_kind
        ],
        "value_lost": {
            "listings": lost.listings,
            "mass_kg": json_number(lost.mass_kg),
            "co2e_kg": json_number(lost.co2e_kg),
            "by_category": [_lost_dict(b, "category") for b in lost.by_category],
            "by_district": [_lost_dict(b, "district") for b in lost.by_district],
        },
        "factors": summary.filters.factors,
        "factor_set": summary.factor_set,
    }
    if with_organisations:
        data["by_organisation"] = [
            breakdown_dict(b, "organisation_id") for b in summary.by_organisation
        ]
    return data


def _lost_dict(group, key_name: str) -> dict:
    return {
        key_name: group.key,
        "label": group.label,
        "listings": group.exchanges,
        "mass_kg": json_number(group.mass_kg),
        "co2e_kg": json_number(group.co2e_avoided_kg),
    }


def row_dict(row) -> dict:
    """One ExchangeRow for the JSON export (the CSV's columns plus the record's extras)."""
    return {
        "completed_at": row.completed_at.isoformat(),
        "exchange_id": row.exchange_id,
        "provider": row.provider,
        "receiver": row.receiver,
        "category": row.category,
        "quantity": json_number(row.quantity),
        "unit": row.unit,
        "mass_kg": json_number(row.mass_kg),
        "mass_basis": row.mass_basis,
        "co2e_avoided_kg": json_number(row.co2e_avoided_kg),
        "co2e_factor": json_number(row.co2e_factor),
        "factor_basis": row.factor_basis,
        "factor_source": row.factor_source,
        "district": row.district,
        "value_eur": json_number(row.value_eur),
    }


def local_timestamp(value: datetime) -> str:
    """An aware datetime as "YYYY-MM-DD HH:MM" (spreadsheet cells read it as text otherwise)."""
    return value.strftime("%Y-%m-%d %H:%M")


def iter_json(summary_data: dict, rows: Iterable | None = None) -> Iterator[str]:
    """The JSON export in chunks: the summary, and with rows a "rows" array streamed after it."""
    if rows is None:
        yield json.dumps(summary_data, ensure_ascii=False)
        return
    head = json.dumps(summary_data, ensure_ascii=False)
    yield head[:-1] + ', "rows": ['
    chunk, first = [], True
    for row in rows:
        chunk.append(("" if first else ",") + json.dumps(row_dict(row), ensure_ascii=False))
        first = False
        if len(chunk) >= CHUNK_ROWS:
            yield "".join(chunk)
            chunk = []
    yield "".join(chunk) + "]}"


def _csv_number(value) -> str:
    """A driver's number (SQLite: float or int; PostgreSQL: Decimal) as in the CSV: the columns
    are NUMERIC(…, 3), so three decimals, with a dot."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.quantize(_THOUSANDTH), "f")
    return f"{value:.3f}"


_THOUSANDTH = Decimal("0.001")


def csv_record_cells(record, tz) -> list[str]:
    """One raw record (completed_at naive UTC as datetime or ISO text, then the other CSV columns
    in order) as the CSV's cells: the fast path of iter_csv, same output as csv_cells."""
    when, ident, provider, receiver, category, quantity, unit, mass, co2e, source, district = record
    if isinstance(when, str):
        when = datetime.fromisoformat(when)
    return [
        when.replace(tzinfo=UTC).astimezone(tz).isoformat(),
        str(ident),
        neutralise(provider),
        neutralise(receiver),
        neutralise(category),
        _csv_number(quantity),
        neutralise(unit),
        _csv_number(mass),
        _csv_number(co2e),
        neutralise(source),
        neutralise(district),
    ]


def iter_csv_from_records(records: Iterable, tz) -> Iterator[str]:
    """iter_csv for raw records (see csv_record_cells), written CHUNK_ROWS rows at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    yield BOM + buffer.getvalue()
    batch = []
    for record in records:
        batch.append(csv_record_cells(record, tz))
        if len(batch) == CHUNK_ROWS:
            buffer.seek(0)
            buffer.truncate()
            writer.writerows(batch)
            yield buffer.getvalue()
            batch = []
    if batch:
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(batch)
        yield buffer.getvalue()


# -- sharing (bookings of lend and book offers, apart from hand-overs) ----------------------------

SHARING_COLUMNS = (
    "group",
    "key",
    "label",
    "loans",
    "equipment_loans",
    "space_bookings",
    "use_days",
    "hours",
    "m2_hours",
    "organisations_served",
    "returned_late",
)


def sharing_groups(figures) -> Iterator[tuple[str, object]]:
    """("total" | "month" | "category" | "district", SharingGroup) in the export's order."""
    yield "total", figures.total
    for name, groups in (
        ("month", figures.by_month),
        ("category", figures.by_category),
        ("district", figures.by_district),
    ):
        for group in groups:
            yield name, group


def sharing_values(group) -> list:
    """A SharingGroup's figures in SHARING_COLUMNS order after group, key and label."""
    return [
        group.loans,
        group.equipment_loans,
        group.space_bookings,
        group.use_days,
        group.hours,
        group.m2_hours,
        group.organisations_served,
        group.returned_late,
    ]


def iter_sharing_csv(figures) -> Iterator[str]:
    """The sharing figures as a CSV (BOM, dot decimals, text neutralised like the exchanges)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(SHARING_COLUMNS)
    for name, group in sharing_groups(figures):
        cells = [name, neutralise(group.key), neutralise(group.label)]
        writer.writerow(cells + [number(value) for value in sharing_values(group)])
    yield BOM + buffer.getvalue()


def sharing_group_dict(group, key_name: str | None = None) -> dict:
    data = {} if key_name is None else {key_name: group.key, "label": group.label}
    names = SHARING_COLUMNS[3:]
    data.update(
        {name: json_number(value) for name, value in zip(names, sharing_values(group), strict=True)}
    )
    return data


def sharing_dict(figures) -> dict:
    """The sharing figures for the JSON export (key "sharing"): totals, then the breakdowns."""
    data = sharing_group_dict(figures.total)
    data["by_month"] = [sharing_group_dict(g, "month") for g in figures.by_month]
    data["by_category"] = [sharing_group_dict(g, "category") for g in figures.by_category]
    data["by_district"] = [sharing_group_dict(g, "district") for g in figures.by_district]
    data["co2e_claimed_kg"] = 0
    return data
