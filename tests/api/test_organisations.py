"""/api/v1/organisations as the contract describes it: shapes, filters, rights and errors."""

import pytest

from marketplace.core.geo import postcode_coordinates
from marketplace.directory import services
from marketplace.directory.queries import load_details
from marketplace.extensions import db

ORGANISATION_FIELDS = {
    "id",
    "name",
    "kind",
    "description",
    "website",
    "postcode",
    "district",
    "lat",
    "lon",
    "functions",
    "sites",
    "open_offers",
    "open_requests",
    "url",
}


def _organisation(make, name, postcode, district, kind="association", **kw):
    lat, lon = postcode_coordinates(postcode)
    return make.organisation(
        name=name, kind=kind, postcode=postcode, district=district, lat=lat, lon=lon, **kw
    )


@pytest.fixture
def region(make):
    """Three Leipzig organisations and one in Berlin, with functions and a second house."""
    centre = _organisation(make, "Nachbarschaftszentrum Lindenau", "04177", "Lindenau")
    cafe = _organisation(make, "Café Kolibri", "04315", "Volkmarsdorf", kind="social_enterprise")
    workshop = _organisation(
        make, "Jugendwerkstatt Grünau", "04209", "Grünau-Mitte", kind="project_centre"
    )
    berlin = _organisation(make, "Kiezladen Mitte", "10115", "Mitte", kind="initiative")
    make.organisation_function(centre, "G", "Saal und Café für alle", verified=True)
    make.organisation_function(centre, "B", "Nähkurse")
    make.organisation_function(cafe, "G")
    make.organisation_function(cafe, "F", "Spenden aus dem Umsatz")
    make.organisation_function(workshop, "B", "Werkstattkurse")
    make.organisation_function(berlin, "D")
    make.organisation_site(centre, "Haus 2", "04209", "Grünau-Mitte")
    return {"centre": centre, "cafe": cafe, "workshop": workshop, "berlin": berlin}


def names(api, query=""):
    response = api.get(f"/api/v1/organisations?{query}")
    assert response.status_code == 200, response.json
    return [item["name"] for item in response.json["items"]]


def error_fields(response) -> dict:
    assert response.status_code == 422, response.json
    assert response.json["error"]["code"] == "validation_failed"
    return response.json["error"]["fields"]


def claims(org) -> dict:
    db.session.expire_all()
    return {f.code: (f.note, f.verified) for f in load_details([org.id])[org.id].functions}


# -- GET list ------------------------------------------------------------------------------------


def test_list_shape_and_order_by_name(api, region):
    response = api.get("/api/v1/organisations")
    assert response.status_code == 200
    assert set(response.json) == {"items", "total", "page", "per_page"}
    assert (response.json["total"], response.json["page"], response.json["per_page"]) == (4, 1, 20)
    assert [i["name"] for i in response.json["items"]] == [
        "Café Kolibri",
        "Jugendwerkstatt Grünau",
        "Kiezladen Mitte",
        "Nachbarschaftszentrum Lindenau",
    ]
    item = response.json["items"][0]
    assert set(item) >= ORGANISATION_FIELDS
    assert "distance_km" not in item
    assert [f["code"] for f in item["functions"]] == ["F", "G"]


def test_list_filters_by_function_repeatable_and_comma_separated(api, region):
    assert names(api, "function=B") == ["Jugendwerkstatt Grünau", "Nachbarschaftszentrum Lindenau"]
    both = ["Café Kolibri", "Kiezladen Mitte"]
    assert names(api, "function=F&function=D") == both
    assert names(api, "function=F,D") == both
    assert names(api, "function=f") == ["Café Kolibri"]
    assert names(api, "function=H") == []


def test_list_filters_by_kind_and_district_through_sites_too(api, region):
    assert names(api, "kind=social_enterprise") == ["Café Kolibri"]
    assert names(api, "district=Grünau-Mitte") == [
        "Jugendwerkstatt Grünau",
        "Nachbarschaftszentrum Lindenau",  # through its second house
    ]
    assert names(api, "district=lindenau") == ["Nachbarschaftszentrum Lindenau"]
    assert names(api, "district=Mitte&function=D") == ["Kiezladen Mitte"]


