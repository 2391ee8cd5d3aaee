"""core/units.py's mass rule applied to a listing: as Python on a loaded listing (with its
category) and as SQL for reports that sum it over many."""

from decimal import Decimal

from sqlalchemy import case, func, or_

from marketplace.categories.models import Category
from marketplace.core.units import MASS_UNIT_KG, TIME_UNITS, unit_mass_kg
from marketplace.listings.models import Listing


def unit_mass_of(listing: Listing) -> Decimal | None:
    """Mass of one unit of the listing (core.units.unit_mass_kg)."""
    category = listing.category
    return unit_mass_kg(
        listing.unit,
        resource_type=category.resource_type,
        listing_kg_per_unit=listing.kg_per_unit,
        category_kg_per_unit=category.kg_per_unit,
    )


def mass_of(listing: Listing, quantity: Decimal) -> Decimal | None:
    """Mass of `quantity` of the listing in its unit; None when unknown."""
    per_unit = unit_mass_of(listing)
    return None if per_unit is None else Decimal(quantity) * per_unit


def mass_sql(quantity, listing=Listing, category=Category):
    """SQL form of the same rule: `quantity` of `listing` (a row of listings joined to its
    category) in kg, NULL when unknown."""
    per_unit = func.coalesce(listing.kg_per_unit, category.kg_per_unit)
    return case(
        (or_(category.resource_type == "space", listing.unit.in_(TIME_UNITS)), None),
        *((listing.unit == unit, quantity * kg) for unit, kg in MASS_UNIT_KG.items()),
        else_=quantity * per_unit,
    )
