"""Builders for report tests: completed exchanges written straight into the database (with the
reuse record a completion would store), so that report figures can be checked against them."""

from datetime import datetime
from decimal import Decimal

from marketplace.categories.models import Category
from marketplace.exchanges.models import Exchange
from marketplace.extensions import db
from marketplace.listings.models import Listing
from marketplace.orgs.models import Organisation
from tests import factories


def offer(org: Organisation, category: str = "pallets", district: str | None = "Mitte", **kw):
    """An offer of `org` in `district` (the district a report groups the exchange under)."""
    return factories.listing(
        organisation=org, category=factories.category(category), district=district, **kw
    )


def completed(
    offer: Listing,
    receiver: Organisation,
    completed_at: datetime,
    *,
    quantity: str = "4",
    unit: str | None = None,
    mass_kg: str | None = "100",
    mass_basis: str | None = "estimated",
    factor: str | None = None,
    factor_basis: str | None = None,
    factor_source: str | None = None,
    value_eur: str = "0",
    space_m2_days: str | None = None,
    space_hours: str | None = None,
    space_days: str | None = None,
    transport_co2e_kg: str | None = None,
    category: Category | None = None,
    status: str = "completed",
) -> Exchange:
    """A completed exchange of part of `offer` to `receiver`, with its reuse record."""
    category = category or offer.category
    factor_value = Decimal(factor) if factor is not None else category.co2e_factor
    mass = None if mass_kg is None else Decimal(mass_kg)
    co2e = None
    if mass is not None and factor_value is not None:
        co2e = (mass * factor_value).quantize(Decimal("0.001"))
    exchange = Exchange(
        offer_id=offer.id,
        provider_id=offer.organisation_id,
        receiver_id=receiver.id,
        category_id=category.id,
        quantity=Decimal(quantity),
        quantity_completed=Decimal(quantity),
        unit=unit or offer.unit,
        status=status,
        created_at=completed_at,
        accepted_at=completed_at,
        completed_at=completed_at if status == "completed" else None,
        mass_kg=mass,
        mass_basis=mass_basis if mass is not None or mass_basis == "unknown" else None,
        co2e_avoided_kg=co2e,
        co2e_factor=factor_value if co2e is not None else None,
        factor_source=(factor_source or category.factor_source) if co2e is not None else None,
        factor_basis=(factor_basis or category.factor_basis) if co2e is not None else None,
        factor_version=category.taxonomy_version if co2e is not None else None,
        value_eur=Decimal(value_eur),
        space_m2_days=None if space_m2_days is None else Decimal(space_m2_days),
        space_hours=None if space_hours is None else Decimal(space_hours),
        space_days=None if space_days is None else Decimal(space_days),
        transport_co2e_kg=None if transport_co2e_kg is None else Decimal(transport_co2e_kg),
    )
    db.session.add(exchange)
    db.session.commit()
    return exchange
