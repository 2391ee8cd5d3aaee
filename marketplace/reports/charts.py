"""Charts for PDF reports: plain bar charts written as SVG by hand, embedded as data: URLs.
Numbers on the axes follow the report's locale (1.234,5).

No plotting library: matplotlib took about 0.1 s a chart, and WeasyPrint nearly as long again to
draw its SVG (WeasyPrint lays SVG text out letter by letter, and matplotlib's was rich in it);
a few dozen rectangles and labels take a millisecond to write and some 0.02 s to draw. Labels
are placed by an upper bound of their width in DejaVu Sans (the PDF's font), so that none runs
out of the picture."""

import base64
import math
from collections.abc import Callable, Sequence
from functools import lru_cache
from html import escape

GREEN = "#1d6b47"
GREEN_LIGHT = "#8fc3a5"
INK = "#1b2420"
MUTED = "#4d5a55"
LINE = "#cfd8d3"
FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"
#: Width of a chart in points: the A4 page's text width, so that 8 units are 8 pt on paper.
WIDTH = 504
TITLE_PT = 10
TEXT_PT = 8
#: Top of the plot, below the title.
TOP = 22
#: Charts kept drawn per process (five per report and locale; an SVG is 2-6 KB).
CHARTS_KEPT = 100

Formatter = Callable[[float], str]

# Advance widths of DejaVu Sans in em, each the widest of its class (a label is placed by an
# upper bound of its width).
_NARROW = frozenset(" !'(),-./:;IJ[]fijlrt|")
_WIDE = frozenset("#%&+<=>@MW^mw~…")


def _text_width(text: str, size: float) -> float:
    em = 0.0
    for char in text:
        if char in _NARROW:
            em += 0.42
        elif char in _WIDE or ord(char) > 0x24F or not char.isascii() and not char.isalpha():
            em += 1.0
        elif char.isupper():
            em += 0.79
        else:
            em += 0.64
    return em * size


def _ticks(top: float, most: int = 5) -> list[float]:
    """0 and round steps (1, 2, 2.5 or 5 times a power of ten) up to at least `top`."""
    raw = max(top, 1) / most
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    return [i * step for i in range(math.ceil(top / step - 1e-9) + 1 if top > 0 else 2)]


def _text(x: float, y: float, text: str, anchor: str = "start", **attrs) -> str:
    extra = "".join(f' {name.replace("_", "-")}="{value}"' for name, value in attrs.items())
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{extra}>{escape(text)}</text>'


def _rect(x: float, y: float, width: float, height: float, fill: str) -> str:
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(width, 0):.1f}" height="{height:.1f}" '
        f'fill="{fill}"/>'
    )


def _line(x1: float, y1: float, x2: float, y2: float) -> str:
    return f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}"/>'


def _svg(height: float, title: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}pt" height="{height:.0f}pt" '
        f'viewBox="0 0 {WIDTH} {height:.0f}" font-family="{FONT}" font-size="{TEXT_PT}" '
        f'fill="{MUTED}">'
        + _text(0, 12, title, font_size=TITLE_PT, fill=INK)
        # Grid lines under the bars, labels over them.
        + f'<g stroke="{LINE}" stroke-width="0.6">'
        + "".join(part for part in body if part.startswith("<line"))
        + "</g>"
        + "".join(part for part in body if part.startswith("<rect"))
        + "".join(part for part in body if part.startswith("<text"))
        + "</svg>"
    )


def bar_chart_svg(
    labels: Sequence[str],
    values: Sequence[float],
    title: str,
    number: Formatter,
    secondary: Sequence[float] | None = None,
    legend: tuple[str, str] | None = None,
) -> str:
    """Horizontal bars, biggest first as given (categories, districts, kinds of organisation);
    with `secondary`, a second, lighter bar per row (e.g. kg CO2e beside kg)."""
    shown = [_short(label) for label in labels]
    left = min(max((_text_width(s, TEXT_PT) for s in shown), default=0), WIDTH * 0.4) + 8
    ticks = _ticks(max([*values, *(secondary or ())], default=0))
    tick_texts = [number(tick) for tick in ticks]
    right = WIDTH - _text_width(tick_texts[-1], TEXT_PT) / 2 - 2
    scale = (right - left) / ticks[-1]
    bar, pitch = (8, 21) if secondary is not None else (10, 15)
    bottom = TOP + pitch * max(len(shown), 1)
    body = [_line(left, TOP, left, bottom)]
    for tick, text in zip(ticks, tick_texts, strict=True):
        x = left + tick * scale
        body += [_line(x, TOP, x, bottom), _text(x, bottom + 11, text, "middle")]
    for i, label in enumerate(shown):
        bars = bar * (2 if secondary is not None else 1)
        y = TOP + i * pitch + (pitch - bars) / 2
        body.append(_text(left - 5, y + bars / 2 + 3, label, "end"))
        body.append(_rect(left, y, values[i] * scale, bar, GREEN))
        if secondary is not None:
            body.append(_rect(left, y + bar, secondary[i] * scale, bar, GREEN_LIGHT))
    height = bottom + 16
    if legend and secondary is not None:
        x, height = left, height + 12
        for text, colour in zip(legend, (GREEN, GREEN_LIGHT), strict=True):
            body += [_rect(x, height - 7, 8, 8, colour), _text(x + 11, height, text)]
            x += 11 + _text_width(text, TEXT_PT) + 14
        height += 4
    return _svg(height + 4, title, body)


