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


#: Significant digits an estimated headline carries (typical weights and published factors are
#: good to a few per cent at best, so 1,284.5 kg CO2e is shown as about 1,300).
ESTIMATE_DIGITS = 2


def round_significant(value: Decimal, digits: int = ESTIMATE_DIGITS) -> Decimal:
    """`value` rounded to `digits` significant digits: 1284.5 -> 1300, 0.04567 -> 0.046."""
    value = Decimal(value)
    if not value:
        return Decimal(0)
    exponent = value.adjusted() - digits + 1
    rounded = value.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_UP)
    # Rounding up can add a digit (99.6 -> 1.0E+2): quantize once more to the new magnitude.
    if rounded.adjusted() != value.adjusted():
        exponent = rounded.adjusted() - digits + 1
        rounded = rounded.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_UP)
    return rounded if exponent <= 0 else rounded.quantize(Decimal(1))
