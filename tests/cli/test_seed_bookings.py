"""The demo region's lending and booking: shared offers and a year of bookings between demo
organisations, deterministic, never over capacity, one loan overdue today."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from marketplace.bookings.models import HOLDING_STATUSES, Booking, BookingRules
from marketplace.bookings.spans import Held, peak_units
from marketplace.cli.seed import seed_demo_region
from marketplace.extensions import db
from marketplace.reports.filters import ReportFilters
from marketplace.reports.sharing import summarise_sharing

NOW = datetime(2026, 3, 2, 9, 30)


@pytest.fixture
def region(app_ctx):
    return seed_demo_region(now=NOW, password_hash="not-a-real-hash")


def _offers(region, org_key):
    org = region.organisations[org_key]
    return [o for o in region.shared_offers if o.organisation_id == org.id]


def test_the_demo_lends_and_books(region):
    assert {o.category.slug for o in _offers(region, "repaircafe")} == {"tools", "bikes"}
    assert {o.category.slug for o in _offers(region, "theater")} == {"event-equipment"}
    (room,) = _offers(region, "coworking")
    assert (room.mode, room.category.slug, room.unit) == ("book", "meeting-rooms", "hour")
    rules = db.session.get(BookingRules, room.id)
    assert rules.opening_hours["0"] == [["09:00", "18:00"]] and "5" not in rules.opening_hours
    (hall,) = _offers(region, "nachbarschaftszentrum")
    assert (hall.mode, hall.category.slug, hall.unit) == ("book", "rooms", "m2")
    assert all(o.mode in ("lend", "book") and o.capacity >= 1 for o in region.shared_offers)


def test_a_year_of_bookings_with_every_outcome(region):
    bookings = db.session.scalars(select(Booking)).all()
    assert len(bookings) == len(region.bookings) >= 100
    statuses = [b.status for b in bookings]
    assert statuses.count("returned") > len(bookings) / 2
    assert statuses.count("cancelled") >= 5 and statuses.count("declined") >= 5
    future = [b for b in bookings if b.status == "accepted" and b.start_at > NOW]
    assert len(future) >= 3
    late = [b for b in bookings if b.status == "returned" and b.returned_at > b.end_at]
    assert 3 <= len(late) < statuses.count("returned") / 4
    (active,) = [b for b in bookings if b.status == "active"]
    assert active.end_at < NOW  # overdue today
    assert min(b.start_at for b in bookings) >= NOW - timedelta(days=366)
    for b in bookings:
        assert b.provider_id != b.borrower_id
        assert b.created_at <= b.updated_at and b.start_at < b.end_at
        if b.returned_at:
            assert b.checked_out_at and b.accepted_at <= b.checked_out_at < b.returned_at <= NOW


def test_no_offer_is_ever_over_capacity(region):
    for offer in region.shared_offers:
        held = [
            Held(b.start_at, b.returned_at or max(b.end_at, NOW), b.units)
            for b in region.bookings
            if b.listing_id == offer.id and (b.status in HOLDING_STATUSES or b.returned_at)
        ]
        for span in held:
            assert peak_units(held, span.start, span.end) <= offer.capacity, offer.title


def test_the_demo_bookings_are_deterministic_and_mail_nobody(app_ctx, outbox):
    first = seed_demo_region(now=NOW, password_hash="x")

    # By names, not ids: PostgreSQL's sequences do not roll back.
    def described(region):
        return [
            (b.listing.title, b.borrower.name, b.status, b.start_at, b.units)
            for b in region.bookings
        ]

    rows = described(first)
    db.session.rollback()
    again = described(seed_demo_region(now=NOW, password_hash="x"))
    assert rows == again
    assert outbox == []


def test_the_demo_sharing_figures(region):
    figures = summarise_sharing(ReportFilters(), now=NOW)
    assert figures.total.equipment_loans > 40 and figures.total.space_bookings > 20
    assert figures.total.m2_hours > 0 and figures.total.use_days > 0
    assert figures.total.organisations_served >= 10
