"""A meeting room booked for an afternoon in a German browser: a youth workshop books it from the
listing page's calendar, the coworking space accepts, hands it out and takes it back; the calendar
shows the afternoon booked meanwhile and free afterwards. Phone-sized pages do not scroll
sideways."""

import re
from datetime import datetime, timedelta

from playwright.sync_api import Browser, Page, expect

from marketplace.auth.passwords import hash_password
from marketplace.bookings.spans import BERLIN
from marketplace.extensions import db
from tests import factories
from tests.browser.helpers import log_in, no_sideways_scroll

PASSWORD = "Besprechungsraum-frei-27"
PROVIDER_EMAIL = "raum@kontor27-coworking.example"
BORROWER_EMAIL = "team@jugendwerkstatt-gruenau.example"
TITLE = "Besprechungsraum stundenweise frei"
PEOPLE = ("Paula Raumwart", "Jonas Grünauer")


def _region(app) -> int:
    with app.app_context():
        coworking = factories.organisation(
            name="Kontor 27 Coworking", kind="business", postcode="04177"
        )
        workshop = factories.organisation(
            name="Jugendwerkstatt Grünau", kind="association", postcode="04209"
        )
        for org, email, name in (
            (coworking, PROVIDER_EMAIL, PEOPLE[0]),
            (workshop, BORROWER_EMAIL, PEOPLE[1]),
        ):
            factories.user(
                organisation=org,
                email=email,
                name=name,
                locale="de",
                password_hash=hash_password(PASSWORD),
            )
        room = factories.listing(
            organisation=coworking,
            title=TITLE,
            category=factories.category("meeting-rooms"),
            quantity=1,
            unit="hour",
            mode="book",
            capacity=1,
        )
        room_id = room.id
        db.session.remove()
    return room_id


def _log_in(page: Page, base_url: str, email: str) -> None:
    log_in(page, base_url, email, PASSWORD)


