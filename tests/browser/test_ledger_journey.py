"""A hand-over priced in Leipziger Taler, in a German browser: the project centre confirms it,
its account shows the payment out, the carpentry's account the payment in, and the
coordinator's page the month's volume. Phone-sized account pages do not scroll sideways."""

from decimal import Decimal

from playwright.sync_api import Browser, Page, expect
from sqlalchemy import delete

from marketplace.auth.passwords import hash_password
from marketplace.exchanges import services as exchanges
from marketplace.extensions import db
from marketplace.ledger import services as ledger
from marketplace.ledger.models import Currency
from tests import factories
from tests.browser.helpers import log_in, no_sideways_scroll

PASSWORD = "Taler-fuer-Eichenholz-12"
CENTRE = "kasse@projektzentrum-plagwitz.example"
CARPENTRY = "werkstatt@tischlerei-eiche.example"
COORDINATOR = "netzwerk@wirtschaftsfoerderung-leipzig.example"
TITLE = "Eichenbretter aus der Werkstatt"


def _region(app) -> int:
    with app.app_context():
        ledger.setup_currency("LTA", "Leipziger Taler", "T", "money", Decimal(-300), Decimal(3000))
        centre = factories.organisation(
            name="Projektzentrum Plagwitz", kind="project_centre", postcode="04229"
        )
        carpentry = factories.organisation(
            name="Tischlerei Eiche", kind="business", postcode="04177"
        )
        network = factories.organisation(
            name="Netzwerkbüro Sozialökonomie", kind="public_body", postcode="04109"
        )
        people = {}
        for org, email, name, role in (
            (centre, CENTRE, "Mira Kasse", "member"),
            (carpentry, CARPENTRY, "Udo Hobel", "member"),
            (network, COORDINATOR, "Lena Netz", "coordinator"),
        ):
            people[email] = factories.user(
                organisation=org,
                email=email,
                name=name,
                locale="de",
                role=role,
                password_hash=hash_password(PASSWORD),
            )
        offer = factories.listing(
            organisation=carpentry,
            title=TITLE,
            category=factories.category("wood"),
            quantity=Decimal(20),
            unit="piece",
            price_local=Decimal("2.50"),
        )
        exchange = exchanges.propose_exchange(people[CENTRE], offer, quantity="12")
        db.session.commit()
        exchanges.accept_exchange(people[CARPENTRY], exchange)
        db.session.commit()
        exchange_id = exchange.id
        db.session.remove()
    return exchange_id


def _log_in(page: Page, base_url: str, email: str) -> None:
    log_in(page, base_url, email, PASSWORD)


def test_a_hand_over_priced_in_taler_shows_on_both_accounts_and_in_the_volume(
    page: Page, browser: Browser, browser_context_args: dict, base_url: str, live_server
):
    exchange_id = _region(live_server)
    try:
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))

        # The project centre confirms the hand-over of 12 boards at 2,50 T each.
        _log_in(page, base_url, CENTRE)
        page.goto(f"{base_url}/exchanges/{exchange_id}")
        expect(page.locator("#local-price-note")).to_contain_text("2,50\u00a0T")
        page.locator("form#complete button[type=submit]").click()
        expect(page.locator(".page-header .badge-completed")).to_be_visible()

        # Its account shows 30 T paid to the carpentry.
        page.locator(".user-menu-toggle").click()  # the account sits in the user menu
        page.locator(".user-menu-list a[href='/account']").click()
        expect(page.locator("#account-balance .figure-value")).to_have_text("-30,00\u00a0T")
        line = page.locator(".ledger-line").first
        expect(line).to_contain_text("an Tischlerei Eiche")
        expect(line).to_contain_text("-30,00\u00a0T")
        expect(line).to_contain_text(TITLE)
        page.set_viewport_size({"width": 390, "height": 844})
        for path in ("/account", "/account/pay", "/account/requests/new", "/account/statement"):
            page.goto(f"{base_url}{path}")
            no_sideways_scroll(page)

        carpentry = browser.new_context(**browser_context_args)
        coordinator = browser.new_context(**browser_context_args)
        try:
            # The carpentry's account shows it received.
            shop = carpentry.new_page()
            _log_in(shop, base_url, CARPENTRY)
            shop.goto(f"{base_url}/account")
            expect(shop.locator("#account-balance .figure-value")).to_have_text("30,00\u00a0T")
            expect(shop.locator(".ledger-line").first).to_contain_text(
                "von Projektzentrum Plagwitz"
            )
            shop.locator(".ledger-line a").first.click()
            expect(shop.locator("h1")).to_contain_text("30,00\u00a0T")
            expect(shop.locator(f"a[href='/exchanges/{exchange_id}']")).to_be_visible()

            # The coordinator sees the month's volume.
            office = coordinator.new_page()
            _log_in(office, base_url, COORDINATOR)
            office.goto(f"{base_url}/accounts")
            expect(office.locator("#currency-volume .figure-value")).to_have_text("30,00\u00a0T")
            expect(office.locator(".month-bar").first).to_contain_text("30,00\u00a0T")
            expect(office.locator("#currency-active .figure-value")).to_have_text("2")
            office.set_viewport_size({"width": 390, "height": 844})
            no_sideways_scroll(office)
            office.locator(".ledger-line a", has_text="Projektzentrum Plagwitz").click()
            expect(office.locator("#account-balance .figure-value")).to_have_text("-30,00\u00a0T")
            no_sideways_scroll(office)
        finally:
            carpentry.close()
            coordinator.close()
        assert errors == []
    finally:
        with live_server.app_context():
            # The other journeys share this server: they start without a currency again.
            db.session.execute(delete(Currency))
            db.session.commit()
            db.session.remove()
