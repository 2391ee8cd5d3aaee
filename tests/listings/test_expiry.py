"""Listings past their date expire: the sweep writes it, and reads never show them as open."""

from datetime import timedelta

import pytest

from marketplace.core.clock import today
from marketplace.extensions import db
from marketplace.listings import expiry, liveness
from marketplace.listings.expiry import expire_due_listings, reset_sweep_clock
from marketplace.listings.models import Listing


def yesterday():
    return today() - timedelta(days=1)


def status_in_db(listing_id):
    db.session.expire_all()
    return db.session.get(Listing, listing_id).status


def test_sweep_expires_only_live_listings_past_their_date(make):
    due_open = make.listing(available_until=yesterday())
    due_reserved = make.listing(available_until=yesterday(), status="reserved")
    due_closed = make.listing(available_until=yesterday(), status="closed")
    today_open = make.listing(available_until=today())
    undated = make.listing(available_until=None)

    assert expire_due_listings(today()) == 2
    db.session.commit()
    db.session.expire_all()

    assert due_open.status == "expired" and due_open.ended_at is not None
    assert due_reserved.status == "expired"
    assert due_closed.status == "closed" and due_closed.ended_at is None
    assert today_open.status == "open" and undated.status == "open"
    assert expire_due_listings(today()) == 0


def test_first_request_sweeps_and_later_ones_wait_for_the_interval(client, make):
    reset_sweep_clock()
    first = make.listing(available_until=yesterday()).id
    assert client.get("/").status_code == 200
    assert status_in_db(first) == "expired"

    second = make.listing(available_until=yesterday(), title="Zweite Paletten").id
    client.get("/")
    assert status_in_db(second) == "open"  # the interval has not passed yet ...
    page = client.get("/listings")
    assert b"Zweite Paletten" not in page.data  # ... but nobody sees it as open
    expired = client.get("/listings?status=expired")
    assert b"Zweite Paletten" in expired.data


def test_a_failing_sweep_never_breaks_the_request(client, make, monkeypatch, caplog):
    def broken(on):
        raise RuntimeError("database unavailable for writing")

    monkeypatch.setattr(expiry, "expire_due_listings", broken)
    reset_sweep_clock()
    response = client.get("/listings")
    assert response.status_code == 200
    assert "Expiry sweep failed" in caplog.text


def test_past_due_listing_reads_as_expired_everywhere(client, make, api):
    reset_sweep_clock()
    client.get("/")  # the sweep runs now, so none runs during the next requests
    listing_id = make.listing(available_until=yesterday(), title="Alte Bretter").id
    assert b"Alte Bretter" not in client.get("/listings").data
    assert api.get(f"/api/v1/listings/{listing_id}").json["status"] == "expired"
    assert api.get("/api/v1/listings").json["total"] == 0
    assert api.get("/api/v1/listings?status=expired").json["total"] == 1
    detail = client.get(f"/listings/{listing_id}")
    assert b"badge-expired" in detail.data
    assert status_in_db(listing_id) == "open"


@pytest.mark.parametrize("status", ["open", "reserved", "expired", "closed"])
def test_effective_status(make, status):
    listing = make.listing(available_until=yesterday(), status=status)
    expected = "expired" if status in ("open", "reserved") else status
    assert liveness.effective_status(listing) == expected
