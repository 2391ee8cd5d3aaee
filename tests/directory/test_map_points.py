"""The map's points in memory (directory/points.py) answer what SQL answers, and follow every
committed write through the map's version (directory/map_version.py)."""

import random
from datetime import timedelta

import pytest
import sqlalchemy as sa

from marketplace.core.clock import today
from marketplace.directory import geojson, points
from marketplace.directory.filters import parse_directory_filters
from marketplace.directory.map_version import read_map_version
from marketplace.directory.models import MapVersion
from marketplace.extensions import db
from marketplace.listings.models import Listing
from tests import factories

LEIPZIG = "12.2,51.2,12.6,51.45"
DISTRICTS = ["Zentrum", "Plagwitz", "Connewitz", None]
KINDS = ["association", "business", "initiative"]


@pytest.fixture
def small_cap(app, monkeypatch):
    """Four features per layer with all three layers asked for: a handful make a layer dense."""
    monkeypatch.setitem(app.config, "MAP_MAX_FEATURES", 12)


@pytest.fixture
def crowd(make):
    """Organisations at a few spots of Leipzig (several share a spot), with sites, functions
    and offers and requests of two categories, some closed or past due."""
    rng = random.Random(7)
    spots = [(51.34, 12.37), (51.33, 12.32), (51.31, 12.39), (51.36, 12.41), (51.30, 12.30)]
    pallets, sofas = factories.category("pallets"), factories.category("sofas")
    for number in range(24):
        lat, lon = rng.choice(spots)
        if rng.random() < 0.5:
            lat, lon = lat + rng.uniform(-0.01, 0.01), lon + rng.uniform(-0.01, 0.01)
        org = make.organisation(
            name=f"{rng.choice(['Verein', 'Werkhof', 'ärger'])} {number}",
            kind=rng.choice(KINDS),
            postcode="04109",
            district=rng.choice(DISTRICTS),
            lat=lat,
            lon=lon,
        )
        for code in rng.sample("ABCG", rng.randrange(3)):
            make.organisation_function(org, code)
        if rng.random() < 0.3:
            make.organisation_site(org, "Lager", "04229", rng.choice(["Plagwitz", "plagwitz"]))
        for _ in range(rng.randrange(4)):
            make.listing(
                organisation=org,
                kind=rng.choice(["offer", "request"]),
                category=rng.choice([pallets, sofas]),
                district=org.district,
                lat=lat,
                lon=lon,
                status=rng.choice(["open", "open", "open", "closed"]),
                available_until=today() + timedelta(days=rng.choice([-3, 30])),
            )


def _answer(app, query: dict) -> dict:
    with app.test_request_context("/api/v1/map.geojson", query_string=query):
        filters, errors = parse_directory_filters(query)
        assert not errors
        return geojson.map_feature_collection(filters)


def _normalised(answer: dict) -> dict:
    """Features by id, coordinates to ~1 m (a cluster's mean is summed in another order)."""
    out = {}
    for feature in answer["features"]:
        lon, lat = feature["geometry"]["coordinates"]
        out[feature["id"]] = (round(lon, 4), round(lat, 4), feature["properties"])
    return {"features": out, "left_out": answer["left_out"]}


QUERIES = [
    {},
    {"function": "G"},
    {"function": "A,C", "kind": "business"},
    {"kind": "association"},
    {"category": "pallets"},
    {"district": "Plagwitz"},
    {"district": "plagwitz", "layers": "organisations"},
    {"layers": "offers"},
]
BOXES = [LEIPZIG, "12.30,51.30,12.40,51.36", "12.36,51.33,12.38,51.35", "12.0,50.0,12.1,50.1"]


@pytest.mark.parametrize("query", QUERIES)
def test_the_points_answer_as_sql_does(app, crowd, small_cap, monkeypatch, query):
    with app.test_request_context("/"):
        assert points.current_points() is not None
    clustered = 0
    for bbox in BOXES:
        args = {"layers": "organisations,offers,requests", "bbox": bbox, **query}
        from_points = _answer(app, args)
        with monkeypatch.context() as m:
            m.setattr(geojson, "current_points", lambda: None)
            from_sql = _answer(app, args)
        assert _normalised(from_points) == _normalised(from_sql), bbox
        clustered += any(f["properties"].get("cluster") for f in from_sql["features"])
    # The crowd is dense enough for clusters where all three layers share the cap.
    assert clustered or "layers" in query


def _map(api, query: str = "") -> dict:
    response = api.get(
        f"/api/v1/map.geojson?layers=organisations,offers,requests&bbox={LEIPZIG}{query}"
    )
    assert response.status_code == 200
    return response.json


