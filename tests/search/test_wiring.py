"""Search as people meet it: the browse page /listings and GET /api/v1/listings, on the real
whoosh index (listings.queries finds through app.extensions["listing_search"]), and the page
cache that keeps anonymous browse and search pages cheap."""

import re
import secrets
from datetime import timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event

from marketplace.core.clock import today
from marketplace.core.csrf_tokens import kept_tokens
from marketplace.extensions import db
from marketplace.listings.models import Listing, Photo
from marketplace.listings.page_cache import page_cache
from marketplace.listings.queries import FINDER_KEY
from tests.factories import category

# -- helpers -------------------------------------------------------------------------------------


def page_titles(response) -> list[str]:
    """Titles of the result cards, in order, without the search's marks."""
    assert response.status_code == 200, response.status_code
    found = re.findall(r'class="card-title">\s*<a href="[^"]+">(.*?)</a>', response.text)
    return [re.sub(r"</?mark>", "", unescape(t)) for t in found]


def only_marks(html: str) -> bool:
    """No tag but <mark>, and no raw quotes (attributes could not be opened)."""
    rest = html.replace("<mark>", "").replace("</mark>", "")
    return "<" not in rest and ">" not in rest and '"' not in rest and "'" not in rest


@pytest.fixture
def web(client):
    def titles(query: str = "") -> list[str]:
        return page_titles(client.get(f"/listings?{query}"))

    return titles


@pytest.fixture
def api_titles(api):
    def titles(query: str = "", **kw) -> list[str]:
        response = api.get(f"/api/v1/listings?{query}", **kw)
        assert response.status_code == 200, response.json
        return [item["title"] for item in response.json["items"]]

    return titles


@pytest.fixture
def cache(app, search):
    """The page cache switched on (tests run without it by default), empty."""
    app.config["LISTINGS_PAGE_CACHE_SIZE"] = 64
    cache = page_cache_of(app)
    cache.clear()
    yield cache
    cache.clear()
    app.config.pop("LISTINGS_PAGE_CACHE_SIZE")


def page_cache_of(app):
    with app.test_request_context("/listings"):
        return page_cache()


# -- what must be found (issue 3, point 1) ------------------------------------------------------

FOUND = [
    ("Palette", {"Paletten", "Europaletten"}),
    # the shipped term list (issue 13.5): an English word finds German listings too
    ("pallet", {"Wooden pallets", "Paletten", "Europaletten"}),
    ("Buerostuhl", {"Bürostühle"}),
    ("Burostuhl", {"Bürostühle"}),
    ("Bürostuhl", {"Bürostühle"}),
    ("Regal", {"Schwerlastregale"}),
    ("Platte", {"Dämmplatten"}),
]


@pytest.fixture
def corpus(search, listing):
    for title in (
        "Paletten",
        "Europaletten",
        "Wooden pallets",
        "Bürostühle",
        "Schwerlastregale",
        "Dämmplatten",
        "Laptops",
    ):
        listing(title, "Abzuholen im Hof.")
    return search


@pytest.mark.parametrize(("query", "expected"), FOUND)
def test_german_and_english_words_are_found_on_the_page_and_in_the_api(
    corpus, web, api_titles, query, expected
):
    assert set(web(f"q={query}")) == expected
    assert set(api_titles(f"q={query}")) == expected


def test_title_matches_rank_above_description_matches(search, listing, web, api_titles):
    listing("Holzkisten, stapelbar", "Zwanzig Stück.")
    listing("Restposten aus dem Lager", "Dabei auch Holzkisten und Bretter.")  # newer
    assert web("q=Holzkisten") == ["Holzkisten, stapelbar", "Restposten aus dem Lager"]
    assert api_titles("q=Holzkisten") == ["Holzkisten, stapelbar", "Restposten aus dem Lager"]
    # sorted by date on request
    assert web("q=Holzkisten&sort=newest")[0] == "Restposten aus dem Lager"
    assert api_titles("q=Holzkisten&sort=newest")[0] == "Restposten aus dem Lager"


