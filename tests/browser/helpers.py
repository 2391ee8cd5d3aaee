"""Steps the browser journeys share: signing in through the login form, and the phone check."""

import re

from playwright.sync_api import Page, expect


def log_in(page: Page, base_url: str, email: str, password: str) -> None:
    page.goto(f"{base_url}/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.locator("form[action^='/login'] button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/login"))


def no_sideways_scroll(page: Page) -> None:
    """The page is no wider than the viewport (a 390 px phone)."""
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} scrolls {overflow} px sideways"