def _listing_names(api, query: str = "") -> list[str]:
    return sorted(
        f["properties"]["name"]
        for f in _map(api, query)["features"]
        if f["properties"]["layer"] in ("offers", "requests")
    )


def _places(api, query: str = "") -> list[tuple]:
    return sorted(
        (f["properties"]["site"] or "", *f["geometry"]["coordinates"])
        for f in _map(api, query)["features"]
        if f["properties"]["layer"] == "organisations"
    )


@pytest.fixture
def built(app, monkeypatch):
    """How many times this test built the points."""
    counter = {"builds": 0}
    original = points.MapPoints.__init__

    def counting(self):
        counter["builds"] += 1
        original(self)

    monkeypatch.setattr(points.MapPoints, "__init__", counting)
    return counter


def test_listings_stay_in_step_after_create_update_close_and_delete(api, make, built):
    org = make.organisation(name="Werkhof", postcode="04109", lat=51.34, lon=12.37)
    listing = make.listing(organisation=org, title="Bretter", lat=51.34, lon=12.37)
    assert _listing_names(api) == ["Bretter"]
    assert _listing_names(api) == ["Bretter"]
    assert built["builds"] == 1  # the second answer came from the same points

    listing.title, listing.lat = "Kanthölzer", 51.35
    db.session.commit()
    assert _listing_names(api) == ["Kanthölzer"]
    feature = next(f for f in _map(api)["features"] if f["properties"]["layer"] == "offers")
    assert feature["geometry"]["coordinates"][1] == 51.35

    listing.status = "closed"
    db.session.commit()
    assert _listing_names(api) == []
    assert _map(api)["features"][0]["properties"]["open_offers"] == 0

    listing.status = "open"
    db.session.commit()
    assert _listing_names(api) == ["Kanthölzer"]
    db.session.delete(listing)
    db.session.commit()
    assert _listing_names(api) == []
    assert built["builds"] == 5


def test_a_site_move_and_a_new_function_are_followed(api, make, built):
    org = make.organisation(name="Werkhof", postcode="04109", lat=51.34, lon=12.37)
    site = make.organisation_site(org, "Lager", "04229", "Plagwitz")
    before = _places(api)
    assert [p[0] for p in before] == ["", "Lager"]
    assert _places(api, "&function=G") == []

    site.lat, site.lon = 51.30, 12.30
    db.session.commit()
    assert ("Lager", 12.3, 51.3) in _places(api)
    make.organisation_function(org, "G")
    assert len(_places(api, "&function=G")) == 2
    assert built["builds"] == 3


def test_bulk_updates_move_the_version(app, make):
    org = make.organisation(name="Werkhof", postcode="04109", lat=51.34, lon=12.37)
    make.listing(organisation=org)
    before = read_map_version()
    db.session.execute(sa.update(Listing).where(Listing.status == "expired").values(title="x"))
    db.session.commit()
    assert read_map_version() == before  # it touched no row
    db.session.execute(sa.update(Listing).values(status="closed"))
    db.session.commit()
    assert read_map_version() not in (None, before)


def test_without_a_version_or_with_own_uncommitted_writes_the_map_reads_sql(app, make):
    org = make.organisation(name="Werkhof", postcode="04109", lat=51.34, lon=12.37)
    with app.test_request_context("/"):
        assert points.current_points() is not None
        org.name = "Werkhof Süd"
        assert points.current_points() is None  # not flushed yet
        db.session.flush()
        assert points.current_points() is None  # flushed, not committed
        db.session.commit()
        assert points.current_points() is not None
        db.session.execute(sa.delete(MapVersion))
        db.session.commit()
        assert points.current_points() is None


def test_the_matrix_from_the_points_is_the_matrix_from_sql(app, crowd, make, monkeypatch):
    from marketplace.directory import gaps

    with app.test_request_context("/"):
        assert points.current_points(build=False) is None  # the crowd's writes made them stale
        assert points.current_points() is not None
        from_points = gaps.function_matrix()
        from_sql = gaps._function_matrix_from_sql()
        assert from_points.counts and from_points.counts == from_sql.counts
        assert from_points.districts == from_sql.districts and "plagwitz" in from_sql.districts
        assert from_points.totals == from_sql.totals
        assert from_points.gap_count == from_sql.gap_count
        monkeypatch.setattr(gaps, "_function_matrix_from_sql", lambda: pytest.fail("read SQL"))
        gaps.function_matrix()
