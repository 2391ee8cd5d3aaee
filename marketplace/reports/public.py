"""Public figures of the region for /impact: totals, the trend of the last 12 months, by category
and kind of organisation, a per-inhabitant yardstick. Built from summaries but copied into a
structure without any names, so that a template cannot show an organisation or a person."""

import threading
import time
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from cachetools import TTLCache
from flask import current_app
from flask_babel import gettext as _

from marketplace.core.clock import today
from marketplace.core.i18n import current_language
from marketplace.reports.dashboard import first_of_month_before, month_label
from marketplace.reports.filters import ReportFilters
from marketplace.reports.local_currency import LocalCurrencyFigures, summarise_local_currency
from marketplace.reports.queries import Breakdown, summarise
from marketplace.reports.sharing import summarise_sharing
from marketplace.reports.sharing_figures import SharingGroup

#: Leipzig's population (Statistisches Landesamt Sachsen, about 628,000 in 2023), the default
#: for REGION_INHABITANTS.
DEFAULT_INHABITANTS = 628_000
#: Germany reused about 36 kg per person in 2021 (Öko-Institut for the UBA).
GERMANY_REUSE_KG_PER_PERSON = Decimal("36")
GERMANY_REUSE_YEAR = 2021
#: Seconds the figures are kept per process (config IMPACT_CACHE_SECONDS; off in tests).
DEFAULT_CACHE_SECONDS = 300


@dataclass(frozen=True)
class PublicRow:
    """One row of a public breakdown: a category, month or kind, never an organisation."""

    key: str
    label: str
    exchanges: int
    mass_kg: Decimal
    co2e_avoided_kg: Decimal


@dataclass(frozen=True)
class PublicSharing:
    """Loans and bookings of a category or of the whole region: figures only, no ids, no names."""

    key: str
    label: str
    loans: int
    equipment_loans: int
    space_bookings: int
    use_days: int
    hours: Decimal
    m2_hours: Decimal
    organisations_served: int
    returned_late: int = 0


def _public_sharing(group: SharingGroup) -> PublicSharing:
    return PublicSharing(
        group.key,
        group.label,
        group.loans,
        group.equipment_loans,
        group.space_bookings,
        group.use_days,
        group.hours,
        group.m2_hours,
        group.organisations_served,
        group.returned_late,
    )


@dataclass(frozen=True)
class PublicImpact:
    exchanges: int
    mass_kg: Decimal
    co2e_avoided_kg: Decimal
    co2e_upper_bound_kg: Decimal
    organisations: int
    space_m2_days: Decimal
    space_hours: Decimal
    space_days: Decimal
    trend_from: date
    trend_to: date
    trend: list[PublicRow]
    trend_mass_kg: Decimal
    by_category: list[PublicRow]
    by_organisation_kind: list[PublicRow]
    lost_listings: int
    lost_mass_kg: Decimal
    lost_co2e_kg: Decimal
    inhabitants: int
    #: kg reused per inhabitant in the last 12 months (the yardstick is per person and year).
    kg_per_inhabitant: Decimal
    factor_set: str
    #: Loans and bookings since the start, counted apart from hand-overs (no CO2e claimed).
    sharing: PublicSharing | None = None
    sharing_by_category: tuple[PublicSharing, ...] = ()
    #: The local currency since the start (amounts only); None before one is set up.
    local_currency: LocalCurrencyFigures | None = None
    yardstick_kg: Decimal = GERMANY_REUSE_KG_PER_PERSON
    yardstick_year: int = GERMANY_REUSE_YEAR


def _rows(rows: list[Breakdown]) -> list[PublicRow]:
    return [PublicRow(r.key, r.label, r.exchanges, r.mass_kg, r.co2e_avoided_kg) for r in rows]