def test_did_you_mean_on_the_page_and_in_the_api(search, listing, client, api):
    for i in range(4):
        listing(f"Paletten aus Halle {i}")
    page = client.get("/listings?q=Palleten&kind=offer")
    assert "Did you mean" in page.text
    link = re.search(r'class="search-suggestion">.*?<a href="([^"]+)"[^>]*>Paletten</a>', page.text)
    assert link, page.text
    args = parse_qs(urlsplit(unescape(link.group(1))).query)
    assert args == {"q": ["Paletten"], "kind": ["offer"]}  # the other filters stay
    assert len(page_titles(client.get(unescape(link.group(1))))) == 4
    answer = api.get("/api/v1/listings?q=Palleten").json
    assert answer["suggestion"] == "Paletten"
    assert "suggestion" not in api.get("/api/v1/listings?q=Paletten").json


def test_highlights_are_escaped_text_with_mark_only(search, listing, client, api):
    evil = "Stuhl <script>alert('x')</script> \"zu verschenken\""
    listing(evil, 'Ein "Stuhl" mit <b onmouseover="steal()">Fett</b> & Co.')
    page = client.get("/listings?q=Stuhl").text
    assert "<script>alert" not in page and "<b onmouseover" not in page
    card_title = re.search(r'class="card-title">\s*<a href="[^"]+">(.*?)</a>', page).group(1)
    snippet = re.search(r'class="card-snippet">(.*?)</p>', page).group(1)
    assert card_title.startswith("<mark>Stuhl</mark> &lt;script&gt;")
    assert "<mark>Stuhl</mark>" in snippet
    assert only_marks(card_title) and only_marks(snippet)
    item = api.get("/api/v1/listings?q=Stuhl").json["items"][0]
    assert item["title"] == evil
    assert "<mark>Stuhl</mark>" in item["highlight"] and only_marks(item["highlight"])
    assert "highlight" not in api.get("/api/v1/listings").json["items"][0]


def test_facet_counts_are_links_that_add_their_filter(search, listing, client):
    listing("Holzpaletten", category=category("pallets"), district="Plagwitz")
    listing("Holzpaletten gesucht", category=category("pallets"), kind="request", district="Gohlis")
    listing("Holzbretter", category=category("wood"), district="Plagwitz")
    listing("Metallregal", category=category("shelving"), district="Plagwitz")
    page = client.get("/listings?q=Holz").text
    facets = page[page.index('class="stack facets"') :]
    found = re.findall(
        r'<a href="([^"]+)" rel="nofollow">([^<]+)</a> <span class="muted">\((\d+)\)', facets
    )
    links = {label: (unescape(href), int(count)) for href, label, count in found}
    assert links["Pallets and crates"][1] == 2 and links["Wood and timber"][1] == 3
    assert links["Offer"][1] == 2 and links["Request"][1] == 1
    assert links["Plagwitz"][1] == 2 and links["Gohlis"][1] == 1
    assert "Shelving and storage systems" not in links  # no match for Holz
    # following a link adds the filter to the search (plain links: no JavaScript needed)
    href = links["Pallets and crates"][0]
    assert parse_qs(urlsplit(href).query) == {"q": ["Holz"], "category": ["pallets"]}
    assert sorted(page_titles(client.get(href))) == ["Holzpaletten", "Holzpaletten gesucht"]
    assert page_titles(client.get(links["Gohlis"][0])) == ["Holzpaletten gesucht"]
    chosen = client.get(links["Request"][0]).text
    assert 'aria-current="true">Request</span>' in chosen and "facet-remove" in chosen