def test_a_meeting_room_is_booked_for_an_afternoon_accepted_checked_out_and_returned(
    page: Page, browser: Browser, browser_context_args: dict, base_url: str, live_server
):
    room_id = _region(live_server)
    day = (datetime.now(BERLIN) + timedelta(days=3)).date()
    room_url = f"{base_url}/listings/{room_id}?month={day:%Y-%m}"
    cell = f"td[data-date='{day.isoformat()}']"
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    # The workshop opens the room's calendar: the afternoon is free; it books 14 to 18 o'clock.
    _log_in(page, base_url, BORROWER_EMAIL)
    page.goto(room_url)
    expect(page.locator("h1")).to_have_text(TITLE)
    expect(page.locator(cell)).to_have_class(re.compile(r"\bcal-free\b"))
    expect(page.locator("a[href$='/propose']")).to_have_count(0)
    page.fill("#start", f"{day.isoformat()}T14:00")
    page.fill("#end", f"{day.isoformat()}T18:00")
    page.fill("#message", "Teamtreffen der Jugendwerkstatt, 8 Personen.")
    page.locator("#booking-form button[type=submit]").click()
    # (the form's address ends in #booking-form, so that a refusal shows the form; the browser
    # keeps that fragment through the redirect)
    expect(page).to_have_url(re.compile(r"/bookings/\d+(#booking-form)?$"))
    booking_path = re.search(r"/bookings/\d+", page.url).group(0)
    expect(page.locator(".page-header .badge-booking-requested")).to_be_visible()
    expect(page.locator(".page-header .lead")).to_contain_text("14:00–18:00")

    provider_context = browser.new_context(**browser_context_args)
    try:
        room = provider_context.new_page()
        room.on("pageerror", lambda error: errors.append(str(error)))
        _log_in(room, base_url, PROVIDER_EMAIL)

        # The coworking space sees one request waiting in the header and accepts it.
        room.goto(f"{base_url}/")
        expect(room.locator("a[href='/bookings'] .count-badge")).to_have_text("1")
        room.locator("a[href='/bookings']").first.click()
        room.locator(f".booking-list a[href='{booking_path}']").first.click()
        expect(room.locator(".booking-notes")).to_contain_text("Teamtreffen der Jugendwerkstatt")
        room.locator("form#accept button[type=submit]").click()
        expect(room.locator(".page-header .badge-booking-accepted")).to_be_visible()
        expect(room.locator("a[href='/bookings'] .count-badge")).to_have_count(0)

        # Meanwhile the calendar shows the afternoon booked, for the workshop too.
        page.goto(room_url)
        expect(page.locator(cell)).to_have_class(re.compile(r"\bcal-booked\b"))
        expect(page.locator(cell)).to_contain_text("14:00–18:00")

        # Hand-out with a condition note, then back in.
        room.fill("#checkout-note", "Whiteboard sauber, Bildschirm funktioniert.")
        room.locator("form#checkout button[type=submit]").click()
        expect(room.locator(".page-header .badge-booking-active")).to_be_visible()
        expect(room.locator(".booking-notes")).to_contain_text("Whiteboard sauber")
        room.goto(room_url)
        expect(room.locator(cell)).to_contain_text("14:00–18:00")
        room.goto(f"{base_url}{booking_path}")
        room.fill("#return-note", "Aufgeräumt zurück.")
        room.locator("form#return button[type=submit]").click()
        expect(room.locator(".page-header .badge-booking-returned")).to_be_visible()

        # The coworking space subscribes to the room's calendar: the iCal feed holds the
        # afternoon's booking and no person's name or e-mail.
        room.goto(room_url)
        room.locator("#calendar-feed form button[type=submit]").click()
        feed_url = room.locator("#listing-feed-url").input_value()
        feed = room.request.get(feed_url)
        assert feed.ok and feed.headers["content-type"].startswith("text/calendar")
        body = feed.text()
        assert "BEGIN:VEVENT" in body and TITLE in body.replace("\r\n ", "")
        for private in (*PEOPLE, "Paula", "Jonas", PROVIDER_EMAIL, BORROWER_EMAIL):
            assert private not in body, private

        # The provider's own pages (booking rules, calendar feed) fit a phone too.
        room.set_viewport_size({"width": 390, "height": 844})
        for path in (f"/listings/{room_id}/booking-rules", "/bookings/calendar"):
            room.goto(f"{base_url}{path}")
            no_sideways_scroll(room)

        # Afterwards the afternoon is free again.
        page.goto(room_url)
        expect(page.locator(cell)).to_have_class(re.compile(r"\bcal-free\b"))
        expect(page.locator(cell)).not_to_contain_text("14:00")
    finally:
        provider_context.close()

    # On a phone (390 px) neither page scrolls sideways.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(room_url)
    no_sideways_scroll(page)
    page.goto(f"{base_url}{booking_path}")
    no_sideways_scroll(page)
    page.goto(f"{base_url}/bookings")
    no_sideways_scroll(page)
    assert errors == []


def test_the_signed_in_menu_keeps_bookings_on_its_first_line_at_1280_px(
    page: Page, base_url: str, live_server
):
    """A member's menu stays on one line with "Buchungen" in it; a coordinator's has two more
    links (reports, match board) and wraps its last items, as it did before bookings."""
    members = {
        "mitglied@stadtteilzentrum-osten.example": "member",
        "koordination@leipzig-teilt.example": "coordinator",
    }
    with live_server.app_context():
        org = factories.organisation(
            name="Stadtteilzentrum Leipziger Osten und Nachbarschaftsladen", postcode="04315"
        )
        for email, role in members.items():
            factories.user(
                organisation=org,
                email=email,
                role=role,
                locale="de",
                password_hash=hash_password(PASSWORD),
            )
        db.session.remove()
    page.set_viewport_size({"width": 1280, "height": 800})
    for email, role in members.items():
        page.context.clear_cookies()
        _log_in(page, base_url, email)
        page.goto(f"{base_url}/bookings")
        tops = page.evaluate(
            "[...document.querySelectorAll('.site-header .main-nav > ul > li')]"
            ".map(li => Math.round(li.getBoundingClientRect().top))"
        )
        bookings_top = page.evaluate(
            "Math.round(document.querySelector(\".main-nav a[href='/bookings']\")"
            ".closest('li').getBoundingClientRect().top)"
        )
        assert bookings_top == min(tops), (email, tops)
        if role == "member":
            assert len(set(tops)) == 1, (email, tops)
