"""The home page shows what is on offer and sought right now, and the region's headline figures."""

import re
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import event

from marketplace.core.clock import today, utcnow
from marketplace.exchanges import services
from marketplace.extensions import db
from marketplace.listings.models import Photo


def _figure(html: str, label: str) -> int:
    match = re.search(
        r'figure-value">(?:≈\xa0)?([\d.,]+)</span>\s*<span class="figure-label">'
        + re.escape(label),
        html,
    )
    assert match, f"figure {label!r} not found"
    return int(match.group(1).replace(".", "").replace(",", ""))


def test_home_shows_latest_open_offers_and_requests(client, make):
    org = make.organisation(name="Frischemarkt Reudnitz")
    now = utcnow()
    for n in range(8):
        make.listing(
            organisation=org, title=f"Angebot Nummer {n}", created_at=now - timedelta(hours=n)
        )
    make.listing(organisation=org, kind="request", title="Gesucht: Klappstühle")
    make.listing(organisation=org, title="Schon zurückgezogen", status="withdrawn")
    make.listing(
        organisation=org, title="Längst abgelaufen", available_until=today() - timedelta(days=1)
    )

    html = client.get("/").get_data(as_text=True)

    for n in range(6):
        assert f"Angebot Nummer {n}<" in html
    assert "Angebot Nummer 6<" not in html  # only the newest six offers
    assert "Gesucht: Klappstühle" in html
    assert "Schon zurückgezogen" not in html
    assert "Längst abgelaufen" not in html
    assert "Frischemarkt Reudnitz" in html


def test_home_figures_count_open_listings_and_organisations(client, make):
    giver = make.organisation()
    make.organisation()
    make.organisation()
    for _ in range(3):
        make.listing(organisation=giver)
    make.listing(organisation=giver, status="withdrawn")
    make.listing(organisation=giver, kind="request")

    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    html = client.get("/").get_data(as_text=True)

    assert _figure(html, "open offers") == 3
    assert _figure(html, "open requests") == 1
    assert _figure(html, "participating organisations") == 3


def add_photo_row(listing) -> None:
    """A photo row (no file): enough for a page to load and show it."""
    db.session.add(
        Photo(
            listing_id=listing.id,
            organisation_id=listing.organisation_id,
            filename=f"p{listing.id}.jpg",
            width=8,
            height=6,
            size_bytes=10,
        )
    )


def _hand_over(make, quantity, category="pallets", unit="piece", complete=True):
    """An offer of one organisation taken by another through the exchange services."""
    provider = make.user()
    receiver = make.user()
    offer = make.listing(
        organisation=provider.organisation,
        category=make.category(category),
        quantity=Decimal(quantity),
        unit=unit,
    )
    exchange = services.propose_exchange(receiver, offer, quantity)
    services.accept_exchange(provider, exchange)
    if complete:
        services.complete_exchange(receiver, exchange)
    db.session.commit()
    return exchange


def _figure_link(html: str, label: str) -> str:
    match = re.search(
        r'<a href="([^"]+)">\s*<span class="figure-value">[^<]*</span>\s*'
        r'<span class="figure-label">' + re.escape(label),
        html,
    )
    assert match, f"figure {label!r} has no link"
    return match.group(1)


def test_home_figures_sum_kg_reused_and_co2e_avoided_of_completed_exchanges(client, make):
    _hand_over(make, "4")  # 4 pallets x 25 kg = 100 kg, x 0.231 = 23.1 kg CO2e
    _hand_over(make, "1234", category="wood", unit="kg")  # x 0.231 = 285.054 kg CO2e
    _hand_over(make, "10", complete=False)  # accepted, not handed over yet: does not count

    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    html = client.get("/").get_data(as_text=True)

    # 1334 kg and 308.154 kg CO2e, at the two significant digits an estimate carries
    assert 'figure-value">≈\xa01,300</span>' in html
    assert 'figure-value">≈\xa0310</span>' in html
    assert _figure_link(html, "kg reused") == "/categories"
    assert _figure_link(html, "kg CO2e avoided") == "/categories"
    assert 'href="/categories">Where the factors come from</a>' in html


def test_home_reuse_figures_follow_the_locale(client, make):
    _hand_over(make, "4")
    _hand_over(make, "1234", category="wood", unit="kg")

    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "de-DE"
    german = client.get("/").get_data(as_text=True)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    english = client.get("/").get_data(as_text=True)

    assert 'figure-value">≈\xa01.300</span>' in german
    assert 'figure-value">≈\xa01,300</span>' in english


def test_home_shows_small_figures_at_two_significant_digits(client, make):
    _hand_over(make, "4")

    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "de-DE"
    html = client.get("/").get_data(as_text=True)

    assert 'figure-value">100</span>' in html  # exactly 100: no "≈"
    assert 'figure-value">≈\xa023</span>' in html  # 23.1


def test_home_reuse_figures_are_zero_before_any_hand_over(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    html = client.get("/").get_data(as_text=True)
    assert _figure(html, "kg reused") == 0
    assert _figure(html, "kg CO2e avoided") == 0


def test_home_without_listings_invites_to_post(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    html = client.get("/").get_data(as_text=True)
    assert "Nothing is on offer right now" in html
    assert 'href="/register"' in html and 'href="/listings/new"' in html


def test_home_shows_thumbnail_of_first_photo(client, make):
    listing = make.listing(title="Bürostühle mit Foto")
    db.session.add(
        Photo(
            listing_id=listing.id,
            organisation_id=listing.organisation_id,
            filename="abc123.jpg",
            width=800,
            height=600,
            size_bytes=1000,
        )
    )
    db.session.commit()
    html = client.get("/").get_data(as_text=True)
    assert 'src="/photos/abc123-t.jpg"' in html


def test_home_page_needs_the_same_number_of_queries_for_many_listings(
    app, client, make, quiet_sweeps
):
    """No query per listing: photos, categories and organisations are loaded up front."""

    def count_queries() -> int:
        statements = []

        def record(*_args):
            statements.append(1)

        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", record)
            try:
                assert client.get("/").status_code == 200
            finally:
                event.remove(db.engine, "before_cursor_execute", record)
        return len(statements)

    first = make.listing()
    make.listing(kind="request", organisation=first.organisation)
    _hand_over(make, "2")
    count_queries()  # the periodic sweeps (expiry, index drift, digests) run on a first request
    few = count_queries()
    for _ in range(5):
        add_photo_row(make.listing())  # each with its own organisation
        make.listing(kind="request")
    for _ in range(3):
        _hand_over(make, "2")  # the reuse figures are one aggregate query
    db.session.commit()
    assert count_queries() == few