def test_filters_work_with_a_query(search, listing, make, web, api_titles):
    org = make.organisation()
    listing("Paletten Mitte", category=category("pallets"), organisation=org)
    listing("Paletten gesucht", category=category("pallets"), kind="request")
    listing("Paletten Regal", category=category("shelving"))
    listing("Paletten vergeben", status="closed", category=category("bricks"))
    listing(  # the others are in Berlin Mitte
        "Paletten Leipzig",
        category=category("bricks"),
        postcode="04109",
        district="Zentrum",
        lat=51.34,
        lon=12.37,
    )
    cases = {
        "kind=request": ["Paletten gesucht"],
        "category=wood": ["Paletten gesucht", "Paletten Mitte"],  # pallets is below wood
        "resource_type=equipment": ["Paletten Regal"],
        "status=closed": ["Paletten vergeben"],
        f"organisation_id={org.id}": ["Paletten Mitte"],
        "near=04109&radius_km=10": ["Paletten Leipzig"],
        "district=zentrum": ["Paletten Leipzig"],
    }
    for query, expected in cases.items():
        assert sorted(web(f"q=Paletten&{query}")) == sorted(expected), query
        assert sorted(api_titles(f"q=Paletten&{query}")) == sorted(expected), query
    nearest = web("q=Paletten&near=04109&radius_km=300&sort=nearest")
    assert nearest[0] == "Paletten Leipzig" and len(nearest) == 4
    assert api_titles("q=Paletten&near=04109&radius_km=300&sort=nearest")[0] == "Paletten Leipzig"


def test_distances_are_shown_with_near(search, listing, client, api):
    listing("Paletten Leipzig", postcode="04109", district="Zentrum", lat=51.34, lon=12.37)
    page = client.get("/listings?q=Paletten&near=04109", headers={"Accept-Language": "en"})
    assert "Distance" in page.text and " km" in page.text
    item = api.get("/api/v1/listings?q=Paletten&near=04109").json["items"][0]
    assert 0 <= item["distance_km"] < 5


def test_pagination_of_search_results(search, listing, client, api):
    for number in range(25):
        listing(f"Kiste {number:02d}")
    first, second = client.get("/listings?q=Kiste"), client.get("/listings?q=Kiste&page=2")
    assert len(page_titles(first)) == 20 and len(page_titles(second)) == 5
    assert set(page_titles(first)).isdisjoint(page_titles(second))
    assert 'rel="next"' in first.text and "page=2" in first.text and "q=Kiste" in first.text
    answer = api.get("/api/v1/listings?q=Kiste&per_page=10&page=3").json
    assert (answer["total"], answer["page"], answer["per_page"]) == (25, 3, 10)
    assert len(answer["items"]) == 5


def test_api_sort_defaults_to_relevance_with_q_else_newest(search, listing, api_titles):
    listing("Holzkisten", "Alt.")
    listing("Restposten", "Mit Holzkisten.")  # newer
    assert api_titles("q=Holzkisten") == ["Holzkisten", "Restposten"]
    assert api_titles("") == ["Restposten", "Holzkisten"]
    assert api_titles("near=10115&radius_km=50") == ["Restposten", "Holzkisten"]


def test_words_not_found_together_relax_to_any_word(search, listing, client, api):
    listing("Paletten")
    listing("Zebrastreifen-Farbe")
    page = client.get("/listings?q=Paletten+Zebrastreifen")
    assert "listings with some of them are shown" in page.text
    assert sorted(page_titles(page)) == ["Paletten", "Zebrastreifen-Farbe"]
    answer = api.get("/api/v1/listings?q=Paletten+Zebrastreifen").json
    assert answer["relaxed"] is True and answer["total"] == 2
    assert api.get("/api/v1/listings?q=Paletten").json["relaxed"] is False


def test_page_numbers_the_search_refuses_are_explained(search, listing, client, api):
    listing("Paletten")
    page = client.get("/listings?page=50000")
    assert page.status_code == 200 and "form-summary" in page.text
    assert "page" in api.get("/api/v1/listings?page=50000").json["error"]["fields"]


# -- always in step ------------------------------------------------------------------------------


