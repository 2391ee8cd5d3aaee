"""The XLSX export (XlsxWriter): sheet "Exchanges" with numeric cells, "Summary" with totals and
breakdowns, "Method" with the factor table (upper-bound rows marked) and the method's caveats.
Text goes in with write_string only (never read as a formula or a link) and neutralised as in
the CSV. XlsxWriter writes every sheet with the first two exchanges; the other rows are
streamed into its archive as the same XML (xlsx_rows, xlsx_splice): constant memory, and about
3 s instead of 14-17 s for 100k exchanges."""

import io
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from contextlib import nullcontext
from itertools import islice
from typing import BinaryIO

import xlsxwriter
from flask_babel import gettext as _

from marketplace.reports.exports import (
    EXCHANGE_COLUMNS,
    SHARING_COLUMNS,
    neutralise,
    sharing_groups,
    sharing_values,
)
from marketplace.reports.figures import Breakdown, FactorRow, Summary
from marketplace.reports.xlsx_labels import header, sheet_names, yes_no
from marketplace.reports.xlsx_rows import ExchangeRowsXml, column_letter, local_time, number
from marketplace.reports.xlsx_splice import sheet_part, splice_rows

#: Decimal places of the numeric columns (their Numeric scale); the other columns are text.
_SCALES = {"quantity": 3, "mass_kg": 3, "co2e_avoided_kg": 3, "co2e_factor": 4, "value_eur": 2}
#: Per column after completed_at and exchange_id: its scale, or None for text.
ROW_SCALES = tuple(_SCALES.get(name) for name in EXCHANGE_COLUMNS[2:])
#: Rows of a worksheet after the header (Excel's limit; XlsxWriter ignores rows past it).
MAX_DATA_ROWS = 1_048_575
#: Exchanges written through XlsxWriter's API before the rest are spliced in (at least 2, see
#: write_workbook; the tests raise it to compare with a workbook XlsxWriter wrote alone).
XLSXWRITER_ROWS = 2


def method_paragraphs() -> list[str]:
    """What the figures mean and what they do not (reference-figures.md), one cell each."""
    return [
        _("Only completed exchanges count; each is counted once, under its date of completion."),
        _(
            "Mass: weighed at hand-over where it was weighed, else estimated from the quantity "
            "and a typical weight per unit; exchanges with neither are counted as of unknown mass."
        ),
        _(
            "CO2e avoided = mass x the category's factor (kg CO2e per kg reused), stored on each "
            "exchange at completion; a report can recompute it with the current factors instead."
        ),
        _(
            "Where the source gives no re-use factor, primary production alone is used: an upper "
            "bound (marked in the factor table)."
        ),
        _(
            "Avoided emissions are reported separately and never subtracted from anyone's "
            "footprint (GHG Protocol Scope 3 Standard; WBCSD Guidance on Avoided Emissions, 2023). "
            "Giver and receiver must not both claim the same saving."
        ),
        _("Transport emissions are shown separately and are not deducted."),
        _(
            "Sharing (sheet Sharing): a loan counts once it is returned, a room booking once "
            "it took place; use-days, hours and m² x hours are counted, no mass and no CO2e, "
            "because a loan avoids a purchase only when it really replaces one."
        ),
        _(
            "Value lost: what offers that expired or were withdrawn in the period still had "
            "left, in kg and kg CO2e with the current factors."
        ),
    ]


