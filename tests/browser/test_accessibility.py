"""Accessibility in a German browser: axe-core finds no serious or critical WCAG 2.1 A/AA
violation on the key pages, for a visitor, a member and a coordinator, on a desktop and on a
390 px phone."""

from decimal import Decimal

import pytest
from playwright.sync_api import Browser

from marketplace.auth.passwords import hash_password
from marketplace.extensions import db
from tests import factories
from tests.browser.accessibility import grave_violations
from tests.browser.helpers import log_in

PASSWORD = "Barrierefrei-Holz-2026"
MEMBER = "werkstatt@stadtteilhaus-connewitz.example"
COORDINATOR = "team@wirtschaftsfoerderung-leipzig.example"
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
VISITOR_PAGES = ("/", "/listings", "/listings?q=Holz", "{listing}", "/orgs", "{organisation}",
                 "/map", "/impact", "/method", "/categories", "/register", "/login",
                 "/impressum", "/datenschutz")  # fmt: skip
MEMBER_PAGES = ("/start", "/listings/new", "{listing}", "/exchanges", "/bookings", "/matches",
                "/profile")  # fmt: skip
COORDINATOR_PAGES = ("/reports", "/matching/board", "/map/gaps")


@pytest.fixture(scope="module")
def places(live_server) -> dict:
    with live_server.app_context():
        haus = factories.organisation(
            name="Stadtteilhaus Connewitz", kind="association", postcode="04277"
        )
        office = factories.organisation(
            name="Wirtschaftsförderung Leipzig", kind="public_body", postcode="04109"
        )
        for org, email, role in ((haus, MEMBER, "member"), (office, COORDINATOR, "coordinator")):
            factories.user(
                organisation=org,
                email=email,
                locale="de",
                role=role,
                password_hash=hash_password(PASSWORD),
            )
        listing = factories.listing(
            organisation=office,
            title="Holzplatten Multiplex, 18 mm",
            category=factories.category("wood"),
            quantity=Decimal(12),
            unit="piece",
        )
        factories.listing(
            organisation=haus,
            kind="request",
            title="Suchen Holzplatten für Hochbeete",
            category=factories.category("wood"),
            quantity=Decimal(4),
            unit="piece",
        )
        found = {"listing": f"/listings/{listing.id}", "organisation": f"/orgs/{haus.id}"}
        db.session.remove()
    return found


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("who", ["visitor", MEMBER, COORDINATOR])
def test_key_pages_have_no_serious_or_critical_violations(
    who: str, size: str, browser: Browser, browser_context_args: dict, base_url: str, places: dict
):
    pages = {"visitor": VISITOR_PAGES, MEMBER: MEMBER_PAGES, COORDINATOR: COORDINATOR_PAGES}[who]
    # The test injects axe-core itself: the site's content security policy rightly forbids that.
    context = browser.new_context(**browser_context_args, viewport=SIZES[size], bypass_csp=True)
    page = context.new_page()
    if who != "visitor":
        log_in(page, base_url, who, PASSWORD)
    found: list[str] = []
    for path in pages:
        response = page.goto(base_url + path.format(**places))
        assert response and response.ok, path
        found += grave_violations(page)
    context.close()
    assert found == [], "\n".join(found)
