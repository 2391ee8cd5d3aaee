"""Organisation profiles: who they are, what they offer and seek; management links for members."""

from marketplace.extensions import db


def test_profile_shows_details_and_open_listings_only(client, make):
    org = make.organisation(
        name="Theater im Hinterhaus e. V.",
        kind="association",
        postcode="04177",
        district="Lindenau",
        description="Freies Theater mit eigener Werkstatt.",
        website="https://theater.example",
    )
    make.user(organisation=org)
    make.user(organisation=org)
    make.listing(organisation=org, title="Bühnenpodeste 2 x 1 m")
    make.listing(organisation=org, kind="request", title="Farben und Lacke gesucht")
    make.listing(organisation=org, title="Zurückgezogene Klappstühle", status="withdrawn")
    make.listing(organisation=org, title="Verschenkte Scheinwerfer", status="closed")
    make.listing(title="Paletten einer anderen Organisation")

    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.get(f"/orgs/{org.id}")
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "Theater im Hinterhaus e. V." in html
    assert "Association" in html
    assert "04177" in html and "Lindenau" in html
    assert "Freies Theater mit eigener Werkstatt." in html
    assert "2 people" in html
    assert 'href="https://theater.example" rel="nofollow noopener"' in html
    assert "Bühnenpodeste 2 x 1 m" in html
    assert "Farben und Lacke gesucht" in html
    assert "Zurückgezogene Klappstühle" not in html
    assert "Verschenkte Scheinwerfer" not in html
    assert "Paletten einer anderen Organisation" not in html


def test_website_that_is_not_http_is_not_linked(client, make):
    org = make.organisation(website="javascript:alert(1)")
    html = client.get(f"/orgs/{org.id}").get_data(as_text=True)
    assert "javascript:" not in html


def test_unknown_organisation_is_a_friendly_404(client, make):
    make.organisation()
    response = client.get("/orgs/999999")
    assert response.status_code == 404
    assert "<html" in response.get_data(as_text=True)


def _management_links(org_id: int) -> tuple[str, str]:
    return f'href="/orgs/{org_id}/edit"', f'href="/orgs/{org_id}/members"'


def test_no_management_links_for_visitors(client, make):
    org = make.organisation()
    html = client.get(f"/orgs/{org.id}").get_data(as_text=True)
    assert not any(link in html for link in _management_links(org.id))


def test_no_management_links_for_members_of_another_organisation(client, make, login_as):
    org = make.organisation()
    org_id = org.id
    login_as(make.user())
    html = client.get(f"/orgs/{org_id}").get_data(as_text=True)
    assert not any(link in html for link in _management_links(org_id))


def test_members_see_links_to_edit_their_organisation(client, make, login_as):
    org = make.organisation()
    org_id = org.id
    login_as(make.user(organisation=org))
    html = client.get(f"/orgs/{org_id}").get_data(as_text=True)
    assert all(link in html for link in _management_links(org_id))


def test_inactive_people_are_not_counted_as_members(client, make):
    org = make.organisation()
    make.user(organisation=org)
    gone = make.user(organisation=org)
    gone.active = False
    db.session.commit()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert "1 person" in client.get(f"/orgs/{org.id}").get_data(as_text=True)
