"""Near me: a signed-in person's default location is their organisation's main place."""

from marketplace.core.geo import postcode_coordinates


def _org(make, name, postcode):
    lat, lon = postcode_coordinates(postcode)
    return make.organisation(name=name, postcode=postcode, lat=lat, lon=lon, district=None)


def _listing(make, org, title, postcode):
    lat, lon = postcode_coordinates(postcode)
    return make.listing(organisation=org, title=title, postcode=postcode, lat=lat, lon=lon)


def test_cards_and_the_listing_page_show_the_distance_from_my_organisation(client, login_as, make):
    mine = _org(make, "Nachbarschaftszentrum Schönefeld", "04347")
    theirs = _org(make, "Tischlerei Span & Nut", "04229")
    offer = _listing(make, theirs, "Kanthölzer Fichte", "04229")
    me = make.user(organisation=mine)
    assert " km" not in client.get("/listings").get_data(as_text=True).split("Kanthölzer")[1][:600]
    login_as(me)
    card = client.get("/listings").get_data(as_text=True).split("Kanthölzer Fichte")[1][:1500]
    assert "Distance" in card and " km" in card
    page = client.get(f"/listings/{offer.id}").get_data(as_text=True)
    assert "km from your organisation" in page
    assert 'data-mini-map data-lat="51.3' in page  # a circle around the postcode, not an address


def test_browse_sorts_by_distance_from_my_organisation_without_a_postcode(client, login_as, make):
    mine = _org(make, "Repair Café Connewitz", "04277")
    other = _org(make, "Anbieter", "04109")
    _listing(make, other, "Fern: Regal aus Gohlis", "04157")
    _listing(make, other, "Nah: Regal aus Connewitz", "04277")
    login_as(make.user(organisation=mine))
    html = client.get("/listings?sort=nearest").get_data(as_text=True)
    assert html.index("Nah: Regal") < html.index("Fern: Regal")
    assert "Your organisation&#39;s postcode" in html or "Your organisation's postcode" in html


def test_without_sign_in_sorting_by_distance_still_asks_for_a_postcode(client, make):
    html = client.get("/listings?sort=nearest").get_data(as_text=True)
    assert "Sorting by distance needs a postcode" in html
