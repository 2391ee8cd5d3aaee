"""The listing page's content and the site header are kept per reader until the next write
(listings/detail_page.py, start/chrome.py): never stale, never another reader's."""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.listings.models import Listing
from tests.caches import caches_sized


@pytest.fixture
def kept(app, search):
    if app.extensions.get("commit_stamp") is None:
        pytest.skip("no commit stamp on this database: nothing is kept (PostgreSQL)")
    with caches_sized(app, FRAGMENT_CACHE_SIZE=64, READ_CACHE_SIZE=64):
        yield lambda kind: app.extensions["fragment_caches"][kind]


def _write(statement):
    db.session.execute(statement)
    db.session.commit()


def test_the_page_is_kept_and_shows_an_edit_at_once(kept, make, client, login_as):
    login_as(make.user())
    listing = make.listing(title="Europaletten")
    db.session.commit()
    assert "Europaletten" in client.get(f"/listings/{listing.id}").text
    assert "Europaletten" in client.get(f"/listings/{listing.id}").text
    assert kept("listing").hits == 1
    _write(sa.update(Listing).where(Listing.id == listing.id).values(title="Gitterboxen"))
    page = client.get(f"/listings/{listing.id}").text
    assert "Gitterboxen" in page and "Europaletten" not in page


def test_a_withdrawn_listing_is_gone_for_others_at_once(kept, make, client, login_as):
    login_as(make.user())
    listing = make.listing()
    db.session.commit()
    assert client.get(f"/listings/{listing.id}").status_code == 200
    _write(sa.update(Listing).where(Listing.id == listing.id).values(status="withdrawn"))
    assert client.get(f"/listings/{listing.id}").status_code == 404


def test_the_owner_and_another_reader_each_get_their_own_page(kept, make, app, login_as):
    owner_user, other_user = make.user(), make.user()
    listing = make.listing(organisation=owner_user.organisation)
    db.session.commit()
    owner, other = app.test_client(), app.test_client()
    login_as(owner_user, owner)
    login_as(other_user, other)
    for _ in range(2):
        assert "Your listing" in owner.get(f"/listings/{listing.id}").text
        page = other.get(f"/listings/{listing.id}").text
        assert "Your listing" not in page
        assert other_user.organisation.name in page  # the header is the reader's own


def test_each_browser_gets_its_own_csrf_tokens(kept, make, app, login_as):
    """Two browsers of one person share the kept page, each with its own session's tokens."""
    listing = make.listing()
    user = make.user()
    db.session.commit()
    browsers = [app.test_client(), app.test_client()]
    for browser in browsers:
        login_as(user, browser)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        tokens = []
        for browser in browsers:
            page = browser.get(f"/listings/{listing.id}").text
            tokens.append(set(re.findall(r'name="csrf_token"[^>]*value="([^"]+)"', page)))
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert kept("header").hits == 1 and kept("listing").hits == 1
    assert tokens[0] and tokens[1] and not tokens[0] & tokens[1]


def test_the_kept_header_carries_each_addresss_own_search_words(kept, make, client, login_as):
    login_as(make.user())
    hostile = '"><script>alert(1)</script>'
    for words in ("Paletten", hostile):
        page = client.get("/listings", query_string={"q": words}).text
        box = re.search(r'<input id="site-search"[^>]*>', page).group(0)
        assert (
            'value="' + words.replace('"', "&#34;").replace("<", "&lt;").replace(">", "&gt;") + '"'
            in box
        )
    assert "<script>alert(1)" not in page
    assert kept("header").hits >= 1
    back = re.search(r'name="next" value="([^"]+)"', page).group(1)
    assert back.startswith("/listings?q=")


def test_the_anonymous_language_link_leads_back_to_each_address(kept, make, client):
    for path in ("/listings?kind=offer", "/listings?kind=offer&page=2"):
        page = client.get(path).text
        link = re.search(r'href="(/language/(?:de|en)\?next=[^"]+)"', page).group(1)
        assert parse_qs(urlsplit(unescape(link)).query)["next"] == [path]


@pytest.mark.parametrize(
    "page, role",
    [("/listings", "member"), ("/listings/{id}", "member"), ("/reports", "coordinator")],
)
def test_a_page_seen_again_asks_no_statement(kept, make, app, client, login_as, page, role):
    """Nothing was written since the first view: the reader, the header's counts and the
    content all come from what was kept (the query-count guard's budgets are the first view's)."""
    from marketplace.directory.map_version import bump_map_version

    login_as(make.user(role=role))
    listing = make.listing()
    bump_map_version(db.session.connection())
    db.session.commit()
    path = page.format(id=listing.id)
    assert client.get(path).status_code == 200
    statements = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get(path).status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    assert statements == []
