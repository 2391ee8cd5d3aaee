"""/api/v1/map.geojson as the contract describes it: an RFC 7946 FeatureCollection of Points in
[lon, lat] order, its layers and filters, the bbox and its errors, the cap, and no persons."""

import json

import geojson
import pytest

from marketplace.core.geo import postcode_coordinates
from tests import factories

URL = "/api/v1/map.geojson"
LEIPZIG = "12.2,51.2,12.6,51.45"


def _organisation(make, name, postcode, district, kind="association", **kw):
    lat, lon = postcode_coordinates(postcode)
    return make.organisation(
        name=name, kind=kind, postcode=postcode, district=district, lat=lat, lon=lon, **kw
    )


def _listing(make, org, title, postcode, district, **kw):
    lat, lon = postcode_coordinates(postcode)
    return make.listing(
        organisation=org, title=title, postcode=postcode, district=district, lat=lat, lon=lon, **kw
    )


@pytest.fixture
def region(make):
    """Leipzig: a project centre in the centre (04109) with a second house, a café; Berlin: one."""
    centre = _organisation(make, "Projekthaus Zentrum", "04109", "Zentrum", kind="project_centre")
    cafe = _organisation(make, "Café Kolibri", "04315", "Volkmarsdorf", kind="social_enterprise")
    berlin = _organisation(make, "Kiezladen Mitte", "10115", "Mitte", kind="initiative")
    make.organisation_function(centre, "A", "Netzwerktreffen")
    make.organisation_function(centre, "G")
    make.organisation_function(cafe, "G", "Offenes Café")
    make.organisation_function(berlin, "D")
    make.organisation_site(centre, "Haus 2", "04209", "Grünau-Mitte")
    _listing(make, centre, "Europaletten", "04109", "Zentrum")
    _listing(
        make,
        cafe,
        "Suchen Sofa",
        "04315",
        "Volkmarsdorf",
        kind="request",
        category=factories.category("sofas"),
    )
    _listing(make, berlin, "Bürostühle", "10115", "Mitte", category=factories.category("sofas"))
    _listing(make, cafe, "Schon weg", "04315", "Volkmarsdorf", status="closed")
    return {"centre": centre, "cafe": cafe, "berlin": berlin}