def test_an_edit_is_found_on_the_next_request_and_withdrawn_ones_disappear(
    search, listing, make, client, api, login_as, web, api_titles
):
    owner = make.user()
    first = listing("Bürostühle", organisation=owner.organisation)
    second = listing("Schreibtische", organisation=owner.organisation)
    assert web("q=Gitterbox") == [] and api_titles("q=Gitterbox") == []
    patched = api.patch(
        f"/api/v1/listings/{first.id}", as_=owner, json={"title": "Gitterboxen aus Stahl"}
    )
    assert patched.status_code == 200
    assert web("q=Gitterbox") == ["Gitterboxen aus Stahl"]
    assert api_titles("q=Gitterbox") == ["Gitterboxen aus Stahl"]
    assert web("q=Bürostuhl") == []

    login_as(owner)
    edited = client.post(
        f"/listings/{second.id}/edit",
        data={
            "title": "Konferenztische",
            "description": "",
            "category": "tables",
            "quantity": "3",
            "unit": "piece",
            "condition": "good",
            "price_eur": "0",
        },
        content_type="multipart/form-data",
    )
    assert edited.status_code == 302
    assert api_titles("q=Konferenztisch") == ["Konferenztische"]
    client.post(f"/listings/{second.id}/withdraw")
    assert api.delete(f"/api/v1/listings/{first.id}", as_=owner).status_code == 204
    client.post("/logout")
    assert web("q=Konferenztisch") == [] and api_titles("q=Gitterbox") == []
    assert web() == [] and api_titles() == []
    # the owner still finds them among the withdrawn ones
    assert api_titles("q=Gitterbox&status=withdrawn", as_=owner) == ["Gitterboxen aus Stahl"]
    assert api_titles("q=Gitterbox&status=withdrawn") == []


def test_listings_the_index_still_names_are_healed_not_shown(search, listing, client):
    listing("Paletten eins")
    ghost = listing("Paletten zwei").id
    db.session.commit()  # end the session's transaction (on SQLite it holds the write lock)
    with db.engine.begin() as conn:  # no session, no events: the index does not follow
        conn.execute(sa.delete(Listing.__table__).where(Listing.__table__.c.id == ghost))
    page = client.get("/listings?q=Paletten")
    assert page_titles(page) == ["Paletten eins"] and "1 listing found" in page.text
    assert search.check_drift(heal=False, force=True).in_step


# -- the SQL path of an app without search ------------------------------------------------------


def test_without_a_finder_the_pages_search_with_sql(app, search, listing, web, api_titles):
    listing("Bürostühle")
    finder = app.extensions.pop(FINDER_KEY)
    try:
        assert web("q=stühle") == ["Bürostühle"]
        assert api_titles("q=stühle") == ["Bürostühle"]
        assert web("q=Bürostuhl") == []  # no stemming without the search engine
    finally:
        app.extensions[FINDER_KEY] = finder


def test_a_broken_index_falls_back_to_sql_rather_than_fail(
    search, listing, web, api_titles, monkeypatch, cache
):
    listing("Bürostühle")

    def broken(*args, **kwargs):
        raise OSError("index files gone")

    monkeypatch.setattr(search, "search", broken)
    monkeypatch.setattr(search, "version", broken)
    for _ in range(2):
        assert web("q=stühle") == ["Bürostühle"]
        assert api_titles("q=stühle") == ["Bürostühle"]
    assert cache.hits == 0  # without a version nothing is served from the cache


# -- cheap pages: one query for the listings, and a cache for anonymous visitors ----------------


def count_statements(app, client, path: str) -> int:
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len([s for s in statements if ("listings" in s or "photos" in s) and not _is_upkeep(s)])


#: What a request may do besides its page, at most once per interval or after a failed index
#: write (under load that happens at any request): the expiry sweep and the index's drift check.
_UPKEEP = (
    "UPDATE listings SET status=",
    "SELECT count(*) AS count_1 FROM listings",
    "SELECT listings.id, listings.updated_at FROM listings",
)


def _is_upkeep(statement: str) -> bool:
    return " ".join(statement.split()).startswith(_UPKEEP)


