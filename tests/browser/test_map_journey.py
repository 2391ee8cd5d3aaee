"""The region's map in a German browser with no tile server reachable: a member says their
organisation runs a meeting place (G) and adds a second house; a visitor finds it on the map, in
the list without JavaScript and in a partner site's frame."""

import http.server
import re
import threading

import pytest
from playwright.sync_api import Browser, Page, expect

from marketplace.auth.passwords import hash_password
from marketplace.core.geo import postcode_coordinates
from marketplace.extensions import db
from tests import factories

EMAIL = "kontor@kontor27-coworking.example"
PASSWORD = "Besprechungsraum-frei-27"
NAME = "Kontor 27 Coworking Lindenau"


def _member(app) -> int:
    with app.app_context():
        app.config["MAP_TILE_URL"] = "http://127.0.0.1:9/{z}/{x}/{y}.png"  # nothing answers there
        lat, lon = postcode_coordinates("04177")
        org = factories.organisation(
            name=NAME, kind="business", postcode="04177", district="Lindenau", lat=lat, lon=lon
        )
        factories.user(
            organisation=org, email=EMAIL, locale="de", password_hash=hash_password(PASSWORD)
        )
        org_id = org.id
        db.session.remove()
    return org_id


@pytest.fixture
def partner_site(base_url):
    """A page on another origin (localhost instead of 127.0.0.1) that frames /embed/map and /map."""
    embed = base_url.replace("127.0.0.1", "localhost")
    page = (
        f'<!doctype html><iframe id="embed" src="{embed}/embed/map?function=G" width="600" '
        f'height="400"></iframe><iframe id="full" src="{embed}/map" width="600" height="400"></iframe>'
    ).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()


def test_a_meeting_place_on_the_map_in_the_list_and_in_a_partners_frame(
    page: Page, browser: Browser, base_url: str, live_server, partner_site
):
    org_id = _member(live_server)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(f"{base_url}/login")
    page.fill("#email", EMAIL)
    page.fill("#password", PASSWORD)
    page.locator("form[action^='/login'] button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/login"))

    # The member: function G with a note, then a second house in Grünau.
    page.goto(f"{base_url}/orgs/{org_id}/functions")
    page.check("#claim-G")
    page.fill("#note-G", "Coworking mit offenem Café, für alle Gruppen aus dem Viertel.")
    page.locator("form button[type=submit]").last.click()
    expect(page).to_have_url(re.compile(rf"/orgs/{org_id}$"))
    expect(page.locator("#functions")).to_contain_text("Soziale Treffpunkte betreiben")
    page.goto(f"{base_url}/orgs/{org_id}/sites")
    page.fill("#name", "Haus 2 – Werkstatt")
    page.fill("#postcode", "04209")
    page.fill("#district", "Grünau-Mitte")
    page.locator("form button[type=submit]").last.click()
    expect(page.locator("body")).to_contain_text("Haus 2 – Werkstatt")
    page.locator(".user-menu-toggle").click()  # logging out sits in the user menu
    page.locator("form[action='/logout'] button").click()

    # A visitor filters the map by G and follows the popup's link.
    page.goto(f"{base_url}/map")
    page.check("#filter-function-G")
    page.locator("form.map-filters button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"function=G"))
    marker = page.locator(f"#region-map .leaflet-marker-icon[title='{NAME}']").first
    expect(marker).to_be_visible()
    marker.click()
    popup_link = page.locator(".leaflet-popup-content a", has_text=NAME)
    expect(popup_link).to_be_visible()
    popup_link.click()
    expect(page).to_have_url(re.compile(rf"/orgs/{org_id}$"))
    assert errors == []

    # The same filter without JavaScript: the list, grouped by district, holds both places.
    no_js = browser.new_context(java_script_enabled=False, locale="de-DE")
    try:
        plain = no_js.new_page()
        plain.goto(f"{base_url}/map?function=G")
        listing = plain.locator(".map-list")
        expect(listing.get_by_role("link", name=NAME)).to_have_count(2)
        expect(listing).to_contain_text("Grünau-Mitte")
        expect(listing).to_contain_text("Lindenau")
    finally:
        no_js.close()

    # A partner site (another origin) may frame the embed page, not the full map.
    page.goto(partner_site)
    embed = page.frame_locator("#embed")
    expect(embed.locator(f".leaflet-marker-icon[title='{NAME}']").first).to_be_visible()
    # Blocked by frame-ancestors 'none': the frame shows the browser's error page, not the map.
    expect(page.frame_locator("#full").locator("#region-map")).to_have_count(0)
