"""Pure export helpers: neutralised text cells, numbers unchanged, CSV and JSON documents."""

import csv
import io
import json
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from marketplace.reports.exports import (
    BOM,
    CSV_COLUMNS,
    csv_cells,
    iter_csv,
    iter_json,
    json_number,
    neutralise,
    number,
)
from marketplace.reports.figures import ExchangeRow


def _row(**kw) -> ExchangeRow:
    values = {
        "completed_at": datetime(2025, 3, 5, 10, tzinfo=UTC).astimezone(ZoneInfo("Europe/Berlin")),
        "exchange_id": 7,
        "provider": "Tischlerei Holzwurm",
        "receiver": "Jugendwerkstatt",
        "category": "pallets",
        "quantity": Decimal("4.000"),
        "unit": "piece",
        "mass_kg": Decimal("100.000"),
        "co2e_avoided_kg": Decimal("23.100"),
        "factor_source": "DEFRA",
        "district": "Mitte",
    }
    values.update(kw)
    return ExchangeRow(**values)


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_text_cells_starting_like_a_formula_are_neutralised(start):
    assert neutralise(start + "SUM(A1:A9)") == "'" + start + "SUM(A1:A9)"


def test_ordinary_text_and_empty_cells_stay():
    assert neutralise("Holz & Co") == "Holz & Co"
    assert neutralise("") == ""
    assert neutralise(None) == ""
    assert neutralise(" =1") == " =1"  # only the first character matters


def test_numbers_are_unchanged_with_a_dot():
    assert number(Decimal("-1.5")) == "-1.5"
    assert number(Decimal("1234567.125")) == "1234567.125"
    assert number(Decimal("1E+3")) == "1000"
    assert number(None) == ""
    assert json_number(Decimal("2.000")) == 2
    assert json_number(Decimal("-0.125")) == -0.125


def test_csv_document_has_bom_header_and_neutralised_text():
    hostile = _row(
        provider='=HYPERLINK("http://x")',
        receiver="@SUM(1)",
        district="-Mitte",
        factor_source="+cmd",
        mass_kg=Decimal("-1.5"),
    )
    text = "".join(iter_csv([hostile, _row(exchange_id=8)]))
    assert text.startswith(BOM)
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert tuple(rows[0]) == CSV_COLUMNS
    cells = dict(zip(CSV_COLUMNS, rows[1], strict=True))
    assert cells["provider"] == '\'=HYPERLINK("http://x")'
    assert cells["receiver"] == "'@SUM(1)"
    assert cells["district"] == "'-Mitte"
    assert cells["factor_source"] == "'+cmd"
    assert cells["mass_kg"] == "-1.5"  # a number, not neutralised
    assert cells["completed_at"] == "2025-03-05T11:00:00+01:00"
    assert rows[2][1] == "8"


def test_csv_streams_in_chunks():
    chunks = list(iter_csv(_row(exchange_id=i) for i in range(1200)))
    assert len(chunks) == 4  # header, 500, 500, 200
    assert sum(chunk.count("\r\n") for chunk in chunks) == 1201


def test_csv_cells_follow_the_columns():
    assert len(csv_cells(_row())) == len(CSV_COLUMNS)


def test_json_with_rows_is_one_document():
    data = json.loads("".join(iter_json({"exchanges": 2}, [_row(), _row(exchange_id=8)])))
    assert data["exchanges"] == 2
    assert [r["exchange_id"] for r in data["rows"]] == [7, 8]
    assert data["rows"][0]["mass_kg"] == 100
    assert json.loads("".join(iter_json({"exchanges": 0}, []))) == {"exchanges": 0, "rows": []}
    assert json.loads("".join(iter_json({"a": 1}))) == {"a": 1}


def test_text_shaped_as_xlsx_rich_string_is_neutralised():
    """XlsxWriter writes a string "<r>…</r>" into the workbook's XML as it is."""
    import zipfile

    import xlsxwriter

    evil = "<r><t>x</t></r><r><t><![CDATA[</t></r></si><si><t>injected</t></si>]]></t></r>"
    assert neutralise("<r><t>x</t></r>") == "'<r><t>x</t></r>"
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    workbook.add_worksheet().write_string(0, 0, neutralise(evil))
    workbook.close()
    shared = zipfile.ZipFile(buffer).read("xl/sharedStrings.xml").decode()
    assert "<si><t>injected</t></si>" not in shared and "&lt;r&gt;" in shared
