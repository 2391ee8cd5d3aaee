"""The listing page's panel: matches with score and reasons, one-click proposal, not interested."""

import re

import pytest
from sqlalchemy import select

from marketplace.exchanges.models import Exchange
from marketplace.extensions import db
from marketplace.matching.models import MatchDismissal
from tests import factories
from tests.caches import caches_sized
from tests.matching.helpers import NEUKOELLN, WEDDING, listing, org, request


@pytest.fixture(autouse=True, params=[0, 64], ids=["built", "kept"])
def fragments(request, app):
    """Every panel test with the panel built each time and kept per listing version."""
    with caches_sized(app, FRAGMENT_CACHE_SIZE=request.param):
        yield


@pytest.fixture
def scene(make):
    workshop = org("Jugendwerkstatt Wedding", WEDDING)
    market = org("Supermarkt am Platz")
    wanted = request(workshop, "Suche Europaletten", quantity=20)
    pallets = listing(market, "Europaletten abzugeben", quantity=40)
    chairs = listing(org("Büro", NEUKOELLN), "Bürostühle", "office-furniture", quantity=5)
    member = factories.user(organisation=workshop)
    giver = factories.user(organisation=market)
    db.session.commit()
    return {
        "request": wanted.id,
        "pallets": pallets.id,
        "chairs": chairs.id,
        "member": member,
        "giver": giver,
        "workshop": workshop.id,
    }


def _page(client, listing_id) -> str:
    response = client.get(f"/listings/{listing_id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_anonymous_visitors_see_matching_offers_read_only(client, scene):
    html = _page(client, scene["request"])
    assert "Matching offers" in html
    assert f'href="/listings/{scene["pallets"]}"' in html
    assert "same category" in html and re.search(r"\d+ %", html)
    assert "Propose</button>" not in html and "Not interested" not in html


def test_an_offer_page_shows_matching_requests(client, scene):
    html = _page(client, scene["pallets"])
    assert "Matching requests" in html
    assert f'href="/listings/{scene["request"]}"' in html


def test_the_request_owner_proposes_with_one_click(client, login_as, scene):
    login_as(scene["member"])
    html = _page(client, scene["request"])
    form = re.search(
        rf'<form method="post" action="/listings/{scene["pallets"]}/propose".*?</form>', html, re.S
    ).group()
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form))
    assert fields["quantity"] == "20" and fields["request_id"] == str(scene["request"])
    response = client.post(f"/listings/{scene['pallets']}/propose", data=fields)
    assert response.status_code == 302
    exchange = db.session.execute(select(Exchange)).scalar_one()
    assert (exchange.offer_id, exchange.request_id) == (scene["pallets"], scene["request"])
    assert exchange.quantity == 20 and exchange.status == "proposed"


def test_not_interested_hides_the_pair_for_good(client, login_as, scene):
    login_as(scene["member"])
    assert f'href="/listings/{scene["pallets"]}"' in _page(client, scene["request"])
    response = client.post(f"/listings/{scene['request']}/matches/{scene['pallets']}/dismiss")
    assert response.status_code == 302
    assert f"/listings/{scene['request']}" in response.headers["Location"]
    assert f'href="/listings/{scene["pallets"]}"' not in _page(client, scene["request"])
    # the other way round, for the same organisation, too
    assert f'href="/listings/{scene["request"]}"' not in _page(client, scene["pallets"])
    # twice is harmless
    client.post(f"/listings/{scene['request']}/matches/{scene['pallets']}/dismiss")
    assert len(db.session.execute(select(MatchDismissal)).scalars().all()) == 1


def test_others_cannot_dismiss_for_an_organisation(client, login_as, scene):
    login_as(scene["giver"])
    response = client.post(f"/listings/{scene['request']}/matches/{scene['pallets']}/dismiss")
    assert response.status_code == 404
    assert db.session.execute(select(MatchDismissal)).first() is None
    anonymous = client.post(f"/listings/{scene['request']}/matches/{scene['pallets']}/dismiss")
    assert anonymous.status_code in (302, 404)


def test_dismissing_needs_a_csrf_token(app, client, login_as, scene):
    login_as(scene["member"])
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post(f"/listings/{scene['request']}/matches/{scene['pallets']}/dismiss")
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    assert db.session.execute(select(MatchDismissal)).first() is None


def test_hostile_ids_do_not_break_anything(client, login_as, scene):
    login_as(scene["member"])
    assert client.post(f"/listings/{scene['request']}/matches/999999/dismiss").status_code == 404
    assert client.post(f"/listings/999999/matches/{scene['pallets']}/dismiss").status_code == 404
    assert client.post(f"/listings/{scene['request']}/matches/abc/dismiss").status_code == 404
    assert client.get(f"/listings/{scene['request']}/matches/1/dismiss").status_code == 405


def test_the_panel_shows_german_reasons(client, scene, german_by_default):
    html = _page(client, scene["request"])
    assert "Passende Angebote" in html and "gleiche Kategorie" in html


def test_a_new_matching_offer_shows_on_the_next_view(client, scene):
    assert "Europaletten, zweite Lieferung" not in _page(client, scene["request"])
    more = listing(org("Baumarkt Süd"), "Europaletten, zweite Lieferung", quantity=10)
    db.session.commit()
    assert f'href="/listings/{more.id}"' in _page(client, scene["request"])
