"""Reuse records written at completion: mass, CO2e with its source, space shared, transport."""

from datetime import timedelta
from decimal import Decimal

import pytest

from marketplace.categories.models import Category
from marketplace.core.clock import today
from marketplace.core.errors import ValidationFailed
from marketplace.exchanges import impact
from marketplace.exchanges.services import accept_exchange, complete_exchange, propose_exchange
from marketplace.extensions import db
from tests.exchanges.helpers import fresh, parties


def _complete(p, quantity, **kw):
    exchange = propose_exchange(p.receiver, p.offer, quantity)
    db.session.commit()
    accept_exchange(p.provider, exchange)
    db.session.commit()
    complete_exchange(p.receiver, exchange, **kw)
    db.session.commit()
    return fresh(exchange)


def test_four_pallets_of_25_kg_are_100_kg_and_100_times_the_factor(make):
    p = parties(quantity="10", category="pallets")
    pallets = make.category("pallets")
    assert pallets.kg_per_unit == Decimal("25")
    exchange = _complete(p, "4")
    assert exchange.mass_kg == Decimal("100")
    assert exchange.mass_basis == "estimated"
    assert exchange.co2e_factor == pallets.co2e_factor
    assert exchange.co2e_avoided_kg == Decimal("100") * pallets.co2e_factor == Decimal("23.1")
    assert exchange.factor_source == pallets.factor_source and "DEFRA" in exchange.factor_source
    assert exchange.factor_basis == "primary_minus_reuse"
    assert exchange.factor_version == pallets.taxonomy_version


def test_a_later_factor_update_does_not_rewrite_history(make):
    p = parties(quantity="10", category="pallets")
    exchange = _complete(p, "4")
    pallets = make.category("pallets")
    old = pallets.co2e_factor, pallets.factor_source
    try:
        pallets.co2e_factor, pallets.factor_source = Decimal("0.5"), "A newer study"
        db.session.commit()
        exchange = fresh(exchange)
        assert exchange.co2e_avoided_kg == Decimal("23.1")
        assert "DEFRA" in exchange.factor_source
    finally:
        pallets = db.session.get(Category, pallets.id)
        pallets.co2e_factor, pallets.factor_source = old
        db.session.commit()


def test_the_listings_own_weight_wins_over_the_categorys(make):
    p = parties(quantity="10", category="pallets", kg_per_unit=Decimal("20"))
    assert _complete(p, "4").mass_kg == Decimal("80")


def test_weighed_mass_replaces_the_estimate(make):
    p = parties(quantity="10", category="pallets")
    exchange = _complete(p, "4", weighed_kg="91.5")
    assert (exchange.mass_kg, exchange.mass_basis) == (Decimal("91.5"), "weighed")
    assert exchange.co2e_avoided_kg == Decimal("21.137")  # 91.5 x 0.231, rounded to grams


def test_tonnes_are_converted_to_kg(make):
    p = parties(quantity="2", unit="t", category="aggregates")
    exchange = _complete(p, "1.5")
    assert exchange.mass_kg == Decimal("1500")
    assert exchange.co2e_avoided_kg == Decimal("8.4")  # 1500 x 0.0056


def test_unknown_weight_leaves_mass_and_co2e_unknown(make):
    p = parties(quantity="10", unit="piece", category="tools")
    exchange = _complete(p, "3")
    assert (exchange.mass_kg, exchange.mass_basis, exchange.co2e_avoided_kg) == (
        None,
        "unknown",
        None,
    )
    assert exchange.factor_source is None


def test_meeting_room_hours_are_space_shared_not_mass(make):
    p = parties(quantity="8", unit="hour", category="meeting-rooms")
    exchange = _complete(p, "3")
    assert exchange.space_hours == Decimal("3")
    assert exchange.mass_kg is None and exchange.co2e_avoided_kg is None
    assert exchange.mass_basis is None


def test_days_of_a_workshop_are_space_shared(make):
    p = parties(quantity="5", unit="day", category="workshop-space")
    assert _complete(p, "2").space_days == Decimal("2")


