"""Units of quantity and their conversion to mass."""

from decimal import ROUND_HALF_UP, Decimal

from flask_babel import lazy_gettext as _l

UNITS = ("kg", "t", "piece", "m", "m2", "m3", "l", "hour", "day")
MASS_UNITS = ("kg", "t")
TIME_UNITS = ("hour", "day")

UNIT_LABELS = {
    "kg": _l("kg"),
    "t": _l("t"),
    "piece": _l("pieces"),
    "m": _l("m"),
    "m2": _l("m²"),
    "m3": _l("m³"),
    "l": _l("litres"),
    "hour": _l("hours"),
    "day": _l("days"),
}
#: Labels for exactly one unit, where the language distinguishes them.
UNIT_LABELS_ONE = {
    "piece": _l("piece"),
    "l": _l("litre"),
    "hour": _l("hour"),
    "day": _l("day"),
}


def mass_kg(quantity: Decimal, unit: str, kg_per_unit: Decimal | None) -> Decimal | None:
    """Mass of a quantity: t x 1000, kg as is, other units through a weight per unit; None if unknown."""
    if unit == "kg":
        return Decimal(quantity)
    if unit == "t":
        return Decimal(quantity) * 1000
    if unit in TIME_UNITS or kg_per_unit is None:
        return None
    return Decimal(quantity) * Decimal(kg_per_unit)


def estimated_mass_kg(
    quantity: Decimal,
    unit: str,
    *,
    resource_type: str | None,
    listing_kg_per_unit: Decimal | None,
    category_kg_per_unit: Decimal | None,
) -> Decimal | None:
    """Mass of a quantity of a listing: the listing's weight per unit, else its category's;
    None for space and time (counted as space shared) and where no weight is known."""
    if resource_type == "space" or unit in TIME_UNITS:
        return None
    per_unit = listing_kg_per_unit if listing_kg_per_unit is not None else category_kg_per_unit
    return mass_kg(quantity, unit, per_unit)


def round_significant(value, digits: int = 2) -> Decimal:
    """`value` rounded half up to `digits` significant digits: 1234 -> 1200, 0.04567 -> 0.046
    (estimates carry no more precision than that)."""
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if not number.is_finite() or not number:
        return number
    exponent = number.adjusted() - digits + 1
    rounded = number.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_UP)
    return rounded if exponent < 0 else Decimal(int(rounded))
