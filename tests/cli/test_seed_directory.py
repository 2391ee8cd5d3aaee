"""The demo region's directory: what every organisation does for the region (functions A-H),
further sites, meeting places with rooms to book, and the gaps a coordinator should see."""

from collections import defaultdict
from datetime import datetime

import pytest
from sqlalchemy import select

from marketplace.categories.models import Category
from marketplace.cli.seed import load_demo_data, seed_demo_region
from marketplace.core.geo import postcode_coordinates
from marketplace.directory.functions import function_codes
from marketplace.directory.gaps import function_matrix
from marketplace.directory.models import NOTE_MAX, OrganisationFunction, OrganisationSite
from marketplace.extensions import db
from marketplace.listings.models import Listing

NOW = datetime(2026, 3, 2, 9, 30)
#: The coworking space, the neighbourhood centre and the social café.
MEETING_PLACES = ("coworking", "nachbarschaftszentrum", "kolibri")


@pytest.fixture
def region(app_ctx):
    return seed_demo_region(now=NOW, password_hash="not-a-real-hash")


def _claims() -> dict[int, dict[str, OrganisationFunction]]:
    claims: dict[int, dict[str, OrganisationFunction]] = defaultdict(dict)
    for claim in db.session.scalars(select(OrganisationFunction)):
        claims[claim.organisation_id][claim.code] = claim
    return claims


def test_every_demo_organisation_says_what_it_does_for_the_region(region):
    claims = _claims()
    for key, organisation in region.organisations.items():
        assert 1 <= len(claims[organisation.id]) <= 4, key
        for claim in claims[organisation.id].values():
            assert 20 <= len(claim.note) <= NOTE_MAX, (key, claim.code)
            assert organisation.created_at < claim.created_at == claim.updated_at <= NOW
    assert {code for by_code in claims.values() for code in by_code} == set(function_codes())
    assert len(region.functions) == sum(len(by_code) for by_code in claims.values())


def test_the_coordinator_confirmed_some_claims(region):
    coordinator = next(user for user in region.logins if user.is_coordinator)
    verified = [claim for claim in region.functions if claim.verified]
    assert 5 <= len(verified) < len(region.functions) / 2
    for claim in verified:
        assert claim.verified_by_id == coordinator.id
        assert claim.created_at < claim.verified_at <= NOW
    # Nobody confirms a claim for the organisation they work for.
    assert all(c.organisation_id != coordinator.organisation_id for c in verified)


def test_a_few_organisations_have_further_sites(region):
    sites = db.session.scalars(select(OrganisationSite)).all()
    assert len({site.organisation_id for site in sites}) >= 2
    assert len(region.sites) == len(sites)
    for site in sites:
        assert site.postcode.startswith("04") and site.district
        assert (site.lat, site.lon) == postcode_coordinates(site.postcode)
    centre = region.organisations["nachbarschaftszentrum"]
    assert any(s.organisation_id == centre.id and s.district != centre.district for s in sites)


def test_the_meeting_places_run_social_meeting_places_with_rooms_to_book(region):
    claims = _claims()
    space = select(Category.id).where(Category.resource_type == "space")
    for key in MEETING_PLACES:
        organisation = region.organisations[key]
        assert "G" in claims[organisation.id], key
        rooms = db.session.scalars(
            select(Listing).where(
                Listing.organisation_id == organisation.id,
                Listing.kind == "offer",
                Listing.status == "open",
                Listing.category_id.in_(space),
            )
        ).all()
        assert rooms, key
    cafe = region.organisations["kolibri"]
    assert postcode_coordinates(cafe.postcode) and cafe.district != "Grünau-Mitte"


def test_the_gaps_are_believable(region):
    matrix = function_matrix()
    assert "Grünau-Mitte" in matrix.districts  # the youth workshop is there ...
    assert matrix.count("G", "Grünau-Mitte") == 0  # ... but no social meeting place
    assert matrix.count("B", "Grünau-Mitte") == 1
    # A living lab in one district only; every function is taken somewhere.
    assert [d for d in matrix.districts if matrix.count("E", d)] == ["Leutzsch"]
    assert set(matrix.totals) == set(function_codes())
    # The centre's second house counts in its own district too.
    assert matrix.count("G", "Mockau-Süd") == 1
    assert matrix.gaps()  # a region with everything everywhere would not be believable


def test_adding_batch_2_left_the_first_region_as_it_was(app_ctx):
    def snapshot(data=None):
        seed_demo_region(now=NOW, password_hash="not-a-real-hash", data=data)
        listings = db.session.execute(
            select(
                Listing.title,
                Listing.status,
                Listing.created_at,
                Listing.available_until,
                Listing.quantity_remaining,
            ).order_by(Listing.title, Listing.kind)
        ).all()
        db.session.rollback()
        return listings

    full = load_demo_data()
    first = {
        name: [row for row in rows if row.get("batch", 1) == 1] if isinstance(rows, list) else rows
        for name, rows in full.items()
    }
    assert len(first["organisations"]) < len(full["organisations"])
    later = {row["title"] for row in full["offers"] + full["requests"] if row.get("batch") == 2}
    assert [row for row in snapshot() if row.title not in later] == snapshot(first)