def write_workbook(
    target: str | BinaryIO,
    summary: Summary,
    records: Iterable[Sequence],
    factors: list[FactorRow],
    sharing=None,
    *,
    rows: int,
    tz,
) -> None:
    """Write the sheets to `target` (a path or a binary file); with SharingFigures, a "Sharing"
    sheet after "Summary". `records` are rows.iter_xlsx_records() (completed_at naive UTC, shown
    in `tz`), at most `rows` of them (the sheet's dimension is set for `rows`)."""
    records = iter(records)
    # Through XlsxWriter: the header and the first two exchanges, so that the styles are
    # numbered as when it wrote every row (the date style is numbered when the first exchange's
    # row is flushed, which writing the second one does).
    head = list(islice(records, min(rows, XLSXWRITER_ROWS)))
    package = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        package,
        {
            "constant_memory": True,
            "tmpdir": tempfile.gettempdir(),
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    formats = {
        "bold": workbook.add_format({"bold": True}),
        "when": workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
        "kg": workbook.add_format({"num_format": "0.000"}),
        "upper": workbook.add_format({"bg_color": "#FFF2CC"}),
    }
    _exchanges_sheet(workbook, head, formats, tz)
    _summary_sheet(workbook, summary, formats)
    if sharing is not None:
        _sharing_sheet(workbook, sharing, formats)
    _method_sheet(workbook, summary, factors, formats)
    workbook.close()
    package.seek(0)
    opened = open(target, "wb") if isinstance(target, str) else nullcontext(target)  # noqa: SIM115
    with opened as out:
        if rows <= len(head):
            shutil.copyfileobj(package, out)
            return
        rest = ExchangeRowsXml(ROW_SCALES, formats["when"].xf_index, tz)
        splice_rows(
            package,
            out,
            sheet_part(0),
            rest.chunks(islice(records, rows - len(head)), first_row=len(head) + 2),
            last_row=rows + 1,
            last_column=column_letter(len(EXCHANGE_COLUMNS) - 1),
        )


def _exchanges_sheet(workbook, head: list[Sequence], formats, tz) -> None:
    """The header and the first exchanges (the rest are spliced in after close)."""
    sheet = workbook.add_worksheet(sheet_names()["exchanges"])
    sheet.freeze_panes(1, 0)
    sheet.set_column(0, 0, 17)
    sheet.set_column(2, 3, 28)
    sheet.set_column(9, 9, 40)
    for col, name in enumerate(EXCHANGE_COLUMNS):
        sheet.write_string(0, col, header(name), formats["bold"])
    for r, record in enumerate(head, start=1):
        write_record(sheet, r, record, formats["when"], tz)


def write_record(sheet, r: int, record: Sequence, when_format, tz) -> None:
    """One exchange through XlsxWriter's cell API (what xlsx_rows writes for the others)."""
    sheet.write_datetime(r, 0, local_time(record[0], tz), when_format)
    sheet.write_number(r, 1, record[1])
    for col, (scale, value) in enumerate(zip(ROW_SCALES, record[2:], strict=True), start=2):
        if value is None:
            continue
        if scale is None:
            sheet.write_string(r, col, neutralise(str(value)))
        else:
            sheet.write_number(r, col, number(value, scale))


def _summary_sheet(workbook, summary: Summary, formats) -> None:
    sheet = workbook.add_worksheet(sheet_names()["summary"])
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, 4, 16)
    bold = formats["bold"]
    r = 0
    period = [
        ("from", summary.date_from.isoformat() if summary.date_from else ""),
        ("to", summary.date_to.isoformat() if summary.date_to else ""),
        ("factors", summary.filters.factors),
        ("factor_set", summary.factor_set),
    ]
    for name, text in period:
        sheet.write_string(r, 0, header(name), bold)
        sheet.write_string(r, 1, neutralise(text))
        r += 1
    totals = [
        ("exchanges", summary.exchanges),
        ("mass_kg", summary.mass_kg),
        ("mass_weighed_kg", summary.mass_weighed_kg),
        ("mass_estimated_kg", summary.mass_estimated_kg),
        ("exchanges_mass_unknown", summary.exchanges_mass_unknown),
        ("co2e_avoided_kg", summary.co2e_avoided_kg),
        ("co2e_upper_bound_kg", summary.co2e_upper_bound_kg),
        ("transport_co2e_kg", summary.transport_co2e_kg),
        ("value_eur", summary.value_eur),
        ("organisations", summary.organisations),
        ("space_m2_days", summary.space_m2_days),
        ("space_hours", summary.space_hours),
        ("space_days", summary.space_days),
        ("value_lost_listings", summary.value_lost.listings),
        ("value_lost_mass_kg", summary.value_lost.mass_kg),
        ("value_lost_co2e_kg", summary.value_lost.co2e_kg),
    ]
    for name, value in totals:
        sheet.write_string(r, 0, header(name), bold)
        sheet.write_number(r, 1, float(value))
        r += 1
    sections = [
        ("by_month", summary.by_month),
        ("by_category", summary.by_category),
        ("by_district", summary.by_district),
        ("by_organisation_kind", summary.by_organisation_kind),
        ("by_organisation", summary.by_organisation),
        ("value_lost_by_category", summary.value_lost.by_category),
        ("value_lost_by_district", summary.value_lost.by_district),
    ]
    for title, groups in sections:
        r = _breakdown_block(sheet, r + 1, title, groups, formats)


