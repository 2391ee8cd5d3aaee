"""The results part of /listings is kept per listing version for every reader with the same view
of the data (core/fragments.py): never stale, never another organisation's, never another
reader's CSRF token."""

import re

import pytest

from tests.caches import caches_sized
from tests.search.test_wiring import page_titles


@pytest.fixture
def fragments(app, search):
    with caches_sized(app, FRAGMENT_CACHE_SIZE=64):
        yield lambda: app.extensions["fragment_caches"]["browse"]


def test_a_members_results_are_kept_until_a_listing_changes(
    fragments, listing, make, client, login_as
):
    login_as(make.user())
    listing("Paletten")
    assert page_titles(client.get("/listings")) == ["Paletten"]
    assert page_titles(client.get("/listings")) == ["Paletten"]
    assert fragments().hits == 1
    listing("Europaletten")
    assert set(page_titles(client.get("/listings"))) == {"Paletten", "Europaletten"}


def test_an_organisations_own_listings_stay_its_own(fragments, listing, make, app, login_as):
    owner, other = make.user(), make.user()
    listing("Alte Regale", organisation=owner.organisation, status="withdrawn")
    first, second = app.test_client(), app.test_client()
    login_as(owner, first)
    login_as(other, second)
    assert page_titles(first.get("/listings?status=withdrawn")) == ["Alte Regale"]
    assert page_titles(second.get("/listings?status=withdrawn")) == []
    assert other.organisation.name in second.get("/listings?status=withdrawn").text


def test_the_save_search_form_carries_each_readers_own_token(
    fragments, listing, make, app, login_as
):
    listing("Paletten")
    organisation = make.user().organisation
    tokens = []
    for _ in range(2):
        browser = app.test_client()
        login_as(make.user(organisation=organisation), browser)
        page = browser.get("/listings?q=Paletten").text
        form = re.search(r'<form class="card stack save-search".*?</form>', page, re.S).group(0)
        tokens.append(re.search(r'name="csrf_token" value="([^"]+)"', form).group(1))
    assert fragments().hits == 1 and tokens[0] != tokens[1]
