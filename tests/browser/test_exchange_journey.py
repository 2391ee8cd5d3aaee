"""An exchange end to end in two browsers: offer, proposal, acceptance, hand-over and receipt."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date
from playwright.sync_api import APIRequestContext, Browser, Page, expect

PASSWORD = "Paletten-Tausch-2026"
PROVIDER = {
    "email": "lager@frischemarkt-reudnitz.example",
    "name": "Ayşe Demir",
    "organisation": {"name": "Frischemarkt Reudnitz", "kind": "business", "postcode": "04317"},
}
RECEIVER = {
    "email": "garten@wurzelwerk.example",
    "name": "Paul Nguyen",
    "organisation": {
        "name": "Gemeinschaftsgarten Wurzelwerk",
        "kind": "initiative",
        "postcode": "04315",
    },
}


def _register(request: APIRequestContext, base_url: str, person: dict) -> None:
    response = request.post(
        f"{base_url}/api/v1/register", data={**person, "password": PASSWORD, "locale": "de"}
    )
    assert response.status == 201, response.text()


def _log_in(page: Page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.locator("form[action^='/login'] button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/login"))


def test_an_offer_of_pallets_is_proposed_accepted_handed_over_and_receipted(
    page: Page, browser: Browser, browser_context_args: dict, base_url: str
):
    _register(page.request, base_url, PROVIDER)
    _register(page.request, base_url, RECEIVER)

    # The market posts four Europaletten through the web form.
    _log_in(page, base_url, PROVIDER["email"])
    page.goto(f"{base_url}/listings/new")
    page.check("input[name=kind][value=offer]")
    page.fill("#title", "Europaletten aus dem Wareneingang")
    page.fill("#description", "Vier EPAL-Paletten, stabil, Abholung werktags ab 7 Uhr im Hof.")
    page.select_option("#category", "pallets")
    page.fill("#quantity", "4")
    page.select_option("#unit", "piece")
    page.locator("form button[type=submit]").last.click()
    expect(page).to_have_url(re.compile(r"/listings/\d+$"))
    offer_url = page.url

    # The garden, in a browser of its own, signs in and proposes to take all four.
    receiver_context = browser.new_context(**browser_context_args)
    try:
        garden = receiver_context.new_page()
        _log_in(garden, base_url, RECEIVER["email"])
        garden.goto(offer_url)
        expect(garden.locator("h1")).to_contain_text("Europaletten aus dem Wareneingang")
        garden.fill("#propose-quantity", "4")
        garden.fill("#propose-message", "Für unsere Hochbeete, wir holen sie am Samstag ab.")
        garden.locator("form[action$='/propose'] button[type=submit]").click()
        expect(garden).to_have_url(re.compile(r"/exchanges/\d+$"))
        exchange_path = re.search(r"/exchanges/\d+$", garden.url).group(0)
        expect(garden.locator(".page-header .badge-proposed")).to_be_visible()

        # The market sees one unread exchange in the header, opens it and accepts.
        page.goto(f"{base_url}/")
        expect(page.locator("a[href='/exchanges'] .count-badge")).to_have_text("1")
        page.locator("a[href='/exchanges']").first.click()
        page.locator(f"table a[href='{exchange_path}']").click()
        expect(page.locator("#messages")).to_contain_text("Für unsere Hochbeete")
        page.locator("form[action$='/accept'] button[type=submit]").click()
        expect(page.locator(".page-header .badge-accepted")).to_be_visible()
        expect(page.locator("a[href='/exchanges'] .count-badge")).to_have_count(0)

        # The garden confirms the hand-over: 4 x 25 kg = 100 kg, x 0.231 = 23.1 kg CO2e.
        garden.goto(f"{base_url}{exchange_path}")
        complete = garden.locator("form#complete")
        expect(complete.locator("#quantity")).to_have_value("4")
        complete.locator("button[type=submit]").click()
        expect(garden.locator(".page-header .badge-completed")).to_be_visible()
        figures = garden.locator("#record-heading + .figures .figure-value")
        expect(figures).to_have_text(["100 kg", "23,1 kg CO2e"])
        expect(garden.locator("section:has(#record-heading) dl.facts")).to_contain_text("DEFRA")

        # The donation receipt names giver, receiver, items, quantity and date.
        garden.locator(f"a[href='{exchange_path}/receipt']").click()
        receipt = garden.locator("article.receipt")
        handed_over_on = format_date(
            datetime.now(ZoneInfo("Europe/Berlin")).date(), "long", locale="de_DE"
        )
        expect(receipt).to_contain_text(handed_over_on)
        expect(receipt.locator(".receipt-parties")).to_contain_text(
            PROVIDER["organisation"]["name"]
        )
        expect(receipt.locator(".receipt-parties")).to_contain_text(
            RECEIVER["organisation"]["name"]
        )
        item = receipt.locator("table tbody tr").first
        expect(item.locator("td").nth(0)).to_contain_text("Europaletten aus dem Wareneingang")
        expect(item.locator("td").nth(1)).to_have_text("4")
        expect(receipt).to_contain_text("100 kg")
    finally:
        receiver_context.close()