def test_near_orders_by_distance_within_the_radius(api, region):
    response = api.get("/api/v1/organisations?near=04315&radius_km=30")
    items = response.json["items"]
    assert [i["name"] for i in items] == [
        "Café Kolibri",
        "Nachbarschaftszentrum Lindenau",
        "Jugendwerkstatt Grünau",
    ]
    distances = [i["distance_km"] for i in items]
    assert distances == sorted(distances) and distances[0] < 1
    assert response.json["total"] == 3
    # the centre's nearest place counts: Haus 2 lies next to the workshop
    near_grunau = api.get("/api/v1/organisations?near=04209&radius_km=2").json["items"]
    assert {i["name"] for i in near_grunau} == {
        "Jugendwerkstatt Grünau",
        "Nachbarschaftszentrum Lindenau",
    }
    assert names(api, "near=80331&radius_km=20") == []


def test_q_searches_names_and_descriptions_after_the_commit(api, make, region):
    assert names(api, "q=kolibri") == ["Café Kolibri"]
    assert names(api, "q=Werkstatt") == ["Jugendwerkstatt Grünau"]
    _organisation(
        make, "Verein Grünkram", "04109", "Zentrum", description="Wir reparieren Fahrräder."
    )
    assert names(api, "q=fahrrad") == ["Verein Grünkram"]
    assert names(api, "q=fahrrad&function=G") == []
    assert names(api, "q=zzzqqq") == []


def test_paging(api, make):
    for number in range(7):
        make.organisation(name=f"Verein {number}")
    first = api.get("/api/v1/organisations?per_page=5").json
    second = api.get("/api/v1/organisations?per_page=5&page=2").json
    assert first["total"] == 7 and len(first["items"]) == 5 and len(second["items"]) == 2
    assert (second["page"], second["per_page"]) == (2, 5)
    assert [i["name"] for i in second["items"]] == ["Verein 5", "Verein 6"]
    assert api.get("/api/v1/organisations?page=9").json["items"] == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("per_page=101", "per_page"),
        ("per_page=0", "per_page"),
        ("page=0", "page"),
        ("page=abc", "page"),
        ("function=Z", "function"),
        ("function=A,Z", "function"),
        ("kind=company", "kind"),
        ("near=00000", "near"),
        ("near=04109&radius_km=-4", "radius_km"),
        ("near=04109&radius_km=nan", "radius_km"),
        ("near=04109&radius_km=far", "radius_km"),
        ("q=" + "x" * 201, "q"),
    ],
)
def test_list_invalid_query_values_are_422(api, query, field):
    assert field in error_fields(api.get(f"/api/v1/organisations?{query}"))


# -- GET one -------------------------------------------------------------------------------------


def test_get_one_with_functions_sites_and_open_listings(api, make, region):
    centre = region["centre"]
    make.listing(organisation=centre, title="Saal für Feste")
    make.listing(organisation=centre, title="Suchen Stühle", kind="request")
    make.listing(organisation=centre, title="Schon weg", status="closed")
    response = api.get(f"/api/v1/organisations/{centre.id}")
    assert response.status_code == 200
    item = response.json
    assert set(item) >= ORGANISATION_FIELDS
    assert item["id"] == centre.id and item["kind"] == "association"
    assert (item["postcode"], item["district"]) == ("04177", "Lindenau")
    assert item["functions"] == [
        {"code": "B", "name": "Train learners", "note": "Nähkurse", "verified": False},
        {
            "code": "G",
            "name": "Run social meeting places",
            "note": "Saal und Café für alle",
            "verified": True,
        },
    ]
    [site] = item["sites"]
    assert set(site) == {"id", "name", "postcode", "district", "lat", "lon"}
    assert (site["name"], site["postcode"], site["district"]) == ("Haus 2", "04209", "Grünau-Mitte")
    assert isinstance(site["lat"], float) and isinstance(site["lon"], float)
    assert (item["open_offers"], item["open_requests"]) == (1, 1)
    assert item["url"] == f"http://localhost/orgs/{centre.id}"
    assert item["logo_url"] is None


def test_function_names_follow_the_callers_language(api, region):
    centre_id = region["centre"].id
    url = f"/api/v1/organisations/{centre_id}"
    english = api.get(url).json["functions"][0]["name"]
    german = api.get(url, headers={"Accept-Language": "de"}).json["functions"][0]["name"]
    assert (english, german) == ("Train learners", "Lerninteressierte schulen")


