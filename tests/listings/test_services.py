"""Listing services: validation, defaults, rights, the quantity rule and withdrawal."""

from datetime import timedelta
from decimal import Decimal

import pytest

from marketplace.core.clock import today
from marketplace.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from marketplace.extensions import db
from marketplace.listings.services import create_listing, update_listing, withdraw_listing

pytestmark = pytest.mark.usefixtures("request_ctx")


def offer_data(**changes):
    data = {
        "kind": "offer",
        "title": "  Europaletten, gut erhalten  ",
        "description": "Abzuholen im Hof.",
        "category": "pallets",
        "quantity": "40",
    }
    data.update(changes)
    return data


def errors_of(call) -> dict:
    with pytest.raises(ValidationFailed) as caught:
        call()
    return caught.value.fields


def test_create_fills_defaults_from_organisation_and_category(make):
    user = make.user(organisation=make.organisation(postcode="10115", district="Mitte"))
    listing = create_listing(user.organisation, user, offer_data())
    db.session.commit()
    assert listing.title == "Europaletten, gut erhalten"
    assert listing.status == "open"
    assert listing.unit == "piece"  # the pallets category's default unit
    assert listing.quantity == listing.quantity_remaining == Decimal("40")
    assert listing.postcode == "10115" and listing.district == "Mitte"
    assert listing.lat == pytest.approx(52.53, abs=0.05)
    assert listing.price_eur == 0 and listing.is_free
    assert listing.created_by_id == user.id
    assert listing.organisation_id == user.organisation_id


def test_other_postcode_does_not_take_the_organisations_district(make):
    user = make.user(organisation=make.organisation(postcode="10115", district="Mitte"))
    elsewhere = create_listing(user.organisation, user, offer_data(postcode="80331"))
    named = create_listing(
        user.organisation, user, offer_data(postcode="80331", district="Altstadt")
    )
    assert elsewhere.district is None
    assert named.district == "Altstadt"
    assert elsewhere.lat == pytest.approx(48.14, abs=0.05)


def test_german_decimal_comma_and_prices(make):
    user = make.user()
    listing = create_listing(
        user.organisation,
        user,
        offer_data(quantity="2,5", unit="m3", price_eur="12,50", kg_per_unit="1.234,5"),
    )
    assert listing.quantity == Decimal("2.5")
    assert listing.price_eur == Decimal("12.50")
    assert listing.kg_per_unit == Decimal("1234.5")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "gift"}, "kind"),
        ({"kind": ["offer"]}, "kind"),
        ({"title": "  ab "}, "title"),
        ({"title": 12345}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"description": "x" * 5001}, "description"),
        ({"category": "unobtainium"}, "category"),
        ({"quantity": "0"}, "quantity"),
        ({"quantity": "-3"}, "quantity"),
        ({"quantity": "1.2345"}, "quantity"),
        ({"quantity": "1000000001"}, "quantity"),
        ({"quantity": "viele"}, "quantity"),
        ({"quantity": "NaN"}, "quantity"),
        ({"quantity": True}, "quantity"),
        ({"unit": "bushel"}, "unit"),
        ({"kg_per_unit": "-1"}, "kg_per_unit"),
        ({"condition": "mint"}, "condition"),
        ({"condition": {"state": "good"}}, "condition"),
        ({"price_eur": "-5"}, "price_eur"),
        ({"price_eur": "1.999"}, "price_eur"),
        ({"postcode": "00000"}, "postcode"),
        ({"postcode": "abc"}, "postcode"),
        ({"available_until": "2020-01-01"}, "available_until"),
        ({"available_until": "31.12.2030"}, "available_until"),
    ],
)
def test_invalid_fields_are_reported_per_field_and_nothing_is_saved(make, changes, field):
    user = make.user()
    fields = errors_of(lambda: create_listing(user.organisation, user, offer_data(**changes)))
    assert field in fields and fields[field]
    db.session.rollback()
    from marketplace.listings.models import Listing

    assert db.session.query(Listing).count() == 0


def test_all_problems_are_reported_at_once(make):
    user = make.user()
    fields = errors_of(
        lambda: create_listing(
            user.organisation, user, {"kind": "offer", "title": "", "quantity": "-1"}
        )
    )
    assert {"title", "category", "quantity"} <= set(fields)


def test_available_until_today_is_fine(make):
    user = make.user()
    listing = create_listing(user.organisation, user, offer_data(available_until=today()))
    assert listing.available_until == today()