def compute_public_impact(on: date | None = None) -> PublicImpact:
    """The region's public figures: all time, and the 12 months up to `on` (default today)."""
    on = on or today()
    overall = summarise(ReportFilters())
    start = first_of_month_before(on, 11)
    recent = summarise(ReportFilters(date_from=start, date_to=on))
    inhabitants = int(current_app.config.get("REGION_INHABITANTS") or DEFAULT_INHABITANTS)
    shared = summarise_sharing(ReportFilters())
    per_inhabitant = (recent.mass_kg / max(inhabitants, 1)).quantize(
        Decimal("0.000001"), rounding=ROUND_HALF_UP
    )
    return PublicImpact(
        exchanges=overall.exchanges,
        mass_kg=overall.mass_kg,
        co2e_avoided_kg=overall.co2e_avoided_kg,
        co2e_upper_bound_kg=overall.co2e_upper_bound_kg,
        organisations=overall.organisations,
        space_m2_days=overall.space_m2_days,
        space_hours=overall.space_hours,
        space_days=overall.space_days,
        trend_from=start,
        trend_to=on,
        trend=_rows(recent.by_month),
        trend_mass_kg=recent.mass_kg,
        by_category=_rows(overall.by_category),
        by_organisation_kind=_rows(overall.by_organisation_kind),
        lost_listings=overall.value_lost.listings,
        lost_mass_kg=overall.value_lost.mass_kg,
        lost_co2e_kg=overall.value_lost.co2e_kg,
        inhabitants=inhabitants,
        kg_per_inhabitant=per_inhabitant,
        factor_set=overall.factor_set,
        sharing=_public_sharing(shared.total),
        sharing_by_category=tuple(_public_sharing(g) for g in shared.by_category),
        local_currency=summarise_local_currency(ReportFilters()),
    )


#: (language, day) pairs kept: two languages, today and perhaps yesterday.
_KEYS = 8


class _Cache:
    """Figures per (language, day), kept a few minutes per process: /impact is public and its
    two summaries would otherwise run for every visitor."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: TTLCache = TTLCache(maxsize=_KEYS, ttl=0, timer=time.monotonic)

    def get_or_compute(self, key: tuple, seconds: float, compute) -> PublicImpact:
        with self._lock:
            if self._entries.ttl != seconds:  # the setting changed: start afresh
                self._entries = TTLCache(maxsize=_KEYS, ttl=seconds, timer=time.monotonic)
            found = self._entries.get(key)
        if found is not None:
            return found
        value = compute()
        with self._lock:
            self._entries[key] = value
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def _cache() -> _Cache:
    """The app's cache (one per app: tests and the CLI may create several in one process)."""
    return current_app.extensions.setdefault("impact_figures_cache", _Cache())


def cache_seconds() -> float:
    configured = current_app.config.get("IMPACT_CACHE_SECONDS")
    if configured is None:
        return 0 if current_app.testing else DEFAULT_CACHE_SECONDS
    return float(configured)


def get_public_impact() -> PublicImpact:
    """The public figures, from the per-process cache when they are recent enough."""
    seconds = cache_seconds()
    if seconds <= 0:
        return compute_public_impact()
    key = (current_language(), today())
    return _cache().get_or_compute(key, seconds, compute_public_impact)


def public_chart_data(figures: PublicImpact) -> dict:
    """What static/js/reports-charts.js draws on /impact (the tables show the same rows)."""

    def series(rows: list[PublicRow], months: bool = False) -> dict:
        return {
            "labels": [month_label(r.key) if months else r.label for r in rows],
            "mass_kg": [float(r.mass_kg) for r in rows],
            "co2e_kg": [float(r.co2e_avoided_kg) for r in rows],
            "exchanges": [r.exchanges for r in rows],
        }

    return {
        "labels": {
            "mass_kg": _("kg reused"),
            "co2e_kg": _("kg CO2e avoided"),
            "exchanges": _("Exchanges"),
        },
        "trend": series(figures.trend, months=True),
        "by_category": series(figures.by_category[:12]),
        "by_organisation_kind": series(figures.by_organisation_kind),
    }
