"""The "CSV für Excel" (pure: neither Flask nor the database): the contract CSV's records for a
spreadsheet with German settings. Same rows and figures as exports.iter_csv_from_records, but
";" between cells, a decimal comma, dates as TT.MM.JJJJ, headers and codes in words (given by
the caller in the reader's language), UTF-8 with a BOM, text neutralised the same way."""

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from marketplace.reports.exports import BOM, CHUNK_ROWS, CSV_COLUMNS, csv_record_cells

DELIMITER = ";"
_DATE = CSV_COLUMNS.index("completed_at")
_CATEGORY = CSV_COLUMNS.index("category")
_UNIT = CSV_COLUMNS.index("unit")
_NUMBERS = tuple(CSV_COLUMNS.index(name) for name in ("quantity", "mass_kg", "co2e_avoided_kg"))


@dataclass(frozen=True)
class OfficeWords:
    """What the reader sees instead of codes: one header per CSV column, and names for codes."""

    headers: tuple[str, ...]
    categories: Mapping[str, str] = field(default_factory=dict)
    units: Mapping[str, str] = field(default_factory=dict)


def decimal_comma(cell: str) -> str:
    """A contract number cell ("1234.500") with a decimal comma ("1234,500"); no grouping."""
    return cell.replace(".", ",")


def german_date(iso_timestamp: str) -> str:
    """An ISO timestamp as TT.MM.JJJJ (the day in the timestamp's own time zone)."""
    return datetime.fromisoformat(iso_timestamp).strftime("%d.%m.%Y")


def office_cells(record, tz, words: OfficeWords) -> list[str]:
    """One raw record (see exports.csv_record_cells) as the office CSV's cells."""
    record = list(record)
    record[_CATEGORY] = words.categories.get(record[_CATEGORY] or "", record[_CATEGORY])
    record[_UNIT] = words.units.get(record[_UNIT] or "", record[_UNIT])
    cells = csv_record_cells(record, tz)
    cells[_DATE] = german_date(cells[_DATE])
    for index in _NUMBERS:
        cells[index] = decimal_comma(cells[index])
    return cells


def iter_office_csv(records: Iterable, tz, words: OfficeWords) -> Iterator[str]:
    """The office CSV in chunks: BOM and header first, then CHUNK_ROWS rows at a time."""
    if len(words.headers) != len(CSV_COLUMNS):
        raise ValueError("one header per CSV column")
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=DELIMITER, lineterminator="\r\n")
    writer.writerow(words.headers)
    yield BOM + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    for count, record in enumerate(records, start=1):
        writer.writerow(office_cells(record, tz, words))
        if count % CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()