def test_website_only_when_an_absolute_http_address(api, make):
    good = make.organisation(website="https://kolibri.example.org/")
    bad = make.organisation(website="javascript:alert(1)")
    assert api.get(f"/api/v1/organisations/{good.id}").json["website"] == (
        "https://kolibri.example.org/"
    )
    assert api.get(f"/api/v1/organisations/{bad.id}").json["website"] is None


def test_get_unknown_is_404(api):
    response = api.get("/api/v1/organisations/987654")
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"
    assert api.get("/api/v1/organisations/abc").status_code == 404


# -- PATCH ---------------------------------------------------------------------------------------


@pytest.fixture
def people(make, region):
    return {
        "org": region["centre"],
        "member": make.user(organisation=region["centre"]),
        "stranger": make.user(organisation=region["cafe"]),
        "coordinator": make.user(organisation=region["workshop"], role="coordinator"),
    }


def test_member_changes_the_profile_and_replaces_the_functions(api, people):
    org, member = people["org"], people["member"]
    response = api.patch(
        f"/api/v1/organisations/{org.id}",
        as_=member,
        json={
            "description": "Ein Haus für alle im Stadtteil.",
            "website": "https://lindenau.example.org",
            "public_address": "Lindenauer Markt 1",
            "functions": [
                {"code": "G", "note": "Saal, Café und Garten"},  # new wording: unverified
                {"code": "h", "note": "Stadtteilwiki"},
            ],
        },
    )
    assert response.status_code == 200, response.json
    item = response.json
    assert item["description"] == "Ein Haus für alle im Stadtteil."
    assert item["website"] == "https://lindenau.example.org"
    assert item["public_address"] == "Lindenauer Markt 1"
    assert [(f["code"], f["note"], f["verified"]) for f in item["functions"]] == [
        ("G", "Saal, Café und Garten", False),
        ("H", "Stadtteilwiki", False),
    ]
    assert claims(org) == {"G": ("Saal, Café und Garten", False), "H": ("Stadtteilwiki", False)}


def test_member_keeps_a_verification_when_the_note_stays(api, people):
    org, member = people["org"], people["member"]
    response = api.patch(
        f"/api/v1/organisations/{org.id}",
        as_=member,
        json={"functions": [{"code": "G", "note": "Saal und Café für alle", "verified": True}]},
    )
    assert response.status_code == 200, response.json
    assert claims(org) == {"G": ("Saal und Café für alle", True)}
    # a member may not confirm a claim of their own
    refused = api.patch(
        f"/api/v1/organisations/{org.id}",
        as_=member,
        json={"functions": [{"code": "B", "note": "Nähkurse", "verified": True}]},
    )
    assert refused.status_code == 403


def test_fields_not_sent_stay_and_null_functions_changes_nothing(api, people):
    org, member = people["org"], people["member"]
    url = f"/api/v1/organisations/{org.id}"
    api.patch(url, as_=member, json={"description": "Erst dies."})
    response = api.patch(url, as_=member, json={"website": None, "functions": None})
    assert response.status_code == 200, response.json
    assert response.json["description"] == "Erst dies."
    assert {f["code"] for f in response.json["functions"]} == {"B", "G"}
    assert api.patch(url, as_=member).status_code == 200  # an empty body changes nothing


def test_coordinator_verifies_and_unverifies(api, people):
    org, coordinator = people["org"], people["coordinator"]
    url = f"/api/v1/organisations/{org.id}"
    response = api.patch(
        url,
        as_=coordinator,
        json={
            "functions": [
                {"code": "B", "note": "Nähkurse", "verified": True},
                {"code": "G", "note": "Saal und Café für alle", "verified": False},
            ]
        },
    )
    assert response.status_code == 200, response.json
    assert {f["code"]: f["verified"] for f in response.json["functions"]} == {"B": True, "G": False}
    assert claims(org) == {"B": ("Nähkurse", True), "G": ("Saal und Café für alle", False)}