def collection(api, query: str = "") -> dict:
    response = api.get(f"{URL}?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/geo+json"
    return response.json if response.is_json else json.loads(response.get_data(as_text=True))


def names(api, query: str = "") -> list[str]:
    return sorted(f["properties"]["name"] for f in collection(api, query)["features"])


def error_fields(response) -> dict:
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.content_type == "application/json"
    assert response.json["error"]["code"] == "validation_failed"
    return response.json["error"]["fields"]


def test_a_valid_rfc_7946_feature_collection(api, region):
    response = api.get(f"{URL}?layers=organisations,offers,requests")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/geo+json")
    parsed = geojson.loads(response.get_data(as_text=True))
    assert isinstance(parsed, geojson.FeatureCollection)
    assert parsed.is_valid, parsed.errors()
    assert parsed["type"] == "FeatureCollection"
    for feature in parsed["features"]:
        assert isinstance(feature, geojson.Feature) and feature.is_valid
        assert feature["geometry"]["type"] == "Point"
        assert {"layer", "id", "name", "url"} <= set(feature["properties"])
    assert parsed["license"]
    assert parsed["left_out"] == {"organisations": 0, "offers": 0, "requests": 0}


def test_coordinates_are_lon_lat(api, region):
    features = collection(api, "function=A")["features"]
    main = next(f for f in features if f["properties"]["site"] is None)
    lon, lat = main["geometry"]["coordinates"]
    assert lon == pytest.approx(12.37, abs=0.01) and lat == pytest.approx(51.34, abs=0.01)
    props = main["properties"]
    assert props["id"] == region["centre"].id and props["layer"] == "organisations"
    assert props["functions"] == ["A", "G"] and props["kind"] == "project_centre"
    assert props["url"] == f"http://localhost/orgs/{region['centre'].id}"


def test_layers_default_to_organisations_one_point_per_place(api, region):
    features = collection(api)["features"]
    assert {f["properties"]["layer"] for f in features} == {"organisations"}
    assert sorted(f["properties"]["name"] for f in features) == [
        "Café Kolibri",
        "Kiezladen Mitte",
        "Projekthaus Zentrum",
        "Projekthaus Zentrum",  # its second house
    ]
    assert len({f["id"] for f in features}) == len(features)


def test_listing_layers_carry_kind_and_category(api, region):
    offers = collection(api, "layers=offers")["features"]
    assert sorted(f["properties"]["name"] for f in offers) == ["Bürostühle", "Europaletten"]
    assert {f["properties"]["kind"] for f in offers} == {"offer"}
    [request] = collection(api, "layers=requests")["features"]
    assert request["properties"]["name"] == "Suchen Sofa"
    assert (request["properties"]["kind"], request["properties"]["category"]) == (
        "request",
        "sofas",
    )
    assert request["properties"]["url"].startswith("http://localhost/listings/")
    assert names(api, "layers=offers,requests&category=sofas") == ["Bürostühle", "Suchen Sofa"]
    assert names(api, "layers=offers,requests&category=wood") == ["Europaletten"]


def test_function_kind_district_and_q_filters(api, region):
    assert names(api, "function=G") == [
        "Café Kolibri",
        "Projekthaus Zentrum",
        "Projekthaus Zentrum",
    ]
    assert names(api, "function=D,A") == [
        "Kiezladen Mitte",
        "Projekthaus Zentrum",
        "Projekthaus Zentrum",
    ]
    assert names(api, "function=D&function=A") == names(api, "function=D,A")
    assert names(api, "function=H") == []
    # listings follow the function filter of their organisation
    assert names(api, "layers=offers&function=D") == ["Bürostühle"]
    assert names(api, "kind=social_enterprise&layers=organisations,requests") == [
        "Café Kolibri",
        "Suchen Sofa",
    ]
    assert names(api, "district=Grünau-Mitte") == ["Projekthaus Zentrum"]  # the site only
    assert names(api, "q=kolibri") == ["Café Kolibri"]


def test_bbox_keeps_what_lies_inside(api, region):
    inside = names(api, f"bbox={LEIPZIG}&layers=organisations,offers,requests")
    assert inside == [
        "Café Kolibri",
        "Europaletten",
        "Projekthaus Zentrum",
        "Projekthaus Zentrum",
        "Suchen Sofa",
    ]
    assert names(api, "bbox=13.2,52.4,13.6,52.6&layers=organisations,offers") == [
        "Bürostühle",
        "Kiezladen Mitte",
    ]
    assert names(api, "bbox=12.35,51.33,12.38,51.35") == ["Projekthaus Zentrum"]  # no Haus 2
    assert names(api, "bbox=-10,-10,-5,-5") == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("bbox=1,2,3", "bbox"),
        ("bbox=1,2,3,4,5", "bbox"),
        ("bbox=200,0,10,10", "bbox"),
        ("bbox=10,-91,20,50", "bbox"),
        ("bbox=10,60,20,50", "bbox"),  # south above north
        ("bbox=nan,51,12,52", "bbox"),
        ("bbox=inf,51,12,52", "bbox"),
        ("bbox=west,south,east,north", "bbox"),
        ("function=Z", "function"),
        ("layers=people", "layers"),
        ("kind=company", "kind"),
        ("category=unobtainium", "category"),
        ("q=" + "x" * 201, "q"),
    ],
)
def test_bad_arguments_are_422_in_the_contracts_format(api, query, field):
    assert field in error_fields(api.get(f"{URL}?{query}"))


def test_the_cap_counts_what_was_left_out(app, api, make):
    for number in range(6):
        _organisation(make, f"Verein {number}", "04109", "Zentrum")
    saved = app.config["MAP_MAX_FEATURES"]
    app.config["MAP_MAX_FEATURES"] = 4
    try:
        capped = collection(api)
        shared = collection(api, "layers=organisations,offers")
    finally:
        app.config["MAP_MAX_FEATURES"] = saved
    assert len(capped["features"]) == 4 and capped["left_out"] == {"organisations": 2}
    assert len(shared["features"]) == 2 and shared["left_out"] == {"organisations": 4, "offers": 0}
    assert collection(api)["left_out"] == {"organisations": 0}


def test_no_persons_name_or_email_in_the_map(api, make, region):
    centre = region["centre"]
    member = make.user(organisation=centre, name="Sabine Krüger", email="sabine.k@example.org")
    make.user(
        organisation=region["cafe"],
        name="Jonas Amtmann",
        email="jonas.amt@example.org",
        role="coordinator",
    )
    _listing(make, centre, "Regalbretter", "04109", "Zentrum", created_by_id=member.id)
    text = api.get(f"{URL}?layers=organisations,offers,requests").get_data(as_text=True)
    assert "Projekthaus Zentrum" in text and "Regalbretter" in text
    for secret in ("Sabine", "Krüger", "Jonas", "Amtmann", "@", "\\u0040"):
        assert secret not in text
        assert secret.encode("unicode_escape").decode() not in text


