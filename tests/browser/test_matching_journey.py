"""Matching end to end: a garden's request shows the market's pallets as a match, and one click
proposes the exchange."""

import re

from playwright.sync_api import APIRequestContext, Page, expect

PASSWORD = "Paletten-Treffer-2026"
MARKET = {
    "email": "lager@markt-treffer.example",
    "name": "Ayşe Demir",
    "organisation": {"name": "Frischemarkt Treffer", "kind": "business", "postcode": "04317"},
}
GARDEN = {
    "email": "garten@treffer.example",
    "name": "Paul Nguyen",
    "organisation": {"name": "Garten Treffer", "kind": "initiative", "postcode": "04315"},
}


def _post_listing(request: APIRequestContext, base_url: str, person: dict, listing: dict) -> int:
    answer = request.post(
        f"{base_url}/api/v1/register", data={**person, "password": PASSWORD, "locale": "de"}
    )
    assert answer.status == 201, answer.text()
    token = request.post(
        f"{base_url}/api/v1/tokens", data={"email": person["email"], "password": PASSWORD}
    ).json()["token"]
    answer = request.post(
        f"{base_url}/api/v1/listings", data=listing, headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status == 201, answer.text()
    return answer.json()["id"]


def test_a_request_owner_proposes_a_matching_offer_with_one_click(page: Page, base_url: str):
    request_id = _post_listing(
        page.request,
        base_url,
        GARDEN,
        {"kind": "request", "title": "Suche Europaletten für Hochbeete", "category": "pallets",
         "quantity": 6, "unit": "piece"},
    )  # fmt: skip
    offer_id = _post_listing(
        page.request,
        base_url,
        MARKET,
        {"kind": "offer", "title": "Europaletten aus dem Wareneingang", "category": "pallets",
         "quantity": 10, "unit": "piece"},
    )  # fmt: skip

    page.goto(f"{base_url}/login")
    page.fill("#email", GARDEN["email"])
    page.fill("#password", PASSWORD)
    page.locator("form[action^='/login'] button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/login"))

    # The market's new offer was announced to the garden.
    expect(page.locator("a[href='/matches'] .count-badge")).to_have_text("1")

    # "Treffer" lists the garden's open request with the market's offer, scored and explained.
    page.goto(f"{base_url}/matches")
    card = page.locator(
        "li.card", has=page.locator(f"a[href='/listings/{request_id}#matches-heading']")
    )
    found = card.locator("li.match-item", has=page.locator(f"a[href='/listings/{offer_id}']"))
    expect(found.locator(".match-score")).to_contain_text("%")
    expect(found.locator(".match-reasons")).to_contain_text("Europaletten")

    page.goto(f"{base_url}/listings/{request_id}")
    panel = page.locator("section.match-panel")
    expect(panel.locator("#matches-heading")).to_be_visible()
    item = panel.locator("li.match-item", has=page.locator(f"a[href='/listings/{offer_id}']"))
    expect(item.locator(".match-score")).to_contain_text("%")
    expect(item.locator(".match-reasons li").first).to_be_visible()
    item.locator(f"form[action='/listings/{offer_id}/propose'] button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/exchanges/\d+$"))
    expect(page.locator(".page-header .badge-proposed")).to_be_visible()
    expect(page.locator("main")).to_contain_text("6")
