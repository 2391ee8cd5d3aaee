"""Without a mouse: register an organisation, post an offer and propose a hand-over with the
keyboard alone (Tab, arrow keys, Space and Enter), in a German browser."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from marketplace.extensions import db
from tests import factories
from tests.browser.keyboard import choose, tab_to, type_into

PASSWORD = "Tastatur-statt-Maus-2026"


@pytest.fixture
def shelves_on_offer(live_server) -> str:
    with live_server.app_context():
        lager = factories.organisation(name="Möbellager Gohlis", kind="business", postcode="04155")
        offer = factories.listing(
            organisation=lager,
            title="Schwerlastregale aus dem Lager",
            category=factories.category("furniture"),
            quantity=Decimal(6),
            unit="piece",
        )
        path = f"/listings/{offer.id}"
        db.session.remove()
    return path


def test_register_post_an_offer_and_propose_a_hand_over_by_keyboard(
    page: Page, base_url: str, shelves_on_offer: str
):
    page.goto(f"{base_url}/")
    tab_to(page, "header a[href='/register']")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/register$"))

    type_into(page, "#name", "Mira Okafor")
    type_into(page, "#email", "mira@repaircafe-eutritzsch.example")
    type_into(page, "#password", PASSWORD)
    type_into(page, "#password_repeat", PASSWORD)
    type_into(page, "#organisation_name", "Repair-Café Eutritzsch")
    choose(page, "#kind", "initiative")
    type_into(page, "#postcode", "04129")
    type_into(page, "#district", "Eutritzsch")
    tab_to(page, "#accept_terms")
    page.keyboard.press("Space")
    tab_to(page, "form button[type=submit]:not(header *)")
    page.keyboard.press("Enter")
    expect(page.locator("body")).to_contain_text("Repair-Café Eutritzsch")

    page.goto(f"{base_url}/listings/new")
    choose(page, "input[name=kind]:checked, input[name=kind][value=offer]", "offer")
    page.keyboard.press("Space")
    type_into(page, "#title", "Werkbank aus Buche, 2 m")
    type_into(page, "#description", "Stabile Werkbank, abzuholen dienstags im Repair-Café.")
    choose(page, "#category", "furniture")
    type_into(page, "#quantity", "1")
    tab_to(page, "form.listing-form button[type=submit], main form button[type=submit]")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/listings/\d+$"))
    expect(page.locator("h1")).to_contain_text("Werkbank aus Buche")

    page.goto(f"{base_url}{shelves_on_offer}")
    type_into(page, "#propose-quantity", "2")
    type_into(page, "#propose-message", "Für unsere Werkstatt, wir holen sie mit dem Lastenrad.")
    tab_to(page, "form[action$='/propose'] button[type=submit]")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/exchanges/\d+$"))
    expect(page.locator("#messages")).to_contain_text("Lastenrad")