def test_request_has_no_condition(make):
    user = make.user()
    listing = create_listing(user.organisation, user, offer_data(kind="request", condition="good"))
    assert listing.kind == "request" and listing.condition is None


def test_mass_assignment_is_ignored(make):
    user = make.user()
    other = make.organisation()
    listing = create_listing(
        user.organisation,
        user,
        offer_data(
            status="closed",
            organisation_id=other.id,
            organisation=other,
            quantity_remaining="1",
            id=4242,
            created_by_id=999,
        ),
    )
    db.session.commit()
    assert listing.status == "open"
    assert listing.organisation_id == user.organisation_id
    assert listing.quantity_remaining == Decimal("40")
    assert listing.id != 4242
    assert listing.created_by_id == user.id


def test_cannot_post_for_another_organisation(make):
    user = make.user()
    with pytest.raises(PermissionDenied):
        create_listing(make.organisation(), user, offer_data())


def test_update_changes_given_fields_only(make):
    user = make.user()
    listing = make.listing(organisation=user.organisation, description="Alt")
    update_listing(listing, user, {"title": "Neue Paletten", "price_eur": "5"})
    db.session.commit()
    assert listing.title == "Neue Paletten"
    assert listing.price_eur == Decimal("5.00")
    assert listing.description == "Alt"


def test_kind_cannot_change(make):
    user = make.user()
    listing = make.listing(organisation=user.organisation, kind="offer")
    fields = errors_of(lambda: update_listing(listing, user, {"kind": "request"}))
    assert "kind" in fields
    update_listing(listing, user, {"kind": "offer", "title": "Gleiche Art"})
    assert listing.kind == "offer"


def test_update_quantity_keeps_what_exchanges_took(make):
    user = make.user()
    listing = make.listing(
        organisation=user.organisation, quantity=Decimal("40"), quantity_remaining=Decimal("30")
    )
    update_listing(listing, user, {"quantity": "25"})
    db.session.commit()
    assert (listing.quantity, listing.quantity_remaining) == (Decimal("25"), Decimal("15"))

    fields = errors_of(lambda: update_listing(listing, user, {"quantity": "5"}))
    assert "quantity" in fields
    db.session.rollback()
    assert (listing.quantity, listing.quantity_remaining) == (Decimal("25"), Decimal("15"))


def test_quantity_down_to_what_was_taken_reserves_and_up_again_reopens(make):
    user = make.user()
    listing = make.listing(
        organisation=user.organisation, quantity=Decimal("40"), quantity_remaining=Decimal("30")
    )
    update_listing(listing, user, {"quantity": "10"})
    assert listing.quantity_remaining == 0 and listing.status == "reserved"
    update_listing(listing, user, {"quantity": "12.5"})
    assert listing.quantity_remaining == Decimal("2.5") and listing.status == "open"


def test_only_members_may_edit_or_withdraw(make):
    owner = make.user()
    stranger = make.user()
    listing = make.listing(organisation=owner.organisation)
    with pytest.raises(PermissionDenied):
        update_listing(listing, stranger, {"title": "Gekapert"})
    with pytest.raises(PermissionDenied):
        withdraw_listing(listing, stranger)
    db.session.rollback()
    assert listing.title != "Gekapert" and listing.status == "open"


def test_withdraw_keeps_the_listing_and_hides_it_from_others(make):
    owner = make.user()
    stranger = make.user()
    listing = make.listing(organisation=owner.organisation)
    withdraw_listing(listing, owner)
    db.session.commit()
    assert listing.status == "withdrawn" and listing.ended_at is not None
    ended = listing.ended_at
    withdraw_listing(listing, owner)  # again: nothing changes
    assert listing.ended_at == ended
    with pytest.raises(NotFound):
        update_listing(listing, stranger, {"title": "Noch da?"})
    with pytest.raises(InvalidTransition):
        update_listing(listing, owner, {"title": "Wieder da"})


@pytest.mark.parametrize("status", ["closed", "expired"])
def test_only_live_listings_can_be_edited_or_withdrawn(make, status):
    user = make.user()
    listing = make.listing(organisation=user.organisation, status=status)
    with pytest.raises(InvalidTransition):
        update_listing(listing, user, {"title": "Geht nicht"})
    with pytest.raises(InvalidTransition):
        withdraw_listing(listing, user)


def test_past_due_listing_counts_as_expired_before_the_sweep(make):
    user = make.user()
    listing = make.listing(
        organisation=user.organisation, available_until=today() - timedelta(days=1)
    )
    with pytest.raises(InvalidTransition):
        update_listing(listing, user, {"title": "Verlängert?"})
