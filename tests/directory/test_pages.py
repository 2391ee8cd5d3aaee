"""The map, its list without JavaScript, the gaps matrix, the embed page and the directory CSV, as
visitors and members use them."""

import csv
import io

import pytest

from marketplace.core.geo import postcode_coordinates
from marketplace.directory import services
from marketplace.directory.gaps import function_matrix


def _organisation(make, name, kind, postcode, district):
    lat, lon = postcode_coordinates(postcode)
    return make.organisation(
        name=name, kind=kind, postcode=postcode, district=district, lat=lat, lon=lon
    )


@pytest.fixture
def region(make):
    centre = _organisation(
        make, "Nachbarschaftszentrum Lindenau", "association", "04177", "Lindenau"
    )
    cafe = _organisation(make, "Café Kolibri", "social_enterprise", "04315", "Volkmarsdorf")
    workshop = _organisation(
        make, "Jugendwerkstatt Grünau", "project_centre", "04209", "Grünau-Mitte"
    )
    member = make.user(organisation=centre, name="Sabine Krüger", email="sabine@example.org")
    coordinator = make.user(organisation=workshop, role="coordinator", email="amt@example.org")
    services.set_functions(centre, member, [{"code": "G", "note": "Saal und Café für alle"}])
    services.set_functions(
        cafe, coordinator, [{"code": "G", "note": ""}, {"code": "F", "note": ""}]
    )
    services.set_functions(workshop, coordinator, [{"code": "B", "note": "Werkstattkurse"}])
    services.add_site(centre, member, name="Haus 2", postcode="04209", district="Grünau-Mitte")
    make.listing(
        organisation=centre, title="Saal für Feste", category=make.category("rooms"), unit="hour"
    )
    from marketplace.extensions import db

    db.session.commit()
    return {
        "centre": centre,
        "cafe": cafe,
        "workshop": workshop,
        "member": member,
        "coordinator": coordinator,
    }


def test_the_map_page_lists_the_filtered_organisations_by_district_without_javascript(
    client, region
):
    html = client.get("/map?function=G").get_data(as_text=True)
    assert 'id="region-map"' in html and "data-geojson-url" in html
    # grouped by district: the centre appears in Lindenau and, through its second house, Grünau
    assert "Nachbarschaftszentrum Lindenau" in html and "Café Kolibri" in html
    assert "Jugendwerkstatt Grünau" not in html.split('id="map-list-title"')[1]
    assert html.index(">Grünau-Mitte <") < html.index(">Lindenau <") < html.index(">Volkmarsdorf <")
    assert "Haus 2" in html


def test_the_list_shows_distances_nearest_first_with_a_postcode(client, region):
    html = client.get("/map?near=04177&radius_km=30").get_data(as_text=True)
    listed = html.split('id="map-list-title"')[1]
    assert listed.index("Nachbarschaftszentrum Lindenau") < listed.index("Café Kolibri")
    assert " km</span>" in listed


def test_an_unknown_function_is_a_clear_message_not_a_crash(client, region):
    response = client.get("/map?function=Z")
    assert response.status_code == 422
    assert "Unknown function Z" in response.get_data(as_text=True)


def test_the_matrix_shows_the_gaps_and_follows_a_change_of_functions(app_ctx, client, region):
    matrix = function_matrix()
    assert matrix.count("G", "Grünau-Mitte") == 1  # the centre's second house
    assert matrix.count("G", "Lindenau") == 1
    assert matrix.count("B", "Lindenau") == 0
    html = client.get("/map/gaps").get_data(as_text=True)
    assert "no training offer in Lindenau" in html
    assert "/map?function=B&amp;district=Lindenau" in html

    services.set_functions(region["centre"], region["member"], [{"code": "B", "note": "Kurse"}])
    from marketplace.extensions import db

    db.session.commit()
    matrix = function_matrix()
    assert matrix.count("B", "Lindenau") == 1 and matrix.count("G", "Lindenau") == 0
    html = client.get("/map/gaps").get_data(as_text=True)
    assert "no training offer in Lindenau" not in html
    assert "no social meeting place in Lindenau" in html


def test_the_gaps_read_in_german(client, region, german_by_default):
    html = client.get("/map/gaps").get_data(as_text=True)
    assert "kein Bildungsangebot in Lindenau" in html


def test_only_the_embed_page_may_be_framed(client, region, app):
    embed = client.get("/embed/map?function=G")
    assert embed.status_code == 200
    assert "X-Frame-Options" not in embed.headers
    assert "frame-ancestors * 'self'" in embed.headers["Content-Security-Policy"]
    full = client.get("/map")
    assert full.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in full.headers["Content-Security-Policy"]
    assert (
        "img-src 'self' data: https://tile.openstreetmap.org"
        in full.headers["Content-Security-Policy"]
    )
    app.config["EMBED_FRAME_ANCESTORS"] = "https://www.leipzig.de javascript:alert(1)"
    try:
        policy = client.get("/embed/map").headers["Content-Security-Policy"]
    finally:
        app.config["EMBED_FRAME_ANCESTORS"] = "*"
    assert "frame-ancestors https://www.leipzig.de 'self'" in policy


