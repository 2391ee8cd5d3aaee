"""An account's statement as CSV and XLSX (pure: neither Flask nor the database).

CSV as the report exports: UTF-8 with a BOM, a dot as decimal separator, text neutralised so
that no spreadsheet reads a reason as a formula."""

import csv
import io
from collections.abc import Callable, Iterable, Iterator

import xlsxwriter

from marketplace.core.cells import neutralise

COLUMNS = (
    "date",
    "transfer_id",
    "kind",
    "counterparty",
    "reason",
    "amount",
    "balance",
    "exchange_id",
    "booking_id",
    "reverses_id",
)
BOM = "\ufeff"


def _cells(line, timestamp: Callable, kind_label: Callable) -> list:
    transfer = line.transfer
    return [
        timestamp(line.created_at),
        transfer.id,
        kind_label(transfer.kind),
        line.counterparty.name,
        transfer.reason,
        line.amount,
        line.balance_after,
        transfer.exchange_id,
        transfer.booking_id,
        transfer.reverses_id,
    ]


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise(value)
    return str(value) if isinstance(value, int) else format(value, "f")


def iter_statement_csv(lines: Iterable, timestamp: Callable, kind_label: Callable) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    yield BOM + buffer.getvalue()
    for line in lines:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(
            [
                neutralise(c)
                if isinstance(c, str)
                else ("" if c is None else format(c, "f") if not isinstance(c, int) else str(c))
                for c in _cells(line, timestamp, kind_label)
            ]
        )
        yield buffer.getvalue()


def write_statement_xlsx(
    path: str, lines: Iterable, timestamp: Callable, kind_label: Callable, headers: list[str]
) -> None:
    """One sheet: the column headers in the reader's language, amounts as numbers."""
    workbook = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_formulas": False})
    sheet = workbook.add_worksheet("Statement")
    bold = workbook.add_format({"bold": True})
    money = workbook.add_format({"num_format": "#,##0.00"})
    sheet.write_row(0, 0, headers, bold)
    sheet.set_column(0, 0, 18)
    sheet.set_column(3, 4, 32)
    for r, line in enumerate(lines, start=1):
        for c, value in enumerate(_cells(line, timestamp, kind_label)):
            if value is None:
                continue
            if c in (5, 6):
                sheet.write_number(r, c, float(value), money)
            elif isinstance(value, int):
                sheet.write_number(r, c, value)
            else:
                sheet.write_string(r, c, value)
    workbook.close()