def add_photos(listing, n: int = 2) -> None:
    for position in range(n):
        db.session.add(
            Photo(
                listing=listing,
                organisation_id=listing.organisation_id,
                filename=secrets.token_hex(16) + ".jpg",
                width=10,
                height=10,
                size_bytes=100,
                position=position,
            )
        )
    db.session.commit()


def test_browse_loads_its_listings_in_one_query(app, search, listing, client):
    for number in range(3):
        add_photos(listing(f"Kiste {number}"))
    few = count_statements(app, client, "/listings")
    for number in range(3, 25):
        add_photos(listing(f"Kiste {number}"))
    many = count_statements(app, client, "/listings")
    assert many == few  # no query per listing, photo, category or organisation
    page = client.get("/listings").text
    assert page.count("-t.jpg") == 20  # one thumbnail per card


def test_anonymous_pages_come_from_the_cache_until_a_listing_changes(
    cache, listing, make, client, api
):
    owner = make.user()
    first = listing("Paletten", organisation=owner.organisation)
    assert page_titles(client.get("/listings?q=Paletten")) == ["Paletten"]
    assert (cache.hits, len(cache)) == (0, 1)
    assert page_titles(client.get("/listings?q=Paletten")) == ["Paletten"]
    assert cache.hits == 1
    # another language is another page
    german = client.get("/listings?q=Paletten", headers={"Accept-Language": "de"})
    assert 'lang="de"' in german.text and cache.hits == 1
    # a change anywhere (here through the API) makes every kept page stale
    api.patch(f"/api/v1/listings/{first.id}", as_=owner, json={"title": "Europaletten"})
    assert page_titles(client.get("/listings?q=Paletten")) == ["Europaletten"]
    listing("Paletten, zweite Lieferung")
    assert len(page_titles(client.get("/listings?q=Paletten"))) == 2
    api.delete(f"/api/v1/listings/{first.id}", as_=owner)
    assert page_titles(client.get("/listings?q=Paletten")) == ["Paletten, zweite Lieferung"]


def test_pages_of_signed_in_users_and_pages_with_messages_are_not_cached(
    cache, listing, make, client, login_as
):
    listing("Paletten")
    user = login_as(make.user())
    for _ in range(2):
        page = client.get("/listings")
        assert user.organisation.name in page.text  # their own header
    assert (cache.hits, len(cache)) == (0, 0)
    client.post("/logout")
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Gerade abgemeldet")]
    assert "Gerade abgemeldet" in client.get("/listings").text
    assert len(cache) == 0
    assert "Gerade abgemeldet" not in client.get("/listings").text
    assert len(cache) == 1


def test_visitors_without_cookies_are_answered_before_the_app(
    app, cache, listing, make, client, login_as
):
    from flask import request_started

    listing("Paletten")
    dispatched = []

    def count(sender, **extra):
        dispatched.append(sender)

    request_started.connect(count, app)
    try:
        visitor = app.test_client(use_cookies=False)
        first, second = visitor.get("/listings"), visitor.get("/listings")
        assert len(dispatched) == 1 and cache.hits == 1
        assert second.data == first.data and "Set-Cookie" not in second.headers
        for header in ("Content-Security-Policy", "X-Frame-Options", "Vary", "Content-Type"):
            assert second.headers[header] == first.headers[header]
        # a new listing is there on the next request; an English browser gets its own copy
        listing("Europaletten")
        assert set(page_titles(visitor.get("/listings"))) == {"Paletten", "Europaletten"}
        english = visitor.get("/listings", headers={"Accept-Language": "en-GB,en;q=0.8"})
        assert 'lang="en"' in english.text
        # a signed-in member's request is never answered with the anonymous copy
        member = login_as(make.user())
        assert member.organisation.name in client.get("/listings").text
    finally:
        request_started.disconnect(count, app)


