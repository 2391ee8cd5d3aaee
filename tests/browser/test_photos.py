"""Photos first, on a German phone (390x844): browse shows each card's photo or its category icon
without sideways scrolling, and a listing's gallery opens the full picture, with and without JS."""

import random
import re
from decimal import Decimal

import pytest
from playwright.sync_api import Browser, expect

from marketplace.cli.seed_photos import _prepared, draw_listing_picture
from marketplace.extensions import db
from marketplace.listings.photos import store_photos
from tests import factories
from tests.browser.helpers import no_sideways_scroll

PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def gallery_listing(live_server):
    """An offer with two photos and one without any."""
    with live_server.app_context():
        org = factories.organisation(name="Tischlerei Fotohaus", postcode="04177")
        offer = factories.listing(
            organisation=org, title="Fotobretter Eiche", category=factories.category("wood")
        )
        factories.listing(
            organisation=org,
            title="Fotolose Bürostühle",
            category=factories.category("office-furniture"),
            quantity=Decimal(4),
            unit="piece",
        )
        rng = random.Random(13)
        pictures = [draw_listing_picture(offer.title, "wood", rng) for _ in range(2)]
        store_photos(offer, [_prepared(p) for p in pictures], start_position=0)
        db.session.commit()
        listing_id = offer.id
        db.session.remove()
    return listing_id


def _loaded(locator) -> bool:
    return locator.evaluate("img => img.complete && img.naturalWidth > 0")


def test_browse_cards_lead_with_photo_or_icon_on_a_phone(
    browser: Browser, browser_context_args: dict, base_url: str, gallery_listing: int
):
    context = browser.new_context(**browser_context_args, viewport=PHONE)
    page = context.new_page()
    page.goto(f"{base_url}/listings?sort=newest")
    no_sideways_scroll(page)
    photo = page.locator(".listing-card", has_text="Fotobretter Eiche").locator("img.card-thumb")
    photo.scroll_into_view_if_needed()
    expect(photo).to_be_visible()
    expect(photo).to_have_attribute("loading", "lazy")
    expect(photo).to_have_attribute("alt", re.compile(r"^\w+: Fotobretter Eiche$"))
    assert _loaded(photo)
    icon = page.locator(".listing-card", has_text="Fotolose Bürostühle").locator(".card-icon img")
    expect(icon).to_be_visible()
    assert "vendor/lucide/armchair.svg" in icon.get_attribute("src")
    assert _loaded(icon)
    # on a phone the picture sits beside the text, so that a screen shows several listings
    card = page.locator(".listing-card", has_text="Fotobretter Eiche")
    picture, title = photo.bounding_box(), card.locator(".card-title").bounding_box()
    assert picture and title and picture["x"] + picture["width"] <= title["x"]
    assert picture["height"] < 0.2 * PHONE["height"]
    context.close()


def test_gallery_opens_the_full_picture_with_keys_and_gives_the_focus_back(
    browser: Browser, browser_context_args: dict, base_url: str, gallery_listing: int
):
    context = browser.new_context(**browser_context_args, viewport=PHONE)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{base_url}/listings/{gallery_listing}")
    no_sideways_scroll(page)
    main = page.locator(".gallery-main")
    expect(page.locator(".gallery-thumbs img")).to_have_count(1)
    main.click()
    first = page.locator("#photo-1")
    expect(first).to_be_visible()
    expect(first.locator(".gallery-close")).to_be_focused()
    full = first.locator("img")
    expect(full).to_have_js_property("complete", True)
    assert full.evaluate("img => img.naturalWidth") == 800
    page.keyboard.press("ArrowRight")
    expect(page.locator("#photo-2")).to_be_visible()
    expect(first).to_be_hidden()
    page.keyboard.press("Escape")
    expect(page.locator("#photo-2")).to_be_hidden()
    expect(main).to_be_focused()
    no_sideways_scroll(page)
    assert errors == []
    context.close()


def test_gallery_works_without_javascript(
    browser: Browser, browser_context_args: dict, base_url: str, gallery_listing: int
):
    context = browser.new_context(**browser_context_args, viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{base_url}/listings/{gallery_listing}")
    page.locator(".gallery-thumbs a").first.click()
    expect(page).to_have_url(f"{base_url}/listings/{gallery_listing}#photo-2")
    expect(page.locator("#photo-2")).to_be_visible()
    page.locator("#photo-2 .gallery-close").click()
    expect(page.locator("#photo-2")).to_be_hidden()
    context.close()
