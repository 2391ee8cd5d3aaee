"""Put streamed rows into a workbook that XlsxWriter wrote (pure: neither Flask nor the database).

XlsxWriter writes every sheet, style and the package around them, with the first rows of a big
sheet; the rest of that sheet's rows (xlsx_rows) go in before its `</sheetData>`, and its
`<dimension>` is set to the final size. The other parts are copied unchanged, in their order."""

import re
import zipfile
from collections import deque
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import BinaryIO

_DIMENSION = re.compile(r'<dimension ref="[A-Z]+1(?::([A-Z]+)\d+)?"/>')
_END_OF_DATA = "</sheetData>"
#: Bytes collected before they are compressed into the archive.
_WRITE_BYTES = 1 << 18
#: Blocks handed to the compressing thread and not yet written (memory stays a few MB).
_BLOCKS_AHEAD = 2
#: Rows past which a sheet may outgrow 2 GiB of XML (a ZIP64 entry), at up to 4 KB a row.
_ZIP64_ROWS = 500_000


def sheet_part(index: int) -> str:
    """The archive member of the `index`-th worksheet (0-based) as XlsxWriter names it."""
    return f"xl/worksheets/sheet{index + 1}.xml"


def splice_rows(
    source: BinaryIO,
    target: BinaryIO,
    part: str,
    rows: Iterable[str],
    last_row: int,
    last_column: str,
) -> None:
    """Copy the archive `source` to `target`, with `rows` (text chunks of `<row>` elements)
    added at the end of the sheet `part`, whose dimension becomes A1:{last_column}{last_row}."""
    with (
        zipfile.ZipFile(source) as original,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as spliced,
    ):
        for info in original.infolist():
            copy = zipfile.ZipInfo(info.filename, info.date_time)
            copy.compress_type = info.compress_type
            copy.external_attr = info.external_attr
            if info.filename != part:
                spliced.writestr(copy, original.read(info))
                continue
            head, tail = _split_sheet(original.read(info).decode("utf-8"), last_row, last_column)
            with spliced.open(copy, "w", force_zip64=last_row > _ZIP64_ROWS) as sheet:
                sheet.write(head.encode("utf-8"))
                _write_chunks(sheet, rows)
                sheet.write(tail.encode("utf-8"))


def _split_sheet(xml: str, last_row: int, last_column: str) -> tuple[str, str]:
    """The sheet's XML before and from `</sheetData>`, with the new dimension in the head."""
    xml, found = _DIMENSION.subn(f'<dimension ref="A1:{last_column}{last_row}"/>', xml, count=1)
    end = xml.find(_END_OF_DATA)
    if not found or end < 0:
        raise ValueError("not a worksheet with a dimension and sheet data")
    return xml[:end], xml[end:]


def _write_chunks(sheet, rows: Iterable[str]) -> None:
    """Write the rows in blocks; a second thread compresses them (zlib and the file write run
    without the GIL), while this one builds the next rows. The blocks go in their order."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="xlsx-deflate") as deflate:
        pending: deque = deque()
        for block in _blocks(rows):
            pending.append(deflate.submit(sheet.write, block))
            if len(pending) > _BLOCKS_AHEAD:
                pending.popleft().result()
        while pending:
            pending.popleft().result()


def _blocks(rows: Iterable[str]):
    """The rows' text as UTF-8 blocks of about _WRITE_BYTES."""
    pending: list[bytes] = []
    size = 0
    for chunk in rows:
        data = chunk.encode("utf-8")
        pending.append(data)
        size += len(data)
        if size >= _WRITE_BYTES:
            yield b"".join(pending)
            pending, size = [], 0
    if pending:
        yield b"".join(pending)
