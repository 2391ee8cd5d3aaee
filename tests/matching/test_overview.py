"""The "Matches" page lists each open listing of the organisation with its best candidates and
why; a pair sharing only a category is shown apart without a score, and never alerted."""

import re

import pytest

from marketplace.extensions import db
from marketplace.matching import candidates as candidate_search
from marketplace.matching.models import MatchAlert
from marketplace.matching.queries import OVERVIEW_LISTINGS, list_top_candidates_for_org
from tests import factories
from tests.matching.helpers import NEUKOELLN, WEDDING, listing, org, request


@pytest.fixture
def scene(make):
    workshop = org("Jugendwerkstatt Wedding", WEDDING)
    market = org("Supermarkt am Platz")
    office = org("Büro im Umzug", NEUKOELLN)
    pallets_wanted = request(workshop, "Suche Europaletten", quantity=20)
    shelf_offered = listing(workshop, "Schwerlastregal verzinkt", "shelving", quantity=2)
    closed = request(workshop, "Suche Fahrräder", "bikes", status="closed")
    pallets = listing(market, "Holzpaletten 120x80", quantity=40)
    frames = listing(market, "Holzgestelle für Transport", quantity=10)
    shelf_wanted = request(office, "Regal für das Archiv", "shelving", quantity=1)
    member = factories.user(organisation=workshop)
    db.session.commit()
    return locals()


def _section(html: str, listing_id: int) -> str:
    """The card of one own listing on /matches."""
    start = html.index(f'href="/listings/{listing_id}#matches-heading"')
    return html[start:].split('<li class="card stack">', 1)[0].split('id="alerts-heading"')[0]


def test_each_open_listing_shows_its_best_candidates_with_reasons(client, login_as, scene):
    login_as(scene["member"])
    html = client.get("/matches").get_data(as_text=True)
    assert "Best candidates for your open listings" in html
    pallets = _section(html, scene["pallets_wanted"].id)
    assert f'href="/listings/{scene["pallets"].id}"' in pallets
    assert re.search(r"match-score[^>]*>\d+ %", pallets) and "in both: “" in pallets
    shelf = _section(html, scene["shelf_offered"].id)
    assert f'href="/listings/{scene["shelf_wanted"].id}"' in shelf
    assert f'href="/listings/{scene["closed"].id}#' not in html  # closed: no candidates


def test_a_category_only_pair_is_maybe_of_interest_without_a_score(client, login_as, scene):
    login_as(scene["member"])
    pallets = _section(client.get("/matches").get_data(as_text=True), scene["pallets_wanted"].id)
    matches, maybe = pallets.split("Maybe also of interest")
    assert f'href="/listings/{scene["frames"].id}"' not in matches
    assert f'href="/listings/{scene["frames"].id}"' in maybe and "%</span>" not in maybe


def test_many_listings_are_paged_and_each_page_is_bounded(client, login_as, scene, monkeypatch):
    for n in range(OVERVIEW_LISTINGS + 2):
        listing(scene["workshop"], f"Europaletten Posten {n}", quantity=5)
    db.session.commit()
    searches = []
    retrieve = candidate_search.retrieve
    monkeypatch.setattr(
        candidate_search, "retrieve", lambda *a, **kw: searches.append(1) or retrieve(*a, **kw)
    )
    login_as(scene["member"])
    first = client.get("/matches").get_data(as_text=True)
    # At most one candidate search per listing shown (candidates scored before, e.g. for the
    # alerts when the listing was posted, are kept per index version and need none).
    assert len(re.findall(r'#matches-heading"', first)) == OVERVIEW_LISTINGS
    assert 0 < len(searches) <= OVERVIEW_LISTINGS and 'rel="next"' in first
    second = client.get("/matches?page=2").get_data(as_text=True)
    assert f'href="/listings/{scene["pallets_wanted"].id}#matches-heading"' in second
    assert client.get("/matches?page=abc").status_code == 200


def test_top_candidates_for_the_start_page_are_matches_only(scene):
    found = list_top_candidates_for_org(scene["workshop"].id, limit=5)
    assert found and all(own.organisation_id == scene["workshop"].id for own, _ in found)
    assert scene["frames"].id not in [match.listing.id for _, match in found]
    scores = [match.score for _, match in found]
    assert scores == sorted(scores, reverse=True)


def test_no_alert_for_a_pair_sharing_only_the_category(app, scene):
    app.config["MATCH_ALERT_MIN_SCORE"] = 0.05  # below any score: the word rule alone decides
    try:  # each factory commits: the alerts follow the commit
        gestelle = listing(scene["market"], "Holzgestelle für Transport", quantity=8)
        paletten = listing(scene["market"], "Europaletten abzugeben", quantity=8)
    finally:
        app.config["MATCH_ALERT_MIN_SCORE"] = 0.5
    alerted = db.session.query(MatchAlert.listing_id, MatchAlert.organisation_id).all()
    assert (paletten.id, scene["workshop"].id) in alerted
    assert gestelle.id not in {listing_id for listing_id, _ in alerted}
