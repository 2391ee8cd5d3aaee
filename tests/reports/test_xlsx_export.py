"""The XLSX export from the database: every part equal to the workbook XlsxWriter writes when it
writes every row itself, in both factor modes and both languages, and sent from a file."""

import io
import re
import zipfile
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from flask_babel import force_locale

from marketplace.reports import downloads, xlsx
from marketplace.reports.filters import ReportFilters
from marketplace.reports.rows import count_exchange_rows, iter_xlsx_records
from tests.reports.exchange_sets import completed, offer
from tests.reports.xlsx_reader import read_workbook

_CREATED = re.compile(rb"<dcterms:(created|modified)[^<]*</dcterms:\w+>")


@pytest.fixture
def exchanges(make):
    giver = make.organisation(name="=Tischlerei & Söhne <GmbH>", kind="business")
    taker = make.organisation(name=" Jugendwerkstatt ", kind="association")
    pallets = offer(giver, "pallets", district="Mitte", kg_per_unit=Decimal("25"))
    metal = offer(taker, "metals", district=None, unit="kg")
    start = datetime(2025, 3, 29, 23, 30)  # the night Berlin changes to summer time
    for i in range(7):
        completed(
            pallets if i % 2 else metal,
            taker if i % 2 else giver,
            start + timedelta(minutes=17 * i, seconds=i, microseconds=1000 * i),
            mass_kg=None if i == 3 else f"{10 + i}.125",
            mass_basis="unknown" if i == 3 else "weighed",
            value_eur="12.5" if i % 3 else "0",
        )


def _parts(data: bytes) -> dict[str, bytes]:
    book = zipfile.ZipFile(io.BytesIO(data))
    return {name: _CREATED.sub(b"", book.read(name)) for name in book.namelist()}


def _workbook(filters: ReportFilters, language: str) -> bytes:
    out = io.BytesIO()
    with force_locale(language):
        downloads.write_xlsx(filters, out)
    return out.getvalue()


@pytest.mark.parametrize("language", ["en", "de"])
@pytest.mark.parametrize("factors", ["recorded", "current"])
def test_spliced_rows_make_the_workbook_xlsxwriter_writes(
    app_ctx, exchanges, monkeypatch, factors, language
):
    filters = ReportFilters(factors=factors)
    spliced = _workbook(filters, language)
    monkeypatch.setattr(xlsx, "XLSXWRITER_ROWS", 10**6)
    assert _parts(spliced) == _parts(_workbook(filters, language))
    sheets = read_workbook(spliced)
    assert len(next(iter(sheets.values()))) == 8  # header and 7 exchanges


def test_no_exchanges_and_few_exchanges(app_ctx, make):
    sheets = read_workbook(_workbook(ReportFilters(), "en"))
    assert sheets["Exchanges"][1:] == []
    giver = make.organisation(name="Holzwurm")
    completed(offer(giver), make.organisation(), datetime(2025, 5, 1, 10))
    sheets = read_workbook(_workbook(ReportFilters(), "en"))
    assert [row[1] for row in sheets["Exchanges"][1:]] == [1.0]


def test_rows_stop_at_the_count(app_ctx, exchanges):
    filters = ReportFilters()
    assert count_exchange_rows(filters) == 7
    assert len(list(iter_xlsx_records(filters, limit=5))) == 5
    summary = downloads.summarise(filters)
    out = io.BytesIO()
    records = iter_xlsx_records(filters)  # all 7, though 5 were counted
    xlsx.write_workbook(out, summary, records, [], rows=5, tz=downloads.REGION_TZ)
    sheet = zipfile.ZipFile(out).read("xl/worksheets/sheet1.xml").decode()
    assert '<dimension ref="A1:R6"/>' in sheet and sheet.count("<row ") == 6


def test_the_download_is_sent_from_a_file(app, client, login_as, make, exchanges):
    login_as(make.user(role="coordinator"))
    response = client.get("/reports/export.xlsx")
    assert response.status_code == 200
    assert int(response.headers["Content-Length"]) == len(response.data)
    assert len(read_workbook(response.data)["Exchanges"]) == 8
