"""A coordinator opens the circularity report in a German browser: charts over their tables,
German numbers, export links with the filters, and the public impact page."""

import re
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine
from playwright.sync_api import Page, expect

from marketplace.core.clock import utcnow
from marketplace.extensions import db
from tests import factories
from tests.reports.exchange_sets import completed, offer

EMAIL = "leitung@wirtschaftsfoerderung-reudnitz.example"
PASSWORD = "Kreislauf-Bericht-2026"


def _region(app) -> None:
    """A coordinator and a few hand-overs of the last months, written straight into the database."""
    with app.app_context():
        office = factories.organisation(
            name="Amt für Wirtschaftsförderung Reudnitz", kind="public_body", postcode="04317"
        )
        market = factories.organisation(
            name="Frischemarkt Anger",
            kind="business",
            postcode="04318",
            district="Anger-Crottendorf",
        )
        garden = factories.organisation(
            name="Gemeinschaftsgarten Sellerhausen", kind="initiative", postcode="04318"
        )
        crates = offer(
            market,
            "pallets",
            district="Anger-Crottendorf",
            kg_per_unit=Decimal("25"),
            status="closed",
            title="Paletten für den Bericht",
        )
        now = utcnow()
        for days, kg in ((70, "1250.5"), (40, "300"), (5, "75")):
            completed(crates, garden, now - timedelta(days=days), mass_kg=kg)
        from marketplace.auth.passwords import hash_password

        factories.user(
            organisation=office,
            email=EMAIL,
            name="Ruth Reporter",
            role="coordinator",
            locale="de",
            password_hash=hash_password(PASSWORD),
        )
        db.session.remove()


#: 1 December: the day the quick picks "this year" and "last 12 months" once became one period.
#: In the future, so that the browser (on the real clock) keeps the session cookie.
FROZEN = datetime(2030, 12, 1, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))


@time_machine.travel(FROZEN, tick=True)
def test_a_coordinator_reads_the_report_with_charts_and_tables(
    page: Page, base_url: str, live_server
):
    _region(live_server)
    page.goto(f"{base_url}/login")
    page.fill("#email", EMAIL)
    page.fill("#password", PASSWORD)
    page.locator("form[action^='/login'] button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/login"))

    page.locator("nav a[href='/reports']").click()
    expect(page).to_have_url(re.compile(r"/reports$"))
    expect(page.locator("html")).to_have_attribute("lang", "de")

    # Only this district's hand-overs (other journeys share the server).
    page.select_option("#filter-district", "Anger-Crottendorf")
    page.locator("form.report-filters button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"district=Anger-Crottendorf"))

    # The month chart was drawn by Chart.js over its data, and its table is one click away.
    canvas = page.locator("canvas[data-chart='by_month']")
    expect(canvas).to_be_visible()
    expect(canvas).to_have_attribute("data-rendered", "true")
    assert canvas.evaluate("c => c.width > 0 && c.height > 0")
    table = page.locator("#by-month details")
    expect(table).not_to_have_attribute("open", "")
    table.locator("summary").click()
    expect(table.locator("tfoot")).to_contain_text("1.625,5")  # German number format

    # Totals in German, and the exports carry the filters.
    # The headline at the precision an estimate carries; the table keeps the exact sum.
    expect(page.locator("#total-mass .figure-value")).to_have_text("≈\xa01.600")
    this_year = "from=2030-01-01"
    expect(page.locator(".report-quick-periods a[href*='from=2029-12-01']")).to_have_count(1)
    page.locator(f".report-quick-periods a[href*='{this_year}']").click()
    expect(page).to_have_url(re.compile(this_year))
    csv = page.locator("a[href^='/reports/export.csv']")
    expect(csv).to_have_attribute("href", re.compile(this_year + ".*district=Anger-Crottendorf"))
    assert page.request.get(base_url + csv.get_attribute("href")).status == 200

    # The public page: the region's figures without names.
    page.goto(f"{base_url}/impact")
    expect(page.locator("canvas[data-chart='trend']")).to_have_attribute("data-rendered", "true")
    expect(page.locator("body")).not_to_contain_text("Ruth Reporter")
    expect(page.locator("body")).not_to_contain_text("Frischemarkt Anger")
