"""Reads other features build on: the newest listings, an organisation's listings, one listing."""

from datetime import timedelta

import pytest

from marketplace.core.clock import today
from marketplace.core.errors import NotFound
from marketplace.core.pagination import PageRequest
from marketplace.listings.filters import parse_listing_filters
from marketplace.listings.hits import highlight
from marketplace.listings.queries import (
    get_listing_for_viewer,
    latest_listings,
    list_listings,
    list_organisation_listings,
)

pytestmark = pytest.mark.usefixtures("request_ctx")


def test_latest_listings_are_open_of_one_kind_newest_first(make):
    make.listing(title="Alt")
    make.listing(title="Neu")
    make.listing(title="Gesucht", kind="request")
    make.listing(title="Vorbei", available_until=today() - timedelta(days=1))
    make.listing(title="Vergeben", status="closed")
    assert [item.title for item in latest_listings("offer", 5)] == ["Neu", "Alt"]
    assert [item.title for item in latest_listings("offer", 1)] == ["Neu"]
    assert [item.title for item in latest_listings("request", 5)] == ["Gesucht"]


def test_organisation_listings_by_effective_status_and_viewer(make):
    org = make.organisation()
    make.listing(organisation=org, title="Offen")
    make.listing(organisation=org, title="Vorbei", available_until=today() - timedelta(days=1))
    make.listing(organisation=org, title="Zurückgezogen", status="withdrawn")
    make.listing(title="Fremd")

    def titles(statuses, viewer=None):
        listings = list_organisation_listings(org.id, statuses, viewer_organisation_id=viewer)
        return sorted(item.title for item in listings)

    assert titles(["open"]) == ["Offen"]
    assert titles(["expired"]) == ["Vorbei"]
    assert titles(None) == ["Offen", "Vorbei"]  # the public never sees withdrawn ones
    assert titles(["withdrawn"]) == []
    assert titles(None, viewer=org.id) == ["Offen", "Vorbei", "Zurückgezogen"]


def test_get_listing_for_viewer(make):
    owner = make.organisation()
    listing = make.listing(organisation=owner, status="withdrawn")
    assert get_listing_for_viewer(listing.id, owner) is listing
    assert get_listing_for_viewer(listing.id, owner.id) is listing
    for viewer in (None, make.organisation()):
        with pytest.raises(NotFound):
            get_listing_for_viewer(listing.id, viewer)
    with pytest.raises(NotFound):
        get_listing_for_viewer(123456, owner)


def test_filters_parse_with_defaults_and_report_nonsense():
    filters, problems = parse_listing_filters({})
    assert (filters.status, filters.sort, problems) == ("open", "newest", {})
    filters, problems = parse_listing_filters({"q": "Stuhl", "near": "10115"})
    assert filters.sort == "relevance"
    filters, problems = parse_listing_filters({"near": "10115"})
    assert filters.sort == "nearest" and filters.effective_radius_km == 25
    filters, problems = parse_listing_filters({"kind": "x", "sort": "price", "radius_km": "0"})
    assert set(problems) == {"kind", "sort", "radius_km"}
    assert filters.kind is None and filters.sort == "newest"


def test_search_results_carry_highlights(make):
    make.listing(title="Stühle & Tische")
    page = list_listings(parse_listing_filters({"q": "tische"})[0], PageRequest())
    assert page.total == 1
    assert str(page.items[0].highlight) == "Stühle &amp; <mark>Tische</mark>"


def test_highlight_never_breaks_escaping():
    assert str(highlight("a & amp", ["amp"])) == "a &amp; <mark>amp</mark>"
    assert str(highlight("<b>", ["b"])) == "&lt;<mark>b</mark>&gt;"
    assert str(highlight('"x"', [])) == "&#34;x&#34;"