def test_openapi_documents_the_map(api):
    spec = api.get("/api/v1/openapi.json").json
    operation = spec["paths"]["/api/v1/map.geojson"]["get"]
    assert "application/geo+json" in operation["responses"]["200"]["content"]
    assert "422" in operation["responses"]
    parameters = {p["name"] for p in operation["parameters"]}
    assert {"layers", "function", "kind", "category", "bbox", "district", "q"} <= parameters


@pytest.fixture
def small_cap(app, monkeypatch):
    """Four features per answer: a handful of points make a layer dense."""
    monkeypatch.setitem(app.config, "MAP_MAX_FEATURES", 4)


def _clusters(features: list[dict]) -> list[dict]:
    return [f for f in features if f["properties"].get("cluster")]


def _represented(features: list[dict], layer: str) -> int:
    """Points a layer's features stand for: a cluster its count, any other feature one."""
    return sum(
        f["properties"]["count"] if f["properties"].get("cluster") else 1
        for f in features
        if f["properties"]["layer"] == layer
    )


def test_a_dense_bbox_answers_in_clusters_that_count_every_point(api, make, region, small_cap):
    for number in range(6):
        _organisation(make, f"Verein {number}", "04109", "Zentrum")
    answer = collection(api, f"bbox={LEIPZIG}")
    parsed = geojson.loads(json.dumps(answer))
    assert parsed.is_valid, parsed.errors()
    [cluster] = _clusters(answer["features"])
    props = cluster["properties"]
    # The centre and the six associations share 04109; Haus 2 and the café are alone.
    assert props["count"] == 7 and props["layer"] == "organisations"
    assert props["id"] is None and props["url"] is None
    assert props["name"] == "7 places of organisations"
    west, south, east, north = props["bbox"]
    lon, lat = cluster["geometry"]["coordinates"]
    assert west <= lon <= east and south <= lat <= north
    assert _represented(answer["features"], "organisations") == 9
    assert answer["left_out"] == {"organisations": 0}
    singles = [f for f in answer["features"] if not f["properties"].get("cluster")]
    assert sorted(f["properties"]["name"] for f in singles) == [
        "Café Kolibri",
        "Projekthaus Zentrum",  # Haus 2, in Grünau
    ]
    assert {"functions", "kind", "site", "open_offers"} <= set(singles[0]["properties"])


def test_filters_apply_to_clusters(api, make, region, small_cap):
    for number in range(6):
        verein = _organisation(make, f"Verein {number}", "04109", "Zentrum")
        if number < 3:
            make.organisation_function(verein, "G")
        _listing(make, verein, f"Kisten {number}", "04109", "Zentrum")
    offers = collection(api, f"bbox={LEIPZIG}&layers=offers")
    [cluster] = _clusters(offers["features"])
    assert cluster["properties"]["count"] == 7  # the centre's pallets and the six boxes
    assert cluster["properties"]["name"] == "7 open offers"
    assert _represented(offers["features"], "offers") == 7
    places = collection(api, f"bbox={LEIPZIG}&function=G")["features"]
    # the centre and three associations in 04109, Haus 2 and the café: 6 places of G
    assert _represented(places, "organisations") == 6
    assert [f["properties"]["count"] for f in _clusters(places)] == [4]
    assert collection(api, f"bbox={LEIPZIG}&function=H")["features"] == []
    sofas = collection(api, f"bbox={LEIPZIG}&layers=offers&category=sofas")
    assert sofas["features"] == [] and sofas["left_out"] == {"offers": 0}  # Berlin's are not in it


def test_a_sparse_bbox_keeps_todays_features(api, make, region, small_cap):
    for number in range(6):
        _organisation(make, f"Verein {number}", "04109", "Zentrum")
    # Grünau holds only Haus 2: at most the cap, so features as ever.
    [haus] = collection(api, "bbox=12.27,51.30,12.33,51.33")["features"]
    assert haus["properties"]["site"] == "Haus 2" and "cluster" not in haus["properties"]
    # Without a bbox the cap cuts and counts what it left out, as before (ten places in all).
    whole = collection(api)
    assert len(whole["features"]) == 4 and whole["left_out"] == {"organisations": 6}
    assert not _clusters(whole["features"])


def test_the_list_without_javascript_never_clusters(app, make, region, small_cap):
    from marketplace.directory.filters import parse_directory_filters
    from marketplace.directory.map_list import map_list

    for number in range(6):
        _organisation(make, f"Verein {number}", "04109", "Zentrum")
    with app.test_request_context("/map"):
        filters, _ = parse_directory_filters({"near": "04109", "radius_km": "30"})
        listed = map_list(filters)
    assert listed.shown == 4 and listed.left_out == 5
