"""Journeys a new organisation makes in a real browser, through the German interface."""

import io
import re

from PIL import Image
from playwright.sync_api import Page, expect


def _photo_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (180, 140, 90)).save(buffer, "JPEG")
    return buffer.getvalue()


def test_register_post_an_offer_with_a_photo_and_find_it(page: Page, base_url: str):
    page.goto(f"{base_url}/register")
    expect(page.locator("html")).to_have_attribute("lang", "de")

    page.fill("#name", "Jana Schreiner")
    page.fill("#email", "jana@tischlerei-span.example")
    page.fill("#password", "Hobelbank-aus-Buche-7")
    page.fill("#password_repeat", "Hobelbank-aus-Buche-7")
    page.fill("#organisation_name", "Tischlerei Span & Nut")
    page.select_option("#kind", "business")
    page.fill("#postcode", "04229")
    page.fill("#district", "Plagwitz")
    page.check("#accept_terms")  # consent to the terms and the privacy notice (issue 13)
    page.locator("form button[type=submit]").last.click()
    expect(page.locator("body")).to_contain_text("Tischlerei Span & Nut")

    page.goto(f"{base_url}/listings/new")
    page.check("input[name=kind][value=offer]")
    page.fill("#title", "Kanthölzer Fichte, 2 m lang")
    page.fill("#description", "Reste aus der Werkstatt, trocken gelagert, abzuholen in Plagwitz.")
    page.select_option("#category", "wood")
    page.fill("#quantity", "120")
    page.select_option("#unit", "kg")
    page.set_input_files(
        "#photos",
        files=[{"name": "kanthoelzer.jpg", "mimeType": "image/jpeg", "buffer": _photo_bytes()}],
    )
    page.locator("form button[type=submit]").last.click()

    expect(page).to_have_url(re.compile(r"/listings/\d+$"))
    expect(page.locator("h1")).to_contain_text("Kanthölzer Fichte")
    photo = page.locator("img[src*='/photos/']").first
    expect(photo).to_be_visible()
    photo.scroll_into_view_if_needed()
    # decode() resolves once the re-encoded JPEG has loaded and decoded (it may be lazy-loaded).
    assert photo.evaluate("img => img.decode().then(() => img.naturalWidth)") > 0

    page.goto(f"{base_url}/listings?kind=offer")
    card = page.get_by_role("link", name=re.compile("Kanthölzer Fichte"))
    expect(card).to_be_visible()
    card.click()
    expect(page.locator("body")).to_contain_text("Tischlerei Span & Nut")
