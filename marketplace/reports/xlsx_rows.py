"""The rows of the XLSX "Exchanges" sheet as SpreadsheetML text (pure: neither Flask nor the
database), byte for byte what XlsxWriter writes for them in constant_memory mode.

Why not XlsxWriter's write_* calls: they cost about 10 µs a cell, and 100,000 exchanges are
1.6 million cells (17 s). Here a row is one string built from precomputed pieces: the cell
references, the date style and every distinct text's cell (escaped once, cached) are reused.
tests/reports/test_xlsx_rows.py compares the output with XlsxWriter's own for hostile text."""

import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from marketplace.core.cells import neutralise

#: Excel's day 0 (the 1900 date system), as XlsxWriter counts.
_EPOCH = datetime(1899, 12, 31)
#: Excel's strings end at 32,767 UTF-16 units (XlsxWriter truncates longer ones).
_MAX_STRING = 32767
#: Rows per chunk handed to the writer: big enough for few writes, small enough to stream.
CHUNK_ROWS = 250

_ESCAPED_ESCAPE = re.compile("(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile(r"([\x00-\x08\x0b-\x1f])")
_EDGE_SPACE = re.compile(r"^\s|\s$")


def column_letter(index: int) -> str:
    """0 -> "A", 25 -> "Z", 26 -> "AA"."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@lru_cache(maxsize=16384)
def text_cell_tail(value: str) -> str:
    """What follows `<c r="A1"` for a text cell: an inline string, neutralised like the CSV,
    control characters as _xHHHH_, XML-escaped, whitespace kept at either end."""
    text = neutralise(value)
    if (
        len(text) > _MAX_STRING // 2
        and len(text.encode("utf-16-le", "surrogatepass")) // 2 > _MAX_STRING
    ):
        text = _truncate_utf16(text)
    text = _ESCAPED_ESCAPE.sub(r"_x005F\1", text)
    text = _CONTROL.sub(lambda match: f"_x{ord(match.group(1)):04X}_", text)
    text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    space = ' xml:space="preserve"' if _EDGE_SPACE.search(text) else ""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f' t="inlineStr"><is><t{space}>{text}</t></is></c>'


def _truncate_utf16(text: str) -> str:
    length = 0
    for index, char in enumerate(text):
        length += 2 if ord(char) > 0xFFFF else 1
        if length > _MAX_STRING:
            return text[:index]
    return text


def excel_serial(local: datetime) -> float:
    """A naive local datetime as Excel's serial number (days since 1899-12-31, with Excel's
    phantom 29 February 1900), computed exactly as XlsxWriter does."""
    delta = local - _EPOCH
    serial = delta.days + (float(delta.seconds) + float(delta.microseconds) / 1e6) / 86400
    return serial + 1 if serial > 59 else serial


@lru_cache(maxsize=1024)
def _utc_offset(tz, hour: str) -> timedelta:
    """The zone's offset from UTC during a UTC hour ("YYYY-MM-DD HH"): zones change their
    offset on whole UTC hours here, so rows need one lookup per hour, not one conversion each."""
    start = datetime.fromisoformat(hour + ":00").replace(tzinfo=UTC)
    return start.astimezone(tz).utcoffset()


def local_time(when: datetime | str, tz) -> datetime:
    """A naive UTC timestamp (datetime, or ISO text as SQLite returns it) as naive local time."""
    if when.__class__ is str:
        return datetime.fromisoformat(when) + _utc_offset(tz, when[:13])
    return when + _utc_offset(tz, when.isoformat(" ", "hours"))


def number(value, scale: int) -> float:
    """A driver's number as the float XlsxWriter was given: PostgreSQL's Decimal as it is,
    SQLite's REAL rounded to the column's scale, as SQLAlchemy's Numeric would have read it."""
    if value.__class__ is float:
        return round(value, scale)
    return float(value)


class ExchangeRowsXml:
    """Rows of records (completed_at as naive UTC, the exchange id, then one value per further
    column; None leaves a cell empty) as `<row>` elements."""

    def __init__(self, scales: Sequence[int | None], date_style: int, tz) -> None:
        #: Per column after the first two: None for text, else the decimal places of a number.
        self.scales = tuple(scales)
        self.date_style = date_style
        self.tz = tz
        self.letters = tuple(column_letter(index) for index in range(2, 2 + len(self.scales)))

    def row(self, row_number: int, record: Sequence) -> str:
        """One record as the `<row>` of 1-based row `row_number`."""
        r = str(row_number)
        serial = excel_serial(local_time(record[0], self.tz))
        parts = [
            f'<row r="{r}"><c r="A{r}" s="{self.date_style}"><v>{serial:.16G}</v></c>'
            f'<c r="B{r}"><v>{record[1]:.16G}</v></c>'
        ]
        append = parts.append
        for letter, scale, value in zip(self.letters, self.scales, record[2:], strict=True):
            if value is None:
                continue
            if scale is None:
                append(f'<c r="{letter}{r}"{text_cell_tail(value)}')
            else:
                append(f'<c r="{letter}{r}"><v>{number(value, scale):.16G}</v></c>')
        append("</row>")
        return "".join(parts)

    def chunks(self, records: Iterable[Sequence], first_row: int) -> Iterator[str]:
        """The rows from 1-based `first_row` on, CHUNK_ROWS at a time."""
        row = self.row
        batch: list[str] = []
        for row_number, record in enumerate(records, start=first_row):
            batch.append(row(row_number, record))
            if len(batch) == CHUNK_ROWS:
                yield "".join(batch)
                batch = []
        if batch:
            yield "".join(batch)