def test_the_embed_code_page_gives_an_iframe_with_the_chosen_filters(client, region):
    html = client.get("/map/embed?function=G&district=Lindenau").get_data(as_text=True)
    snippet = html.split('id="embed-snippet"')[1].split("</textarea>")[0]
    assert '&lt;iframe src="http://localhost/embed/map?function=G&amp;district=Lindenau"' in snippet


def test_the_directory_csv_is_open_data_without_people(client, region):
    response = client.get("/orgs/export.csv?function=G")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert {r["name"] for r in rows} == {"Nachbarschaftszentrum Lindenau", "Café Kolibri"}
    centre = next(r for r in rows if r["name"].startswith("Nachbarschaftszentrum"))
    assert centre["functions"] == "G" and "Haus 2 (04209 Grünau-Mitte)" in centre["sites"]
    assert centre["licence"] == "CC BY 4.0"
    assert "Sabine" not in text and "@" not in text


def test_a_member_edits_functions_and_sites_and_a_coordinator_confirms(client, login_as, region):
    login_as(region["member"])
    org_id = region["centre"].id
    response = client.post(
        f"/orgs/{org_id}/functions",
        data={"claim_G": "y", "note_G": "Saal, Café und Garten", "claim_H": "y", "note_H": ""},
    )
    assert response.status_code == 302
    too_long = client.post(f"/orgs/{org_id}/functions", data={"claim_A": "y", "note_A": "x" * 501})
    assert too_long.status_code == 200 and "at most 500 characters" in too_long.get_data(
        as_text=True
    )
    client.post(
        f"/orgs/{org_id}/sites",
        data={"name": "Garten", "postcode": "04179", "district": "Leutzsch"},
    )
    bad = client.post(f"/orgs/{org_id}/sites", data={"name": "Nirgendwo", "postcode": "00000"})
    assert "We do not know this postcode" in bad.get_data(as_text=True)
    profile = client.get(f"/orgs/{org_id}").get_data(as_text=True)
    assert "Saal, Café und Garten" in profile and "Garten · 04179 Leutzsch" in profile
    assert "confirmed by the coordination" not in profile
    refused = client.post(f"/orgs/{org_id}/functions/G/verification", data={"verified": "1"})
    assert refused.status_code == 403

    login_as(region["coordinator"])
    client.post(f"/orgs/{org_id}/functions/G/verification", data={"verified": "1"})
    assert "confirmed by the coordination" in client.get(f"/orgs/{org_id}").get_data(as_text=True)


def test_another_organisation_cannot_edit_the_profile(client, login_as, make, region):
    stranger = make.user(organisation=region["cafe"], email="x@example.org")
    login_as(stranger)
    org_id = region["centre"].id
    assert client.get(f"/orgs/{org_id}/functions").status_code == 403
    assert (
        client.post(f"/orgs/{org_id}/sites", data={"name": "X", "postcode": "04109"}).status_code
        == 403
    )


def test_districts_with_sharp_s_and_umlauts_are_found_as_written_and_linked(client, make):
    org = _organisation(make, "Wohnungsgenossenschaft Lößnig", "business", "04279", "Lößnig")
    services.set_functions(org, make.user(organisation=org), [{"code": "F", "note": ""}])
    from marketplace.extensions import db

    db.session.commit()
    for district in ("Lößnig", "lößnig"):
        html = client.get("/map", query_string={"district": district}).get_data(as_text=True)
        assert "Wohnungsgenossenschaft Lößnig" in html.split('id="map-list-title"')[1]


def test_a_member_uploads_a_logo_that_is_served_re_encoded(client, login_as, region):
    import io as _io

    from PIL import Image

    login_as(region["member"])
    org_id = region["centre"].id
    png = _io.BytesIO()
    Image.new("RGB", (300, 120), (29, 107, 71)).save(png, "PNG")
    png.seek(0)
    response = client.post(
        f"/orgs/{org_id}/logo/edit",
        data={"logo": (png, "logo.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    logo = client.get(f"/orgs/{org_id}/logo")
    assert logo.status_code == 200 and logo.mimetype == "image/jpeg"
    assert logo.headers["X-Content-Type-Options"] == "nosniff"
    assert f"/orgs/{org_id}/logo?size=small" in client.get(f"/orgs/{org_id}").get_data(as_text=True)
    refused = client.post(
        f"/orgs/{org_id}/logo/edit",
        data={"logo": (_io.BytesIO(b"%PDF-1.4 not a picture"), "logo.png")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 200
    assert "not a picture we can read" in refused.get_data(as_text=True)
