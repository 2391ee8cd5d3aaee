"""The figures a report consists of (plain dataclasses, Decimal values; no Flask, no database)."""

import copy
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

ZERO = Decimal("0.000")


@dataclass
class Breakdown:
    """One group of a breakdown (a month, category, district, organisation or kind)."""

    key: str
    label: str
    exchanges: int = 0
    mass_kg: Decimal = ZERO
    co2e_avoided_kg: Decimal = ZERO

    def __deepcopy__(self, memo) -> "Breakdown":
        return copy.copy(self)  # every field is immutable: a shallow copy is a deep one


@dataclass
class ValueLost:
    """Unclaimed remainders of offers that expired or were withdrawn in the period.
    In its breakdowns `exchanges` holds the number of listings."""

    listings: int = 0
    mass_kg: Decimal = ZERO
    co2e_kg: Decimal = ZERO
    by_category: list[Breakdown] = field(default_factory=list)
    by_district: list[Breakdown] = field(default_factory=list)


@dataclass
class LostListing:
    """One offer behind the value lost."""

    listing_id: int
    title: str
    organisation_id: int
    organisation: str
    category: str
    category_label: str
    district: str | None
    quantity_remaining: Decimal
    unit: str
    mass_kg: Decimal | None
    co2e_kg: Decimal | None
    ended_on: date
    reason: str  # "expired" | "withdrawn"


@dataclass
class ExchangeRow:
    """One completed exchange as exported (CSV columns first, then extras for XLSX/JSON)."""

    completed_at: datetime  # aware, Europe/Berlin
    exchange_id: int
    provider: str
    receiver: str
    category: str
    quantity: Decimal
    unit: str
    mass_kg: Decimal | None
    co2e_avoided_kg: Decimal | None
    factor_source: str | None
    district: str | None
    mass_basis: str | None = None
    factor_basis: str | None = None
    co2e_factor: Decimal | None = None
    factor_version: str | None = None
    value_eur: Decimal | None = None
    provider_kind: str | None = None
    receiver_kind: str | None = None
    space_m2_days: Decimal | None = None
    space_hours: Decimal | None = None
    space_days: Decimal | None = None
    transport_co2e_kg: Decimal | None = None


@dataclass
class FactorRow:
    """A category's weight and CO2e factor with their sources (method page, XLSX "Method")."""

    slug: str
    label: str
    resource_type: str
    parent: str | None
    co2e_factor: Decimal | None
    basis: str | None
    source: str | None
    kg_per_unit: Decimal | None
    default_unit: str
    weight_source: str | None
    taxonomy_version: str

    @property
    def upper_bound(self) -> bool:
        return self.basis == "upper_bound"


@dataclass
class Summary:
    """Totals and breakdowns of completed exchanges for a set of filters."""

    filters: object  # ReportFilters
    date_from: date | None
    date_to: date | None
    exchanges: int = 0
    mass_kg: Decimal = ZERO
    mass_weighed_kg: Decimal = ZERO
    mass_estimated_kg: Decimal = ZERO
    exchanges_mass_unknown: int = 0
    co2e_avoided_kg: Decimal = ZERO
    co2e_upper_bound_kg: Decimal = ZERO
    transport_co2e_kg: Decimal = ZERO
    value_eur: Decimal = Decimal("0.00")
    organisations: int = 0
    space_m2_days: Decimal = ZERO
    space_hours: Decimal = ZERO
    space_days: Decimal = ZERO
    by_month: list[Breakdown] = field(default_factory=list)
    by_category: list[Breakdown] = field(default_factory=list)
    by_district: list[Breakdown] = field(default_factory=list)
    by_organisation: list[Breakdown] = field(default_factory=list)
    by_organisation_kind: list[Breakdown] = field(default_factory=list)
    value_lost: ValueLost = field(default_factory=ValueLost)
    factor_set: str = ""

    @property
    def exchanges_with_mass(self) -> int:
        return self.exchanges - self.exchanges_mass_unknown
