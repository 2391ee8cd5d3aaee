"""Charts for PDF reports: matplotlib (Agg/SVG backend, no display, no pyplot state) drawn into SVG
strings that WeasyPrint embeds. Numbers on the axes follow the report's locale (1.234,5)."""

import base64
import io
import os
import tempfile
from collections.abc import Callable, Sequence
from functools import lru_cache

# matplotlib writes a font cache into MPLCONFIGDIR (default ~/.config/matplotlib), which a
# service account may not have: use a private temporary directory unless one is configured.
if not os.environ.get("MPLCONFIGDIR"):
    os.environ["MPLCONFIGDIR"] = tempfile.mkdtemp(prefix="stoffwechsel-mpl-")

import matplotlib  # noqa: E402

matplotlib.use("Agg")
# Text stays text in the SVG (smaller, faster for WeasyPrint, selectable in the PDF).
matplotlib.rcParams["svg.fonttype"] = "none"
matplotlib.rcParams["font.family"] = ["DejaVu Sans", "sans-serif"]
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from marketplace.reports.collector import cycle_collector_paused  # noqa: E402

GREEN = "#1d6b47"
GREEN_LIGHT = "#8fc3a5"
INK = "#1b2420"
MUTED = "#4d5a55"
LINE = "#cfd8d3"
#: Width of a chart in the PDF (A4 minus margins), in inches.
WIDTH_IN = 6.8
#: Charts kept drawn per process (five per report and locale; an SVG is 10-40 KB).
CHARTS_KEPT = 100

Formatter = Callable[[float], str]


def _figure(height_in: float) -> Figure:
    figure = Figure(figsize=(WIDTH_IN, height_in), dpi=72)
    figure.set_layout_engine("constrained")
    return figure


def _style(axes, number: Formatter, axis: str) -> None:
    axes.set_facecolor("white")
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        axes.spines[side].set_color(LINE)
    axes.tick_params(colors=MUTED, labelsize=8)
    target = axes.xaxis if axis == "x" else axes.yaxis
    target.set_major_formatter(FuncFormatter(lambda value, _pos: number(value)))
    target.set_major_locator(MaxNLocator(nbins=5, min_n_ticks=2))
    axes.grid(axis=axis, color=LINE, linewidth=0.6)
    axes.set_axisbelow(True)


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    return svg[svg.index("<svg") :]  # drop the XML declaration and doctype for inline use


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
    rows = max(len(labels), 1)
    figure = _figure(0.9 + 0.32 * rows * (2 if secondary else 1))
    axes = figure.add_subplot()
    positions = list(range(len(labels)))
    height = 0.38 if secondary else 0.7
    offset = height / 2 if secondary else 0
    axes.barh([p - offset for p in positions], values, height=height, color=GREEN)
    if secondary is not None:
        axes.barh([p + offset for p in positions], secondary, height=height, color=GREEN_LIGHT)
    axes.set_yticks(positions, [_short(label) for label in labels])
    axes.invert_yaxis()
    axes.set_title(title, loc="left", fontsize=10, color=INK)
    _style(axes, number, "x")
    if legend and secondary is not None:
        axes.legend(legend, fontsize=8, frameon=False, loc="lower right")
    if not labels:
        axes.set_yticks([])
    return _svg(figure)


def month_chart_svg(
    months: Sequence[str],
    values: Sequence[float],
    title: str,
    number: Formatter,
) -> str:
    """Vertical bars by month ("YYYY-MM" keys shown as given labels)."""
    figure = _figure(2.6)
    axes = figure.add_subplot()
    positions = list(range(len(months)))
    axes.bar(positions, values, width=0.7, color=GREEN)
    step = max(1, len(months) // 12)
    axes.set_xticks(positions[::step], [months[i] for i in positions[::step]])
    axes.tick_params(axis="x", labelrotation=45)
    for label in axes.get_xticklabels():
        label.set_horizontalalignment("right")
    axes.set_title(title, loc="left", fontsize=10, color=INK)
    _style(axes, number, "y")
    return _svg(figure)


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
    with cycle_collector_paused():
        if kind == "month":
            return data_uri(month_chart_svg(labels, values, title, number))
        return data_uri(bar_chart_svg(labels, values, title, number, secondary, legend))
