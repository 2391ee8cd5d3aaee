"""Phone first, in a German browser: at 390x844 no page scrolls sideways for a visitor, a member
or a coordinator, the first listing on /listings shows within one and a half screens, and the
menu folds behind "Menu" with the search in view; at 1280 px the header is one row for each."""

from decimal import Decimal

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import delete

from marketplace.auth.passwords import hash_password
from marketplace.extensions import db
from marketplace.ledger import services as ledger
from marketplace.ledger.models import Currency
from tests import factories
from tests.browser.helpers import log_in, no_sideways_scroll

PASSWORD = "Handy-zuerst-Holz-390"
MEMBER = "lager@sozialkaufhaus-lindenau.example"
COORDINATOR = "buero@netzwerk-kreislauf-leipzig.example"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
PAGES = ("/", "/listings", "/listings?q=Holz", "{listing}", "/orgs", "/map", "/impact",
         "/method", "/categories", "/register", "/impressum", "/datenschutz",
         "/nutzungsbedingungen")  # fmt: skip
SIGNED_IN_PAGES = ("/start", "/exchanges", "/bookings", "/profile", "/profile/delete", "/matches")


@pytest.fixture(scope="module")
def listing_id(live_server):
    """A local currency, a member, a coordinator and a few listings; the currency goes afterwards."""
    app = live_server
    with app.app_context():
        ledger.setup_currency(
            "LHT", "Lindenauer Holztaler", "H", "money", Decimal(-100), Decimal(900)
        )
        kaufhaus = factories.organisation(
            name="Sozialkaufhaus Lindenau mit einem recht langen Vereinsnamen e. V.",
            kind="association",
            postcode="04177",
        )
        network = factories.organisation(
            name="Netzwerk Kreislaufwirtschaft Leipzig", kind="public_body", postcode="04109"
        )
        for org, email, role in (
            (kaufhaus, MEMBER, "member"),
            (network, COORDINATOR, "coordinator"),
        ):
            factories.user(
                organisation=org,
                email=email,
                locale="de",
                role=role,
                password_hash=hash_password(PASSWORD),
            )
        first = None
        for n, title in enumerate(("Holzpaletten, Europaletten gebraucht", "Holzbretter Eiche",
                                   "Bürostühle mit Armlehnen", "Regale aus Holz, zerlegt")):  # fmt: skip
            listing = factories.listing(
                organisation=kaufhaus if n % 2 else network,
                title=title,
                category=factories.category("wood" if "Holz" in title else "pallets"),
                quantity=Decimal(5 + n),
                unit="piece",
            )
            first = first or listing.id
        db.session.remove()
    yield first
    with app.app_context():
        # The other journeys share this server: they start without a currency again.
        db.session.execute(delete(Currency))
        db.session.commit()
        db.session.remove()


def _log_in(page: Page, base_url: str, email: str) -> None:
    log_in(page, base_url, email, PASSWORD)


def _header_on_one_row(page: Page) -> tuple[bool, float, list]:
    """Whether one horizontal line crosses all the header's visible items, and its height."""
    return page.evaluate(
        """() => {
          const boxes = [...document.querySelectorAll('.site-header .brand, .site-header .header-search,'
              + ' .main-nav li, .site-header .user-menu-toggle, .site-menu-body > .language-switch')]
            .filter(el => el.offsetParent !== null)
            .map(el => [el.textContent.trim().slice(0, 16), el.getBoundingClientRect().top,
                        el.getBoundingClientRect().bottom]);
          const oneRow = Math.max(...boxes.map(b => b[1])) < Math.min(...boxes.map(b => b[2]));
          return [oneRow, document.querySelector('.site-header').getBoundingClientRect().height, boxes];
        }"""
    )


@pytest.mark.parametrize("who", ["anonymous", MEMBER, COORDINATOR])
def test_phone_pages_fit_the_screen_and_the_desktop_header_is_one_row(
    who: str, browser: Browser, browser_context_args: dict, base_url: str, listing_id: int
):
    paths = [p.format(listing=f"/listings/{listing_id}") for p in PAGES]
    if who != "anonymous":
        paths += SIGNED_IN_PAGES
    if who == COORDINATOR:
        paths += ["/reports", "/reports/files", "/matching/board", "/account"]
    phone = browser.new_context(**browser_context_args, viewport=PHONE)
    page = phone.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    if who != "anonymous":
        _log_in(page, base_url, who)
    for path in paths:
        response = page.goto(f"{base_url}{path}")
        assert response and response.ok, path
        no_sideways_scroll(page)
        # The search stays in view; the menu is folded behind its summary.
        expect(page.locator("#site-search")).to_be_visible()
        expect(page.locator(".main-nav")).to_be_hidden()

    page.goto(f"{base_url}/listings")
    first_card = page.locator(".card-grid > li").first.bounding_box()
    assert first_card and first_card["y"] < 1.5 * PHONE["height"], first_card
    expect(page.locator("details.filter-disclosure > summary")).to_be_visible()
    expect(page.locator("#filter-kind")).to_be_hidden()
    page.goto(f"{base_url}/listings?kind=offer&resource_type=material")
    expect(page.locator("details.filter-disclosure > summary")).to_contain_text("2")

    if who != "anonymous":
        for path in ("/exchanges?status=proposed", "/bookings?status=requested"):
            page.goto(f"{base_url}{path}")
            expect(page.locator("details.filter-disclosure > summary")).to_contain_text("1")
            expect(page.locator("nav.tabs")).to_be_hidden()
    page.goto(f"{base_url}/map?kind=business")
    expect(page.locator("details.filter-disclosure > summary")).to_contain_text("1")
    expect(page.locator("#filter-kind")).to_be_hidden()

    # The menu opens without a script and holds every link.
    page.locator(".site-menu-toggle").click()
    expect(page.locator(".main-nav")).to_be_visible()
    if who == COORDINATOR:
        expect(page.get_by_role("link", name="Berichte")).to_be_visible()
    no_sideways_scroll(page)

    page.set_viewport_size(DESKTOP)
    for path in ("/", "/listings", "/reports" if who == COORDINATOR else "/map"):
        page.goto(f"{base_url}{path}")
        one_row, height, boxes = _header_on_one_row(page)
        assert one_row and height < 90, (path, height, boxes)
        no_sideways_scroll(page)  # the whole navigation fits, and the search keeps its room
        assert page.locator(".header-search").bounding_box()["width"] >= 200
        expect(page.locator(".main-nav")).to_be_visible()
        if path == "/listings":
            expect(page.locator("#filter-kind")).to_be_visible()
    if who != "anonymous":
        page.locator(".user-menu-toggle").click()
        expect(page.get_by_role("link", name="Profil")).to_be_visible()
        if who == COORDINATOR:
            expect(page.get_by_role("link", name="Vermittlung")).to_be_visible()
    assert errors == []
    phone.close()
