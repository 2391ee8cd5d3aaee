"""A minimal XLSX reader for tests (no openpyxl): sheet names and cells as (value, is_number)."""

import io
import re
import zipfile
from xml.etree import ElementTree

_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def read_workbook(data: bytes) -> dict[str, list[list]]:
    """{sheet name: rows}; a cell is a float for numeric cells, a str for text, None if empty."""
    book = zipfile.ZipFile(io.BytesIO(data))
    strings = []
    if "xl/sharedStrings.xml" in book.namelist():
        root = ElementTree.fromstring(book.read("xl/sharedStrings.xml"))  # noqa: S314 - our own output
        strings = ["".join(t.text or "" for t in si.iter(f"{{{_NS['m']}}}t")) for si in root]
    rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))  # noqa: S314 - our own output
    targets = {rel.get("Id"): rel.get("Target") for rel in rels}
    workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))  # noqa: S314 - our own output
    sheets = {}
    for sheet in workbook.find("m:sheets", _NS):
        target = targets[sheet.get(_R)].lstrip("/")
        path = target if target.startswith("xl/") else f"xl/{target}"
        sheets[sheet.get("name")] = _rows(ElementTree.fromstring(book.read(path)), strings)  # noqa: S314 - our own output
    return sheets


def _rows(root, strings) -> list[list]:
    rows = []
    for row in root.iter(f"{{{_NS['m']}}}row"):
        cells: dict[int, object] = {}
        for cell in row.findall("m:c", _NS):
            column = _column(cell.get("r"))
            value = cell.find("m:v", _NS)
            inline = cell.find("m:is", _NS)
            if cell.get("t") == "s":
                cells[column] = strings[int(value.text)]
            elif cell.get("t") == "inlineStr" and inline is not None:
                cells[column] = "".join(t.text or "" for t in inline.iter(f"{{{_NS['m']}}}t"))
            elif cell.get("t") == "str":
                cells[column] = value.text if value is not None else ""
            elif value is not None:
                cells[column] = float(value.text)
        width = max(cells, default=-1) + 1
        rows.append([cells.get(i) for i in range(width)])
    return rows


def _column(ref: str) -> int:
    letters = re.match(r"[A-Z]+", ref).group(0)
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1