def test_storage_area_counts_m2_times_the_days_of_the_offer(make):
    p = parties(
        quantity="120",
        unit="m2",
        category="storage-space",
        available_until=today() + timedelta(days=9),
    )
    exchange = _complete(p, "30")
    days = (p.offer.available_until - p.offer.created_at.date()).days + 1
    assert exchange.space_m2_days == Decimal(30 * days)
    assert exchange.mass_kg is None
    assert fresh(p.offer).quantity_remaining == Decimal("90")


def test_storage_area_without_an_end_date_has_no_m2_days(make):
    p = parties(quantity="120", unit="m2", category="storage-space", available_until=None)
    exchange = _complete(p, "30")
    assert exchange.space_m2_days is None


def test_space_has_no_weight_to_enter(make):
    p = parties(quantity="8", unit="hour", category="meeting-rooms")
    exchange = propose_exchange(p.receiver, p.offer, "3")
    accept_exchange(p.provider, exchange)
    with pytest.raises(ValidationFailed) as caught:
        complete_exchange(p.receiver, exchange, weighed_kg="10")
    assert "weighed_kg" in caught.value.fields


def test_transport_by_car_is_stored_apart_and_never_subtracted(make):
    p = parties(quantity="10", category="pallets")
    exchange = _complete(p, "4", transport_mode="car")
    assert exchange.distance_km is not None and exchange.distance_km > 0
    assert exchange.transport_co2e_kg == (exchange.distance_km * Decimal("0.17")).quantize(
        Decimal("0.001")
    )
    assert exchange.co2e_avoided_kg == Decimal("23.1")


def test_transport_by_bike_deducts_nothing(make):
    p = parties(quantity="10", category="pallets")
    assert _complete(p, "4", transport_mode="bike").transport_co2e_kg == Decimal("0")


def test_unknown_transport_mode_is_refused(make):
    p = parties(quantity="10", category="pallets")
    exchange = propose_exchange(p.receiver, p.offer, "3")
    accept_exchange(p.provider, exchange)
    with pytest.raises(ValidationFailed) as caught:
        complete_exchange(p.receiver, exchange, transport_mode="rocket")
    assert "transport_mode" in caught.value.fields


def test_value_is_price_times_quantity_and_zero_when_free(make):
    sold = parties(quantity="10", category="pallets", price="2.50")
    assert _complete(sold, "4").value_eur == Decimal("10.00")


def test_free_hand_over_has_no_value(make):
    given = parties(quantity="10", category="pallets")
    assert _complete(given, "4").value_eur == Decimal("0")


# The pure conversion, without a database.


@pytest.mark.parametrize(
    ("quantity", "unit", "listing_kg", "category_kg", "expected"),
    [
        ("2", "t", None, None, Decimal("2000")),
        ("7.5", "kg", Decimal("3"), None, Decimal("7.5")),
        ("4", "piece", None, Decimal("25"), Decimal("100")),
        ("3", "m", Decimal("1.2"), Decimal("9"), Decimal("3.6")),
        ("2", "m3", None, Decimal("500"), Decimal("1000")),
        ("10", "l", Decimal("1"), None, Decimal("10")),
        ("4", "piece", None, None, None),
    ],
)
def test_mass_from_the_unit(quantity, unit, listing_kg, category_kg, expected):
    record = impact.reuse_record(
        Decimal(quantity),
        unit,
        resource_type="material",
        listing_kg_per_unit=listing_kg,
        category_kg_per_unit=category_kg,
        factor=impact.Factor(None),
    )
    assert record.mass_kg == expected


def test_equipment_hired_by_the_day_is_time_shared_not_mass():
    record = impact.reuse_record(
        Decimal("3"),
        "day",
        resource_type="equipment",
        listing_kg_per_unit=Decimal("5"),
        category_kg_per_unit=None,
        factor=impact.Factor(Decimal("1")),
    )
    assert (record.space_days, record.mass_kg, record.co2e_avoided_kg) == (Decimal("3"), None, None)
