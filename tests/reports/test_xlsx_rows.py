"""The Exchanges sheet's rows written directly (xlsx_rows) are the XML XlsxWriter writes for them,
and a workbook with its rows spliced in (xlsx_splice) is the workbook XlsxWriter writes alone."""

import io
import re
import zipfile
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import xlsxwriter
from hypothesis import given
from hypothesis import strategies as st

from marketplace.reports import xlsx
from marketplace.reports.xlsx_rows import ExchangeRowsXml, column_letter, number
from marketplace.reports.xlsx_splice import splice_rows

BERLIN = ZoneInfo("Europe/Berlin")
HOSTILE = [
    "=HYPERLINK(1)",
    "@SUM",
    "-1",
    "+x",
    "\tTab",
    "\rReturn",
    "  leading",
    "trailing ",
    "ends with a tab\t",
    "ends with a newline\n",
    "\u00a0no-break space first",
    "line\nbreak",
    "ctrl\x01\x1fchars",
    "_x0041_ looks escaped",
    'A & B <c> "quoted"',
    "Grünau € 😀",
    "",
]


def _record(i: int, text: str) -> tuple:
    """A record as a driver returns it: SQLite text and REAL, or PostgreSQL datetime and Decimal."""
    sqlite = i % 2 == 0
    when = datetime(2025, 3, 30, i % 24, i % 60, 7, 120000 * (i % 3))  # across the DST change
    return (
        when.isoformat(" ") if sqlite else when,
        i + 1,
        text,
        HOSTILE[(i + 3) % len(HOSTILE)],
        "" if i % 5 == 0 else "pallets",
        4.0 if sqlite else Decimal("4.000"),
        "piece",
        None if i % 4 == 0 else (1234.56789 if sqlite else Decimal("1234.568")),
        None if i % 3 == 0 else (-0.0005 * i if sqlite else Decimal("-12.250")),
        None if i % 3 == 0 else "DEFRA 2025",
        None if i % 7 == 0 else "Mitte",
        "weighed",
        None if i % 3 == 0 else "upper_bound",
        None if i % 3 == 0 else (2.31415926 if sqlite else Decimal("2.3142")),
        None if i % 3 == 0 else "2026.1",
        12.5 if sqlite else Decimal("12.50"),
        "business",
        None if i % 6 == 0 else "association",
    )


RECORDS = [_record(i, text) for i, text in enumerate(HOSTILE * 3)]


def _rows_xml(workbook_bytes: bytes) -> str:
    sheet = zipfile.ZipFile(io.BytesIO(workbook_bytes)).read("xl/worksheets/sheet1.xml").decode()
    return re.search(r"<sheetData>(.*)</sheetData>", sheet, re.S).group(1)


def test_rows_are_what_xlsxwriter_writes():
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_formulas": False})
    sheet = workbook.add_worksheet()
    when = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    for r, record in enumerate(RECORDS):
        xlsx.write_record(sheet, r, record, when, BERLIN)
    workbook.close()
    ours = ExchangeRowsXml(xlsx.ROW_SCALES, when.xf_index, BERLIN)
    assert "".join(ours.chunks(RECORDS, first_row=1)) == _rows_xml(out.getvalue())


def test_a_text_that_looks_like_rich_text_stays_text():
    # XlsxWriter would copy "<r>...</r>" into the XML as it is (its rich-string shortcut).
    record = list(RECORDS[1])
    record[2] = '<r><t>x</t></r></is></c><c r="Z1"><f>CMD()</f></c><c><is><r>'
    row = ExchangeRowsXml(xlsx.ROW_SCALES, 1, BERLIN).row(2, record)
    assert "<f>" not in row and "&lt;r&gt;&lt;t&gt;x" in row


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), st.sampled_from([2, 3, 4]))
def test_sqlite_numbers_read_as_sqlalchemy_reads_them(value, scale):
    # SQLAlchemy's Numeric on SQLite: Decimal("%.{scale}f" % value); the export wrote its float.
    assert number(value, scale) == float(Decimal(f"%.{scale}f" % value))


def test_column_letters():
    assert [column_letter(i) for i in (0, 17, 25, 26, 701, 702)] == [
        "A",
        "R",
        "Z",
        "AA",
        "ZZ",
        "AAA",
    ]


def test_splice_sets_the_dimension_and_keeps_the_other_parts():
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, {"constant_memory": True})
    workbook.add_worksheet().write_string(0, 0, "head")
    workbook.add_worksheet("Other").write_string(0, 0, "other")
    workbook.close()
    out.seek(0)
    spliced = io.BytesIO()
    rows = ['<row r="2"><c r="A2"><v>1</v></c></row>', '<row r="3"><c r="C3"><v>2</v></c></row>']
    splice_rows(out, spliced, "xl/worksheets/sheet1.xml", rows, last_row=3, last_column="C")
    before, after = zipfile.ZipFile(out), zipfile.ZipFile(spliced)
    assert before.namelist() == after.namelist()
    for name in before.namelist():
        if name != "xl/worksheets/sheet1.xml":
            assert before.read(name) == after.read(name), name
    sheet = after.read("xl/worksheets/sheet1.xml").decode()
    assert '<dimension ref="A1:C3"/>' in sheet
    assert "</row>" + "".join(rows) + "</sheetData>" in sheet
    with pytest.raises(ValueError):
        splice_rows(io.BytesIO(out.getvalue()), io.BytesIO(), "xl/styles.xml", rows, 3, "C")
