"""The public organisation directory /orgs: search box, kind and district filters, pagination,
sorted by name without a query, reachable from the footer."""

from flask import url_for


def _page(client, **params):
    response = client.get("/orgs", query_string=params, headers={"Accept-Language": "en"})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_directory_lists_organisations_by_name_with_links_kind_and_district(app, client, make):
    later = make.organisation(name="Zimmerei Nord", kind="business", district="Pankow")
    first = make.organisation(name="Altstoffhof", kind="association", district="Mitte")
    html = _page(client)
    assert html.index("Altstoffhof") < html.index("Zimmerei Nord")
    with app.test_request_context():
        assert url_for("pages.organisation", org_id=first.id) in html
        assert url_for("pages.organisation", org_id=later.id) in html
    assert "Association" in html and "Pankow" in html


def test_search_box_and_filters_narrow_the_list(client, make):
    make.organisation(name="Kiezladen Bürostühle", kind="association", district="Neukölln")
    make.organisation(name="Kiezladen Holz", kind="business", district="Neukölln")
    make.organisation(name="Stadtwerkstatt", kind="association", district="Pankow")
    html = _page(client, q="Buerostuhl")
    assert "Kiezladen Bürostühle" in html and "Kiezladen Holz" not in html
    html = _page(client, kind="association")
    assert "Stadtwerkstatt" in html and "Kiezladen Holz" not in html
    html = _page(client, kind="association", district="Neukölln")
    assert "Kiezladen Bürostühle" in html and "Stadtwerkstatt" not in html
    html = _page(client, q="Holz", kind="nonsense", page="x")
    assert "Kiezladen Holz" in html


def test_directory_pages_and_hostile_input_never_fail(client, make):
    for n in range(23):
        make.organisation(name=f"Initiative {n:02d}")
    html = _page(client)
    assert "Initiative 19" in html and "Initiative 20" not in html
    assert "Page 1 of 2" in html
    html = _page(client, page=2)
    assert "Initiative 22" in html and "Initiative 00" not in html
    for q in ["title:(", "AND OR NOT", "*", '"', "\x00\x07", "ü" * 300]:
        _page(client, q=q)
    _page(client, per_page=1000, page=99999)


def test_footer_links_to_the_directory_in_german(client):
    response = client.get("/", headers={"Accept-Language": "de"})
    assert 'href="/orgs"' in response.get_data(as_text=True)
    german = client.get("/orgs", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert "Organisationen" in german
