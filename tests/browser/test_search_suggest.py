"""The header search box completes words as one types (ARIA combobox), by keyboard alone, and
still searches without a suggestion; on a phone the list fits the screen."""

import pytest
from playwright.sync_api import Page, expect

from marketplace.extensions import db
from tests import factories
from tests.browser.helpers import no_sideways_scroll


@pytest.fixture(scope="module", autouse=True)
def shelves(live_server):
    with live_server.app_context():
        for n in range(3):
            factories.listing(
                title=f"Schwerlastregale verzinkt {n}", category=factories.category("shelving")
            )
        db.session.commit()
        db.session.remove()


def test_keyboard_completion_in_the_header(page: Page, base_url):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(base_url + "/")
    box = page.locator("#site-search")
    expect(box).to_have_attribute("role", "combobox")
    box.press_sequentially("Schwerl", delay=30)
    options = page.locator("#site-search-listbox [role=option]")
    expect(options.first).to_have_text("Schwerlastregale")
    expect(box).to_have_attribute("aria-expanded", "true")
    no_sideways_scroll(page)
    box.press("ArrowDown")
    expect(options.first).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", "site-search-option-0")
    box.press("Escape")
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#site-search-listbox")).to_be_hidden()
    box.press("ArrowDown")  # reopens with the same suggestions
    box.press("ArrowDown")
    box.press("Enter")
    page.wait_for_url("**/listings?q=Schwerlastregale*")
    expect(page.locator(".card-title").first).to_contain_text("Schwerlastregale")


def test_enter_without_a_chosen_suggestion_searches_what_was_typed(page: Page, base_url):
    page.goto(base_url + "/")
    box = page.locator("#site-search")
    box.press_sequentially("shelves", delay=20)
    box.press("Enter")
    page.wait_for_url("**/listings?q=shelves*")
    expect(page.locator(".card-title").first).to_contain_text("Schwerlastregale")