def test_a_visitor_with_a_csrf_token_in_the_session_still_gets_shared_pages(
    app, cache, listing, client
):
    """A kept CSRF token (core/csrf_tokens.py) is handed to signed-in readers only: in g it
    would make a visitor's page personal, never kept."""
    listing("Paletten")
    raw = "a" * 40
    with client.session_transaction() as session:
        session["csrf_token"] = raw
    kept = kept_tokens(app)
    kept.get(raw, app.secret_key)
    kept.put(raw, app.secret_key, "signed-before")
    for _ in range(2):
        assert page_titles(client.get("/listings")) == ["Paletten"]
    assert cache.hits == 1


def test_the_cache_is_bounded(app, cache, listing, client):
    app.config["LISTINGS_PAGE_CACHE_SIZE"] = 3
    small = page_cache_of(app)
    listing("Paletten")
    for number in range(1, 6):
        client.get(f"/listings?page={number}")
    assert len(small) == 3


def test_the_day_changing_makes_pages_stale(cache, listing, client, monkeypatch):
    import marketplace.listings.page_cache as module

    listing("Paletten", available_until=today())
    assert page_titles(client.get("/listings")) == ["Paletten"]
    monkeypatch.setattr(module, "today", lambda: today() + timedelta(days=1))
    client.get("/listings")
    assert (cache.hits, cache.misses) == (0, 2)


# -- hostile input -------------------------------------------------------------------------------

HOSTILE = [
    "title:(",
    "AND OR NOT",
    "*",
    '"',
    "\x00\x01\x1f\x7f",
    "ä" * 300,
    "Ü" * 5000,
    "x" * 5000,
    "<script>alert(1)</script>",
    "%00",
    "-",
    "title:Paletten^5 description:[a TO z]",
]


@pytest.fixture
def some_listings(search, listing):
    listing("Europaletten", 'Gut erhalten, "Paletten" & <Kisten>')
    listing("Bürostühle", "Zehn Stück aus der Umzugs-Auflösung")
    return search


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_queries_give_a_page_or_a_json_answer(some_listings, client, api, text):
    page = client.get("/listings", query_string={"q": text})
    assert page.status_code == 200 and "<html" in page.text
    answer = api.get("/api/v1/listings", query_string={"q": text})
    assert answer.status_code in (200, 422) and answer.content_type == "application/json"
    if answer.status_code == 422:
        assert "q" in answer.json["error"]["fields"]


_text = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=250),
    st.text(alphabet=st.sampled_from(list('äöüÄÖÜß"*:()-^~ANDORT \x00\t\n%&<>')), max_size=120),
    st.lists(
        st.sampled_from(["Paletten", "AND", "OR", "NOT", '"', "title:(", "*", "-", "ä", "Regal"])
    ).map(" ".join),
)
_args = st.fixed_dictionaries(
    {"q": _text},
    optional={
        "sort": st.sampled_from(["relevance", "newest", "nearest", "ending_soon", "x", ""]),
        "kind": st.sampled_from(["offer", "request", "gift", ""]),
        "page": st.sampled_from(["1", "2", "0", "-1", "x", "99999"]),
        "near": st.sampled_from(["10115", "04109", "00000", "x"]),
        "radius_km": st.sampled_from(["5", "0", "-3", "nan", "1e9", "x"]),
        "district": _text,
    },
)
_hypothesis = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)


@_hypothesis
@given(args=_args)
def test_generated_input_never_breaks_the_page(some_listings, client, args):
    page = client.get("/listings", query_string=args)
    assert page.status_code == 200
    for snippet in re.findall(r'class="card-snippet">(.*?)</p>', page.text):
        assert only_marks(snippet)


@_hypothesis
@given(args=_args)
def test_generated_input_never_breaks_the_api(some_listings, api, args):
    answer = api.get("/api/v1/listings", query_string=args)
    assert answer.status_code in (200, 422), answer.text
    assert answer.content_type == "application/json"
    for item in answer.json.get("items", []):
        assert "highlight" not in item or only_marks(item["highlight"].replace("&", ""))
