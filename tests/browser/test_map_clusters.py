"""A dense map in the browser: the server's clusters are drawn with their counts, a click on
one zooms to its cell, where the points are markers again."""

import re

import pytest
from playwright.sync_api import Page, expect

from marketplace.core.geo import postcode_coordinates
from marketplace.extensions import db
from tests import factories


@pytest.fixture
def dense_region(live_server):
    """Three initiatives taking H in the centre (04109), three in Volkmarsdorf (04315), and an
    answer of at most four features: the viewport of the city is dense."""
    with live_server.app_context():
        for postcode, district in (("04109", "Zentrum"), ("04315", "Volkmarsdorf")):
            lat, lon = postcode_coordinates(postcode)
            for number in range(3):
                org = factories.organisation(
                    name=f"Verleih {district} {number}",
                    kind="initiative",
                    postcode=postcode,
                    district=district,
                    lat=lat,
                    lon=lon,
                )
                factories.organisation_function(org, "H")
        db.session.commit()
        db.session.remove()
    saved = live_server.config["MAP_MAX_FEATURES"]
    live_server.config["MAP_MAX_FEATURES"] = 4
    yield
    live_server.config["MAP_MAX_FEATURES"] = saved


def test_server_clusters_show_their_counts_and_zoom_to_their_cell(
    page: Page, base_url, dense_region
):
    page.goto(f"{base_url}/map?function=H")
    region = page.locator("#region-map")
    expect(region).to_have_attribute("data-state", "ready")
    clusters = region.locator(".map-server-cluster")
    expect(clusters).to_have_count(2)
    expect(clusters.first).to_have_text("3")
    # Leaflet.markercluster's own look for a small cluster
    expect(clusters.first).to_have_class(re.compile(r"\bmarker-cluster marker-cluster-small\b"))
    clusters.first.click()
    expect(clusters).to_have_count(0)
    expect(region).to_have_attribute("data-feature-count", "3")
