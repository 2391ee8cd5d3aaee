"""Filters, sorting and paging: kind, category with its children, resource type, status
(effective, as the listing pages show it), organisation, district, near + radius."""

from datetime import timedelta

import pytest

from marketplace.core.clock import today
from marketplace.search import SearchFilters, SearchQueryError
from tests.factories import category

LEIPZIG = (51.3397, 12.3731)


def test_kind_category_and_resource_type(search, listing):
    pallets = listing("Holzpaletten", category=category("pallets"))
    wanted = listing("Holzpaletten gesucht", kind="request", category=category("pallets"))
    boards = listing("Holzbretter", category=category("wood"))
    rack = listing("Holzregal", category=category("shelving"))
    assert set(search.search("Holz").ids) == {pallets.id, wanted.id, boards.id, rack.id}
    assert search.search("Holz", SearchFilters(kind="request")).ids == [wanted.id]
    # a parent category includes its children (pallets belong to wood)
    assert set(search.search("Holz", SearchFilters(kind="offer", category="wood")).ids) == {
        pallets.id,
        boards.id,
    }
    assert search.search("Holz", SearchFilters(category="shelving")).ids == [rack.id]
    assert search.search("Holz", SearchFilters(resource_type="equipment")).ids == [rack.id]


def test_status_defaults_to_open_and_counts_overdue_listings_as_expired(search, listing):
    open_ = listing("Paletten A")
    reserved = listing("Paletten B", status="reserved")
    overdue = listing("Paletten C", available_until=today() - timedelta(days=1))
    assert search.search("Paletten").ids == [open_.id]
    assert search.search("Paletten", SearchFilters(status="reserved")).ids == [reserved.id]
    assert search.search("Paletten", SearchFilters(status="expired")).ids == [overdue.id]
    everything = search.search("Paletten", SearchFilters(status=None))
    assert set(everything.ids) == {open_.id, reserved.id, overdue.id}


def test_withdrawn_listings_only_for_their_organisation(search, listing, make):
    org = make.organisation()
    gone = listing("Paletten", status="withdrawn", organisation=org)
    assert search.search("Paletten", SearchFilters(status="withdrawn")).ids == []
    mine = SearchFilters(status="withdrawn", viewer_organisation_id=org.id)
    assert search.search("Paletten", mine).ids == [gone.id]


def test_organisation_and_district(search, listing, make):
    theatre = make.organisation(name="Theater")
    ours = listing("Scheinwerfer", organisation=theatre, district="Plagwitz")
    other = listing("Scheinwerfer", district="Gohlis")
    filters = SearchFilters(organisation_id=theatre.id)
    assert search.search("Scheinwerfer", filters).ids == [ours.id]
    assert search.search("Scheinwerfer", SearchFilters(district="gohlis")).ids == [other.id]


def test_near_radius_and_nearest_first(search, listing):
    centre = listing("Werkbank Zentrum", lat=51.3397, lon=12.3731)
    plagwitz = listing("Werkbank Plagwitz", lat=51.3296, lon=12.3336)  # about 3 km
    dresden = listing("Werkbank Dresden", lat=51.0504, lon=13.7373)  # about 100 km
    nowhere = listing("Werkbank ohne Ort", lat=None, lon=None)
    near = SearchFilters(near=LEIPZIG, radius_km=10)
    result = search.search("Werkbank", near, sort="nearest")
    assert result.ids == [centre.id, plagwitz.id]
    assert result.distances[centre.id] == 0.0 and 2.5 < result.distances[plagwitz.id] < 3.5
    wide = search.search("Werkbank", SearchFilters(near=LEIPZIG, radius_km=500), sort="nearest")
    assert wide.ids == [centre.id, plagwitz.id, dresden.id]
    assert nowhere.id in search.search("Werkbank").ids


def test_newest_and_ending_soon(search, listing):
    from marketplace.core.clock import utcnow

    old = listing("Kisten alt", created_at=utcnow() - timedelta(days=3))
    new = listing("Kisten neu", available_until=today() + timedelta(days=90))
    soon = listing("Kisten bald", created_at=utcnow() - timedelta(days=1))
    soon_until = today() + timedelta(days=2)
    from marketplace.extensions import db

    soon.available_until = soon_until
    old.available_until = None
    db.session.commit()
    assert search.search("Kisten", sort="newest").ids == [new.id, soon.id, old.id]
    assert search.search("Kisten", sort="ending_soon").ids == [soon.id, new.id, old.id]
    # without words: every listing, newest first
    assert search.search("", sort=None).ids == [new.id, soon.id, old.id]


def test_paging(search, listing):
    made = [listing(f"Palette Nummer {i}") for i in range(5)]
    first = search.search("Palette", sort="newest", per_page=2)
    third = search.search("Palette", sort="newest", per_page=2, page=3)
    assert first.total == third.total == 5
    assert first.ids == [made[4].id, made[3].id] and third.ids == [made[0].id]
    assert search.search("Palette", page=9, per_page=2).ids == []


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"sort": "cheapest"}, "sort"),
        ({"sort": "nearest"}, "sort"),
        ({"per_page": 0}, "per_page"),
        ({"per_page": 101}, "per_page"),
        ({"page": 0}, "page"),
        ({"page": "x"}, "page"),
        ({"filters": SearchFilters(kind="gift")}, "kind"),
        ({"filters": SearchFilters(status="lost")}, "status"),
        ({"filters": SearchFilters(radius_km=5)}, "near"),
        ({"filters": SearchFilters(near=LEIPZIG, radius_km=0)}, "radius_km"),
        ({"filters": SearchFilters(near=(100.0, 0.0))}, "near"),
    ],
)
def test_invalid_parameters_are_a_clear_error(search, kwargs, field):
    kwargs = dict(kwargs)  # the parameters are shared by both backends' runs
    filters = kwargs.pop("filters", None)
    with pytest.raises(SearchQueryError) as error:
        search.search("Paletten", filters, **kwargs)
    assert error.value.field == field and isinstance(error.value, ValueError)


def test_filters_from_the_listing_pages_parser(search, listing, app):
    from marketplace.listings.filters import parse_listing_filters

    near = listing("Werkbank Zentrum", lat=51.3397, lon=12.3731, kind="request")
    listing("Werkbank Dresden", lat=51.0504, lon=13.7373, kind="request")
    with app.test_request_context():
        parsed, problems = parse_listing_filters(
            {"q": "Werkbank", "kind": "request", "near": "04109", "radius_km": "20"}
        )
        assert not problems
        result = search.search(
            parsed.q, SearchFilters.from_listing_filters(parsed), sort=parsed.sort
        )
    assert result.ids == [near.id] and result.sort == "relevance"
