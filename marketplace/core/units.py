"""Units of quantity and their conversion to mass (pure: no Flask; labels in unit_labels.py)."""

from decimal import ROUND_HALF_UP, Decimal

UNITS = ("kg", "t", "piece", "m", "m2", "m3", "l", "hour", "day")
MASS_UNITS = ("kg", "t")
TIME_UNITS = ("hour", "day")

#: The mass of one unit of the units that are masses.
MASS_UNIT_KG = {"kg": Decimal(1), "t": Decimal(1000)}


def counts_as_space(unit: str, resource_type: str | None) -> bool:
    """Space and time are counted as space shared, never as mass."""
    return resource_type == "space" or unit in TIME_UNITS


def unit_mass_kg(
    unit: str,
    *,
    resource_type: str | None,
    listing_kg_per_unit: Decimal | None,
    category_kg_per_unit: Decimal | None,
) -> Decimal | None:
    """Mass of one unit of a listing: 1 for kg, 1000 for t, else the listing's weight per unit,
    else its category's; None for space and time and where no weight is known."""
    if counts_as_space(unit, resource_type):
        return None
    if unit in MASS_UNIT_KG:
        return MASS_UNIT_KG[unit]
    per_unit = listing_kg_per_unit if listing_kg_per_unit is not None else category_kg_per_unit
    return None if per_unit is None else Decimal(per_unit)


def estimated_mass_kg(
    quantity: Decimal,
    unit: str,
    *,
    resource_type: str | None,
    listing_kg_per_unit: Decimal | None,
    category_kg_per_unit: Decimal | None,
) -> Decimal | None:
    """Mass of a quantity of a listing (unit_mass_kg times the quantity); None if unknown. The
    one rule of the panel, the board, the allocation, hand-overs and value lost."""
    per_unit = unit_mass_kg(
        unit,
        resource_type=resource_type,
        listing_kg_per_unit=listing_kg_per_unit,
        category_kg_per_unit=category_kg_per_unit,
    )
    return None if per_unit is None else Decimal(quantity) * per_unit


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
