"""Trust and moderation end to end in a German browser: a member reports a listing, a coordinator
hides it with a reason, the organisation sees the reason and appeals, the coordinator restores
it. The queue does not scroll sideways on a 390 px phone."""

import re

from playwright.sync_api import Browser, Page, expect

from marketplace.auth.passwords import hash_password
from marketplace.extensions import db
from tests import factories
from tests.browser.helpers import log_in, no_sideways_scroll

PASSWORD = "Moderation-mit-Sinn-7"
OWNER = "lager@kaufhaus-ost.example"
REPORTER = "kontakt@repaircafe-connewitz.example"
COORDINATOR = "netzwerk@sozialoekonomie-leipzig.example"
TITLE = "Klappstühle aus dem Saal, 30 Stück"
REASON = "Die Stühle werden verkauft, nicht verschenkt; bitte die Angabe korrigieren."


def _region(app) -> int:
    with app.app_context():
        shop = factories.organisation(name="Kaufhaus Ost", postcode="04315")
        cafe = factories.organisation(name="Repair-Café Connewitz", kind="initiative")
        office = factories.organisation(name="Netzwerkbüro Leipzig", kind="public_body")
        for org, email, name, role in (
            (shop, OWNER, "Jana Lager", "member"),
            (cafe, REPORTER, "Ole Schraube", "member"),
            (office, COORDINATOR, "Lena Netz", "coordinator"),
        ):
            factories.user(
                organisation=org,
                email=email,
                name=name,
                role=role,
                locale="de",
                password_hash=hash_password(PASSWORD),
            )
        listing = factories.listing(organisation=shop, title=TITLE, postcode="04315")
        listing_id = listing.id
        db.session.remove()
    return listing_id


def test_report_hide_appeal_restore(
    page: Page, browser: Browser, browser_context_args: dict, base_url: str, live_server
):
    listing_id = _region(live_server)
    listing_url = f"{base_url}/listings/{listing_id}"
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    # The repair café saves the listing, then reports it as misleading.
    log_in(page, base_url, REPORTER, PASSWORD)
    page.goto(listing_url)
    page.locator(f"form[action='/listings/{listing_id}/favourite'] button").click()
    expect(page.locator(f"form[action='/listings/{listing_id}/unfavourite']")).to_be_visible()
    page.locator(".share-box summary").click()
    expect(page.locator("#share-url")).to_have_value(listing_url)
    expect(page.locator("[data-copy-target]")).to_be_visible()  # the script shows it
    page.locator("a.report-link").click()
    page.check("input[name=reason][value=misleading]")
    page.fill("#details", "Im Text steht 5 € pro Stuhl.")
    page.locator("form button[type=submit]").last.click()
    expect(page).to_have_url(listing_url)
    expect(page.locator("a.report-link")).to_have_count(0)

    coordinator = browser.new_context(**browser_context_args)
    owner = browser.new_context(**browser_context_args)
    try:
        # The coordinator finds it in the queue, also on a phone, and hides it with a reason.
        office = coordinator.new_page()
        office.on("pageerror", lambda error: errors.append(str(error)))
        log_in(office, base_url, COORDINATOR, PASSWORD)
        office.goto(f"{base_url}/moderation")
        item = office.locator(".queue-item", has_text=TITLE)
        expect(item).to_contain_text("Im Text steht 5 € pro Stuhl.")
        office.set_viewport_size({"width": 390, "height": 844})
        no_sideways_scroll(office)
        item.locator(f"a.button[href='/moderation/listings/{listing_id}']").click()
        no_sideways_scroll(office)
        office.set_viewport_size({"width": 1280, "height": 900})
        office.fill("#hide-reason", REASON)
        office.locator(f"form[action$='/{listing_id}/hide'] button[type=submit]").click()
        expect(office).to_have_url(f"{base_url}/moderation")
        expect(office.locator(".queue-item", has_text=TITLE)).to_have_count(0)

        # Others no longer find it; the saved list says it is gone.
        assert page.goto(listing_url).status == 404
        page.goto(f"{base_url}/favourites")
        expect(page.locator(".saved-gone")).to_have_count(1)

        # The shop sees the reason on its listing page and appeals.
        shop = owner.new_page()
        shop.on("pageerror", lambda error: errors.append(str(error)))
        log_in(shop, base_url, OWNER, PASSWORD)
        shop.goto(listing_url)
        expect(shop.locator(".moderation-notice")).to_contain_text(REASON)
        shop.locator(f"a[href='/listings/{listing_id}/appeal']").click()
        shop.fill("#text", "Wir haben den Preis gestrichen: die Stühle sind kostenlos.")
        shop.locator("form button[type=submit]").last.click()
        expect(shop).to_have_url(listing_url)
        expect(shop.locator(f"a[href='/listings/{listing_id}/appeal']")).to_have_count(0)

        # The appeal is back in the queue; the coordinator restores the listing.
        office.goto(f"{base_url}/moderation")
        appeal = office.locator("#appeals-heading ~ .queue-list .queue-item", has_text=TITLE)
        expect(appeal).to_contain_text("die Stühle sind kostenlos")
        appeal.locator(f"a.button[href='/moderation/listings/{listing_id}']").click()
        office.fill("#decide-note", "Danke für die Korrektur.")
        office.locator(f"form[action$='/{listing_id}/restore'] button[type=submit]").first.click()
        expect(office).to_have_url(f"{base_url}/moderation")
        office.goto(f"{base_url}/moderation/log?listing={listing_id}")
        expect(office.locator(".log-table tbody tr")).to_have_count(4)

        # Everyone sees the listing again.
        page.goto(listing_url)
        expect(page.locator("h1")).to_have_text(TITLE)
        shop.goto(listing_url)
        expect(shop.locator(".moderation-notice")).to_have_count(0)
        assert re.search(r"/listings/\d+$", page.url)
    finally:
        coordinator.close()
        owner.close()
    assert errors == []