def month_chart_svg(
    months: Sequence[str],
    values: Sequence[float],
    title: str,
    number: Formatter,
) -> str:
    """Vertical bars by month ("YYYY-MM" keys shown as given labels), every few months named."""
    ticks = _ticks(max(values, default=0))
    tick_texts = [number(tick) for tick in ticks]
    left = max(_text_width(text, TEXT_PT) for text in tick_texts) + 8
    bottom = TOP + 140
    scale = (bottom - TOP) / ticks[-1]
    pitch = (WIDTH - left) / max(len(months), 1)
    body = [_line(left, bottom, WIDTH, bottom)]
    for tick, text in zip(ticks, tick_texts, strict=True):
        y = bottom - tick * scale
        body += [_line(left, y, WIDTH, y), _text(left - 5, y + 3, text, "end")]
    widest = max((_text_width(month, TEXT_PT) for month in months), default=0)
    step = max(1, math.ceil((widest + 8) / pitch))
    for i, value in enumerate(values):
        x = left + i * pitch
        body.append(
            _rect(x + pitch * 0.15, bottom - value * scale, pitch * 0.7, value * scale, GREEN)
        )
        if i % step == 0:
            half = _text_width(months[i], TEXT_PT) / 2
            centre = min(max(x + pitch / 2, half), WIDTH - half)
            body.append(_text(centre, bottom + 11, months[i], "middle"))
    return _svg(bottom + 16, title, body)


def _short(label: str, length: int = 32) -> str:
    return label if len(label) <= length else label[: length - 1] + "…"


def data_uri(svg: str) -> str:
    """An SVG as a data: URL for an <img> (WeasyPrint's fetcher allows data: URLs)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def summary_charts(summary, number: Formatter) -> dict[str, str]:
    """The PDF report's charts of a Summary, as data: URLs (empty breakdowns are left out).
    Each chart is drawn once per data: the same labels, values and titles in the same locale
    (what a chart shows) give the chart drawn before, so a second PDF of unchanged figures
    draws nothing."""
    from flask_babel import get_locale

    locale = str(get_locale())
    return {name: _chart_uri(*spec, number, locale) for name, spec in chart_specs(summary)}


def chart_specs(summary) -> list[tuple[str, tuple]]:
    """(name, (kind, labels, values, title, secondary, legend)) of each chart, hashable."""
    from flask_babel import gettext as _

    from marketplace.reports.dashboard import month_label

    specs = []
    if summary.by_month:
        specs.append(
            (
                "by_month",
                (
                    "month",
                    tuple(month_label(row.key) for row in summary.by_month),
                    tuple(float(row.mass_kg) for row in summary.by_month),
                    _("kg reused by month"),
                    None,
                    None,
                ),
            )
        )
    legend = (_("kg reused"), _("kg CO2e avoided"))
    for name, rows, title in (
        ("by_category", summary.by_category, _("By category")),
        ("by_district", summary.by_district, _("By district")),
        ("by_organisation_kind", summary.by_organisation_kind, _("By kind of organisation")),
        ("value_lost", summary.value_lost.by_category, _("Value lost by category")),
    ):
        rows = rows[:12]
        if rows:
            specs.append(
                (
                    name,
                    (
                        "bar",
                        tuple(row.label for row in rows),
                        tuple(float(row.mass_kg) for row in rows),
                        title,
                        tuple(float(row.co2e_avoided_kg) for row in rows),
                        legend if name != "value_lost" else (_("kg lost"), _("kg CO2e")),
                    ),
                )
            )
    return specs


@lru_cache(maxsize=CHARTS_KEPT)
def _chart_uri(kind, labels, values, title, secondary, legend, number: Formatter, locale) -> str:
    """A chart as a data: URL; `locale` is part of the key because `number` follows it."""
    if kind == "month":
        return data_uri(month_chart_svg(labels, values, title, number))
    return data_uri(bar_chart_svg(labels, values, title, number, secondary, legend))
