"""The one mass rule (core/units.py) and its SQL form (listings/mass.py) agree."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from marketplace.categories.models import Category
from marketplace.core.units import estimated_mass_kg, unit_mass_kg
from marketplace.extensions import db
from marketplace.listings.mass import mass_of, mass_sql
from marketplace.listings.models import Listing

CASES = [
    # unit, resource type, listing kg, category kg, kg of one unit
    ("kg", "material", Decimal("3"), None, Decimal(1)),
    ("t", "material", None, Decimal("25"), Decimal(1000)),
    ("piece", "material", None, Decimal("25"), Decimal(25)),
    ("piece", "material", Decimal("20"), Decimal("25"), Decimal(20)),
    ("m", "material", None, Decimal("25"), Decimal(25)),
    ("piece", "material", None, None, None),
    ("hour", "equipment", Decimal("5"), None, None),
    ("m2", "space", Decimal("5"), Decimal("5"), None),
    ("kg", "space", None, None, None),
]


@pytest.mark.parametrize(("unit", "resource_type", "own", "category", "expected"), CASES)
def test_unit_mass(unit, resource_type, own, category, expected):
    kw = {
        "resource_type": resource_type,
        "listing_kg_per_unit": own,
        "category_kg_per_unit": category,
    }
    assert unit_mass_kg(unit, **kw) == expected
    mass = estimated_mass_kg(Decimal("2.5"), unit, **kw)
    assert mass == (None if expected is None else Decimal("2.5") * expected)


def test_python_and_sql_agree(make):
    material = make.category("pallets")
    space = make.category("meeting-rooms")
    listings = [
        make.listing(category=material, unit="piece", quantity=Decimal(4)),
        make.listing(category=material, unit="piece", quantity=Decimal(4), kg_per_unit=Decimal(7)),
        make.listing(category=material, unit="t", quantity=Decimal("1.5")),
        make.listing(category=material, unit="m", quantity=Decimal(2)),
        make.listing(category=material, unit="hour", quantity=Decimal(2)),
        make.listing(category=space, unit="m2", quantity=Decimal(30)),
    ]
    db.session.flush()
    rows = dict(
        db.session.execute(
            select(Listing.id, mass_sql(Listing.quantity_remaining))
            .join(Category, Category.id == Listing.category_id)
            .where(Listing.id.in_([x.id for x in listings]))
        ).all()
    )
    for x in listings:
        python = mass_of(x, x.quantity_remaining)
        sql = rows[x.id]
        assert (None if sql is None else Decimal(str(sql))) == python, x.unit
