"""Exports as files and HTTP answers, shared by the web download routes, the API and the CLI:
the same filters give the same figures as the dashboard, by construction (same queries)."""

import os
import tempfile
from collections.abc import Iterator
from typing import BinaryIO

from flask import Response, request, stream_with_context
from flask_babel import gettext as _
from werkzeug.wsgi import wrap_file

from marketplace.core.errors import NotFound
from marketplace.core.filenames import period_filename
from marketplace.core.i18n import current_language
from marketplace.core.unit_labels import UNIT_LABELS
from marketplace.reports.exports import (
    iter_csv_from_records,
    iter_json,
    iter_sharing_csv,
    sharing_dict,
    summary_dict,
)
from marketplace.reports.filters import REGION_TZ, ReportFilters
from marketplace.reports.local_currency import (
    iter_local_currency_csv,
    local_currency_dict,
    summarise_local_currency,
)
from marketplace.reports.office_csv import OfficeWords, iter_office_csv
from marketplace.reports.queries import (
    factor_table,
    iter_csv_records,
    iter_exchange_rows,
    summarise,
)
from marketplace.reports.rows import count_exchange_rows, iter_xlsx_records
from marketplace.reports.sharing import summarise_sharing
from marketplace.reports.xlsx import MAX_DATA_ROWS, write_workbook

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JSON_TYPE = "application/json; charset=utf-8"
#: Bytes per block of a file sent from disk.
XLSX_BLOCK = 256 * 1024


def export_filename(
    filters: ReportFilters, extension: str, what: str = "exchanges", suffix: str = ""
) -> str:
    """The file name of a report download in the reader's language, saying what and when."""
    return period_filename(
        what, filters.date_from, filters.date_to, extension, current_language(), suffix=suffix
    )


def csv_chunks(filters: ReportFilters) -> Iterator[str]:
    return iter_csv_from_records(iter_csv_records(filters), REGION_TZ)


def json_chunks(filters: ReportFilters, *, rows: bool = False) -> Iterator[str]:
    """The summary as the API sends it; with rows, the exchanges too (key "rows")."""
    data = summary_dict(summarise(filters))
    data["sharing"] = sharing_dict(summarise_sharing(filters))
    local_currency = summarise_local_currency(filters)
    if local_currency is not None:  # nothing of the currency before one is set up
        data["local_currency"] = local_currency_dict(local_currency)
    return iter_json(data, iter_exchange_rows(filters) if rows else None)


def write_xlsx(filters: ReportFilters, target: str | BinaryIO) -> None:
    """The workbook into a path or a binary file; the rows stream from the database into it."""
    summary = summarise(filters)
    factors = factor_table()
    sharing = summarise_sharing(filters)
    # Counted first, because the sheet's size heads its XML; the limit keeps the rows to it
    # should an exchange complete in between (and to what a worksheet holds).
    rows = min(count_exchange_rows(filters), MAX_DATA_ROWS)
    records = iter_xlsx_records(filters, limit=rows) if rows else iter(())
    write_workbook(target, summary, records, factors, sharing, rows=rows, tz=REGION_TZ)


def xlsx_file(filters: ReportFilters) -> BinaryIO:
    """The workbook in an anonymous temporary file (gone when closed), positioned at 0."""
    file = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - the response closes it
    try:
        write_xlsx(filters, file)
    except BaseException:
        file.close()
        raise
    file.seek(0)
    return file


def _attachment(name: str) -> dict[str, str]:
    return {
        "Content-Disposition": f'attachment; filename="{name}"',
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff",
    }


def csv_response(filters: ReportFilters) -> Response:
    """A streamed CSV attachment (the rows are never all in memory)."""
    chunks = (chunk.encode("utf-8") for chunk in csv_chunks(filters))
    return Response(
        stream_with_context(chunks),
        content_type=CSV_TYPE,
        headers=_attachment(export_filename(filters, "csv")),
    )


def office_words() -> OfficeWords:
    """Headers, category names and unit words of the office CSV in the reader's language."""
    headers = (
        _("Date"),
        _("Exchange"),
        _("Provider"),
        _("Receiver"),
        _("Category"),
        _("Quantity"),
        _("Unit"),
        _("Mass") + " (kg)",
        _("CO2e avoided") + " (kg)",
        _("Source"),
        _("District"),
    )
    categories = {factor.slug: factor.label for factor in factor_table()}
    units = {code: str(label) for code, label in UNIT_LABELS.items()}
    return OfficeWords(headers=headers, categories=categories, units=units)


def office_csv_chunks(filters: ReportFilters) -> Iterator[str]:
    """The contract CSV's rows for Excel with German settings (see office_csv)."""
    return iter_office_csv(iter_csv_records(filters), REGION_TZ, office_words())


def office_csv_response(filters: ReportFilters) -> Response:
    """The "CSV für Excel" as a streamed attachment, beside the unchanged contract CSV."""
    chunks = (chunk.encode("utf-8") for chunk in office_csv_chunks(filters))
    return Response(
        stream_with_context(chunks),
        content_type=CSV_TYPE,
        headers=_attachment(export_filename(filters, "csv", suffix="excel")),
    )


def sharing_csv_chunks(filters: ReportFilters) -> Iterator[str]:
    return iter_sharing_csv(summarise_sharing(filters))


def sharing_csv_response(filters: ReportFilters) -> Response:
    """The sharing figures (totals, by month, category and district) as a CSV attachment."""
    return Response(
        "".join(sharing_csv_chunks(filters)).encode("utf-8"),
        content_type=CSV_TYPE,
        headers=_attachment(export_filename(filters, "csv", "sharing")),
    )


def xlsx_response(filters: ReportFilters) -> Response:
    """The workbook, written to a temporary file and sent from it in blocks (constant memory;
    the server may use sendfile); the file is removed when the response is closed."""
    file = xlsx_file(filters)
    headers = _attachment(export_filename(filters, "xlsx"))
    headers["Content-Length"] = str(os.fstat(file.fileno()).st_size)
    return Response(
        wrap_file(request.environ, file, buffer_size=XLSX_BLOCK),
        content_type=XLSX_TYPE,
        headers=headers,
        direct_passthrough=True,
    )


def json_response(filters: ReportFilters, *, rows: bool = False) -> Response:
    chunks = (chunk.encode("utf-8") for chunk in json_chunks(filters, rows=rows))
    return Response(
        stream_with_context(chunks),
        content_type=JSON_TYPE,
        headers=_attachment(export_filename(filters, "json")),
    )


def local_currency_csv_response(filters: ReportFilters) -> Response:
    """The local currency's figures (total and by month) as a CSV attachment; 404 before a
    currency is set up."""
    figures = summarise_local_currency(filters)
    if figures is None:
        raise NotFound()
    return Response(
        "".join(iter_local_currency_csv(figures)).encode("utf-8"),
        content_type=CSV_TYPE,
        headers=_attachment(export_filename(filters, "csv", "local-currency")),
    )
