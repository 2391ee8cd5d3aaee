"""Saved searches: kept from the browse page, listed and deleted on /matches, and alerting."""

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.matching.models import MatchAlert, SavedSearch
from marketplace.matching.saved import listing_terms, text_matches
from tests import factories
from tests.matching.helpers import MUNICH, WEDDING, listing, org


def _searches():
    db.session.expire_all()
    return db.session.execute(select(SavedSearch)).scalars().all()


def test_the_browse_page_offers_to_save_a_search_when_signed_in(client, login_as, make):
    user = factories.user()
    db.session.commit()
    assert "Save search and alert me" not in client.get("/listings?q=Paletten").get_data(
        as_text=True
    )
    login_as(user)
    html = client.get("/listings?q=Paletten&kind=offer").get_data(as_text=True)
    assert 'action="/matches/searches"' in html and 'name="q" value="Paletten"' in html


def test_save_list_follow_and_delete(client, login_as, make):
    user = factories.user()
    db.session.commit()
    login_as(user)
    response = client.post(
        "/matches/searches",
        data={"q": "Paletten", "kind": "offer", "near": "10115", "radius_km": "10"},
    )
    assert response.status_code == 302 and "q=Paletten" in response.headers["Location"]
    [search] = _searches()
    assert (search.q, search.kind, search.near, search.radius_km) == (
        "Paletten",
        "offer",
        "10115",
        10,
    )
    page = client.get("/matches").get_data(as_text=True)
    assert "/listings?q=Paletten" in page.replace("&amp;", "&")
    assert client.post(f"/matches/searches/{search.id}/delete").status_code == 302
    assert _searches() == []


def test_invalid_and_hostile_searches_are_refused_without_an_error_page(client, login_as, make):
    user = factories.user()
    db.session.commit()
    login_as(user)
    for data in (
        {},
        {"q": "Paletten", "kind": "everything"},
        {"category": "no-such-category"},
        {"near": "99999"},
        {"near": "10115", "radius_km": "1e308"},
        {"near": "10115", "radius_km": "nan"},
        {"q": "x" * 5000},
        {"q": "\x00\x01Paletten"},
    ):
        response = client.post("/matches/searches", data=data)
        assert response.status_code == 302, data
    assert all("\x00" not in s.q for s in _searches())
    assert len(_searches()) <= 1


def test_nobody_deletes_anothers_saved_search(client, login_as, make):
    owner, other = factories.user(), factories.user()
    db.session.add(SavedSearch(user_id=owner.id, organisation_id=owner.organisation_id, q="Holz"))
    db.session.commit()
    login_as(other)
    search_id = _searches()[0].id
    assert client.post(f"/matches/searches/{search_id}/delete").status_code == 404
    assert len(_searches()) == 1


def test_a_saved_search_alerts_its_organisation_about_a_new_listing(make):
    seeker = factories.user(organisation=org("Gemeinschaftsgarten", WEDDING))
    db.session.add(
        SavedSearch(
            user_id=seeker.id,
            organisation_id=seeker.organisation_id,
            q="Holzpaletten",
            kind="offer",
        )
    )
    db.session.commit()
    market = org("Supermarkt am Platz")
    listing(market, "Bürostühle", "office-furniture")  # not found by the search
    found = listing(market, "Paletten aus Holz, gut erhalten")
    alerts = db.session.execute(select(MatchAlert)).unique().scalars().all()
    assert [(a.organisation_id, a.listing_id) for a in alerts] == [
        (seeker.organisation_id, found.id)
    ]
    assert alerts[0].saved_search_id is not None and alerts[0].own_listing_id is None


def test_a_saved_search_respects_its_place(make):
    seeker = factories.user(organisation=org("Gemeinschaftsgarten", WEDDING))
    db.session.add(
        SavedSearch(
            user_id=seeker.id,
            organisation_id=seeker.organisation_id,
            q="Paletten",
            near="10115",
            radius_km=20,
        )
    )
    db.session.commit()
    listing(org("Lager München", MUNICH), "Paletten")
    assert db.session.execute(select(MatchAlert)).first() is None


def test_text_matching_works_like_the_search(make):
    offer = listing(
        org("Büro"), "Bürostühle mit Armlehnen", "office-furniture", description="Gut erhalten"
    )
    terms = listing_terms(offer)
    assert text_matches("Buerostuhl", terms) and text_matches("Stuhl", terms)
    assert text_matches('"gut erhalten"', terms) and text_matches("office furniture", terms)
    assert not text_matches("Stuhl -Armlehne", terms) and not text_matches("Tisch", terms)


def test_an_over_long_search_is_refused_with_a_short_redirect(client, login_as, make):
    """Issue 16: the refused search is not echoed into the Location header (was 65 KB)."""
    login_as(make.user())
    response = client.post("/matches/searches", data={"q": "Palette" * 15_000, "kind": "offer"})
    assert response.status_code == 302
    assert len(response.headers["Location"]) < 200
    assert response.headers["Location"] == "/listings?kind=offer"
    assert db.session.execute(select(SavedSearch)).first() is None
