"""Reuse records: mass, CO2e avoided, space shared and transport, computed at completion (pure).

Method (also shown on the method page):
- mass: t x 1000, kg as is; piece, m, m2, m3, l x the listing's kg per unit, else the category's;
  unknown (None) when neither is known. A mass weighed at hand-over replaces the estimate.
- CO2e avoided = mass x the category's factor in force at completion; the factor, its source,
  basis and taxonomy version are copied onto the exchange so later updates never rewrite history.
- Space (a `space` category, or the units hour and day) has no mass; it counts as space shared:
  hours for `hour`, days for `day`, and for `m2` the area x the days of the offer's date range
  (from the day it was listed to its available-until date, both included). Without an end date
  the m2 x days figure stays unknown.
- Transport (optional): straight-line distance between the two organisations x a per-km factor
  for the mode. It is stored separately and never subtracted from the CO2e avoided.
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from marketplace.core.units import MASS_UNITS, counts_as_space, estimated_mass_kg

#: kg CO2 per km for each transport mode (reference-figures.md: a car at about 0.17 kg/km, the
#: figure Olio uses); cycling and walking emit nothing to deduct.
TRANSPORT_FACTORS_KG_PER_KM: dict[str, Decimal] = {
    "car": Decimal("0.17"),
    "bike": Decimal("0"),
    "foot": Decimal("0"),
}

_KG = Decimal("0.001")
_KM = Decimal("0.01")
_EUR = Decimal("0.01")


@dataclass(frozen=True)
class Factor:
    """A category's CO2e factor as it stands, with where it comes from."""

    value: Decimal | None
    source: str | None = None
    basis: str | None = None
    version: str | None = None


@dataclass(frozen=True)
class ReuseRecord:
    mass_kg: Decimal | None = None
    mass_basis: str | None = None
    co2e_avoided_kg: Decimal | None = None
    co2e_factor: Decimal | None = None
    factor_source: str | None = None
    factor_basis: str | None = None
    factor_version: str | None = None
    space_m2_days: Decimal | None = None
    space_hours: Decimal | None = None
    space_days: Decimal | None = None


def date_range_days(start: date | None, end: date | None) -> int | None:
    """Days from start to end, both included; None without an end (or an end before the start)."""
    if start is None or end is None or end < start:
        return None
    return (end - start).days + 1


def reuse_record(
    quantity: Decimal,
    unit: str,
    *,
    resource_type: str | None,
    listing_kg_per_unit: Decimal | None,
    category_kg_per_unit: Decimal | None,
    factor: Factor,
    weighed_kg: Decimal | None = None,
    range_days: int | None = None,
) -> ReuseRecord:
    """The reuse record of a hand-over of `quantity` `unit`."""
    quantity = Decimal(quantity)
    if counts_as_space(unit, resource_type):
        return ReuseRecord(
            space_hours=quantity if unit == "hour" else None,
            space_days=quantity if unit == "day" else None,
            space_m2_days=_q(quantity * range_days, _KG)
            if unit == "m2" and range_days is not None
            else None,
        )
    if weighed_kg is not None:
        mass, basis = Decimal(weighed_kg), "weighed"
    else:
        mass = estimated_mass_kg(
            quantity,
            unit,
            resource_type=resource_type,
            listing_kg_per_unit=listing_kg_per_unit,
            category_kg_per_unit=category_kg_per_unit,
        )
        basis = "estimated" if mass is not None else "unknown"
    mass = _q(mass, _KG)
    if mass is None or factor.value is None:
        return ReuseRecord(mass_kg=mass, mass_basis=basis)
    return ReuseRecord(
        mass_kg=mass,
        mass_basis=basis,
        co2e_avoided_kg=_q(mass * Decimal(factor.value), _KG),
        co2e_factor=Decimal(factor.value),
        factor_source=factor.source,
        factor_basis=factor.basis,
        factor_version=factor.version,
    )


def transport_co2e_kg(distance_km: Decimal | None, mode: str | None) -> Decimal | None:
    """distance x the mode's factor; None when either is unknown."""
    if distance_km is None or mode is None or mode not in TRANSPORT_FACTORS_KG_PER_KM:
        return None
    return _q(Decimal(distance_km) * TRANSPORT_FACTORS_KG_PER_KM[mode], _KG)


def exchange_value_eur(price_eur: Decimal | None, quantity: Decimal) -> Decimal:
    """Price per unit x quantity handed over; 0 for a free hand-over."""
    if not price_eur:
        return Decimal("0.00")
    return _q(Decimal(price_eur) * Decimal(quantity), _EUR)


def quantity_towards_request(
    request_unit: str, exchange_unit: str, quantity: Decimal, mass: Decimal | None
) -> Decimal | None:
    """How much a hand-over fulfils of a request, in the request's unit: the quantity when the
    units agree, the mass when the request counts kg or t; None when they cannot be compared."""
    if request_unit == exchange_unit:
        return Decimal(quantity)
    if request_unit in MASS_UNITS and mass is not None:
        return Decimal(mass) if request_unit == "kg" else Decimal(mass) / 1000
    return None


def rounded_km(value: float | None) -> Decimal | None:
    return None if value is None else _q(Decimal(str(value)), _KM)


def _q(value: Decimal | None, step: Decimal) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(step, rounding=ROUND_HALF_UP)