def _sharing_sheet(workbook, sharing, formats) -> None:
    """Loans and bookings apart from hand-overs: no kg and no CO2e are claimed for them."""
    sheet = workbook.add_worksheet(sheet_names()["sharing"])
    sheet.set_column(0, 2, 20)
    sheet.set_column(3, len(SHARING_COLUMNS) - 1, 14)
    sheet.write_string(
        0,
        0,
        neutralise(
            _(
                "Loans and bookings of lend and book offers, counted apart from hand-overs; "
                "no CO2e is claimed for them (see Method)."
            )
        ),
    )
    for col, name in enumerate(SHARING_COLUMNS):
        sheet.write_string(2, col, header(name), formats["bold"])
    for r, (name, group) in enumerate(sharing_groups(sharing), start=3):
        sheet.write_string(r, 0, name)
        sheet.write_string(r, 1, neutralise(group.key))
        sheet.write_string(r, 2, neutralise(group.label))
        for col, value in enumerate(sharing_values(group), start=3):
            sheet.write_number(r, col, float(value))


def _breakdown_block(sheet, r: int, title: str, groups: list[Breakdown], formats) -> int:
    lost = title.startswith("value_lost")
    names = (title, "label", "listings" if lost else "exchanges", "mass_kg")
    names += ("co2e_kg",) if lost else ("co2e_avoided_kg",)
    for col, name in enumerate(names):
        sheet.write_string(r, col, header(name), formats["bold"])
    for group in groups:
        r += 1
        sheet.write_string(r, 0, neutralise(group.key))
        sheet.write_string(r, 1, neutralise(group.label))
        sheet.write_number(r, 2, group.exchanges)
        sheet.write_number(r, 3, float(group.mass_kg), formats["kg"])
        sheet.write_number(r, 4, float(group.co2e_avoided_kg), formats["kg"])
    return r + 1


def _method_sheet(workbook, summary: Summary, factors: list[FactorRow], formats) -> None:
    sheet = workbook.add_worksheet(sheet_names()["method"])
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, 1, 30)
    sheet.set_column(6, 6, 90)
    sheet.write_string(0, 0, header("factor_set"), formats["bold"])
    sheet.write_string(0, 1, neutralise(summary.factor_set))
    r = 2
    for paragraph in method_paragraphs():
        sheet.write_string(r, 0, neutralise(paragraph))
        r += 1
    r += 1
    names = (
        "category",
        "name",
        "co2e_factor_kg_per_kg",
        "basis",
        "upper_bound",
        "taxonomy_version",
        "source",
        "kg_per_unit",
        "default_unit",
        "weight_source",
    )
    for col, name in enumerate(names):
        sheet.write_string(r, col, header(name), formats["bold"])
    for factor in factors:
        r += 1
        mark = formats["upper"] if factor.upper_bound else None
        sheet.write_string(r, 0, neutralise(factor.slug), mark)
        sheet.write_string(r, 1, neutralise(factor.label), mark)
        if factor.co2e_factor is not None:
            sheet.write_number(r, 2, float(factor.co2e_factor), mark)
        sheet.write_string(r, 3, neutralise(factor.basis or ""), mark)
        sheet.write_string(r, 4, yes_no(factor.upper_bound), mark)
        sheet.write_string(r, 5, neutralise(factor.taxonomy_version), mark)
        sheet.write_string(r, 6, neutralise(factor.source or ""), mark)
        if factor.kg_per_unit is not None:
            sheet.write_number(r, 7, float(factor.kg_per_unit), mark)
        sheet.write_string(r, 8, factor.default_unit, mark)
        sheet.write_string(r, 9, neutralise(factor.weight_source or ""), mark)