def test_another_organisations_member_is_403_and_nothing_changes(api, people):
    org = people["org"]
    response = api.patch(
        f"/api/v1/organisations/{org.id}",
        as_=people["stranger"],
        json={"description": "Gekapert", "functions": []},
    )
    assert response.status_code == 403
    assert response.json["error"]["code"] == "forbidden"
    assert set(claims(org)) == {"B", "G"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"functions": [{"code": "Z", "note": ""}]}, "functions"),
        ({"functions": [{"code": "G", "note": "x" * 501}]}, "functions"),
        ({"functions": [{"code": "G"}, {"code": "G"}]}, "functions"),
        ({"functions": [{"code": "G", "note": 5}]}, "functions"),
        ({"functions": [{"code": "G", "verified": "yes"}]}, "functions"),
        ({"functions": [{"note": "ohne Code"}]}, "functions"),
        ({"functions": "G"}, "functions"),
        ({"website": "ftp://example.org"}, "website"),
        ({"description": "x" * 20_000}, "description"),
        ({"name": "Umbenannt"}, "name"),
        ({"members": []}, "members"),
    ],
)
def test_invalid_changes_are_422_with_fields_and_change_nothing(api, people, body, field):
    org = people["org"]
    response = api.patch(f"/api/v1/organisations/{org.id}", as_=people["member"], json=body)
    assert field in error_fields(response)
    assert claims(org) == {"B": ("Nähkurse", False), "G": ("Saal und Café für alle", True)}
    db.session.refresh(org)
    assert org.name == "Nachbarschaftszentrum Lindenau" and org.description is None


def test_patch_without_token_401_unknown_id_404_bad_json_400_and_415(api, people):
    org, member = people["org"], people["member"]
    url = f"/api/v1/organisations/{org.id}"
    anonymous = api.patch(url, json={"description": "x"})
    assert anonymous.status_code == 401 and anonymous.json["error"]["code"] == "unauthorized"
    bad_token = api.patch(url, json={}, headers={"Authorization": "Bearer nonsense"})
    assert bad_token.status_code == 401
    missing = api.patch("/api/v1/organisations/987654", as_=member, json={"description": "x"})
    assert missing.status_code == 404
    malformed = api.patch(
        url, as_=member, data='{"description": ', headers={"Content-Type": "application/json"}
    )
    assert malformed.status_code == 400 and "error" in malformed.json
    not_json = api.patch(
        url, as_=member, data="description=x", headers={"Content-Type": "text/plain"}
    )
    assert not_json.status_code == 415


# -- privacy and documentation -------------------------------------------------------------------


def test_no_persons_name_or_email_in_any_answer(api, make, region):
    centre = region["centre"]
    member = make.user(organisation=centre, name="Sabine Krüger", email="sabine.k@example.org")
    coordinator = make.user(
        organisation=region["workshop"],
        name="Jonas Amtmann",
        role="coordinator",
        email="jonas.amt@example.org",
    )
    services.verify_function(centre, "B", coordinator)
    make.listing(organisation=centre, created_by_id=member.id)
    db.session.commit()
    patched = api.patch(
        f"/api/v1/organisations/{centre.id}", as_=member, json={"description": "Offen für alle"}
    )
    assert patched.status_code == 200
    bodies = [
        patched.get_data(as_text=True),
        api.get("/api/v1/organisations").get_data(as_text=True),
        api.get("/api/v1/organisations?near=04177").get_data(as_text=True),
        api.get("/api/v1/organisations?q=Lindenau").get_data(as_text=True),
        api.get(f"/api/v1/organisations/{centre.id}").get_data(as_text=True),
        api.get(f"/api/v1/organisations/{centre.id}", as_=coordinator).get_data(as_text=True),
    ]
    for text in bodies:
        assert "Nachbarschaftszentrum Lindenau" in text
        for secret in ("Sabine", "Krüger", "Jonas", "Amtmann", "@example.org"):
            assert secret not in text
            assert secret.encode("unicode_escape").decode() not in text  # \u-escaped JSON too
        assert "@" not in text.replace("\\u0040", "@")


def test_openapi_documents_the_organisation_endpoints(api):
    spec = api.get("/api/v1/openapi.json").json
    paths = spec["paths"]
    assert "get" in paths["/api/v1/organisations"]
    one = paths["/api/v1/organisations/{org_id}"]
    assert {"get", "patch"} <= set(one)
    assert {"200", "401", "403", "404", "422"} <= set(one["patch"]["responses"])
    assert one["patch"]["security"] == [{"bearerAuth": []}]
    assert "security" not in paths["/api/v1/organisations"]["get"]
    parameters = {p["name"] for p in paths["/api/v1/organisations"]["get"]["parameters"]}
    assert {"q", "function", "kind", "district", "near", "radius_km", "page", "per_page"} <= (
        parameters
    )
    schema = spec["components"]["schemas"]["Organisation"]["properties"]
    assert set(schema) >= ORGANISATION_FIELDS
    assert not {"members", "email", "contact"} & set(schema)
