"""Never double-booked, whatever the number of clients and workers (issue 11, security.md 16-17).

Real gunicorn with 4 sync workers: 32 organisations ask for overlapping spans of one unit of an
offer with a capacity of 3 (all 32 spans share a common hour); the provider accepts all 32 from
32 threads at once: exactly 3 answers 200 and 29 answer 409, and at no moment do the accepted
bookings hold more than 3 units. On SQLite and on PostgreSQL.
"""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest

from marketplace.bookings.spans import Held, peak_units
from tests.bookings.helpers import days_ahead, iso
from tests.serving import call, register, running_gunicorn

pytestmark = pytest.mark.slow

CLIENTS = 32
CAPACITY = 3


@pytest.fixture
def server(database, tmp_path):
    with running_gunicorn(tmp_path, database) as (base, _log):
        yield base


def test_thirty_two_accepts_at_once_on_a_capacity_of_three_accept_exactly_three(server):
    provider = register(server, 0)
    status, offer = call(
        server,
        "POST",
        "/api/v1/listings",
        provider,
        {
            "kind": "offer",
            "title": "Beamer Epson für Veranstaltungen",
            "category": "event-equipment",
            "quantity": CAPACITY,
            "unit": "piece",
            "mode": "lend",
            "capacity": CAPACITY,
        },
    )
    assert status == 201, offer
    base = days_ahead(3, hour=9)

    def ask(n: int) -> int:
        token = register(server, n)
        # Each span is shifted by n x 5 minutes: all of them share the hour after 11:40.
        start = base + timedelta(minutes=5 * n)
        status, booking = call(
            server,
            "POST",
            "/api/v1/bookings",
            token,
            {
                "listing_id": offer["id"],
                "start": iso(start),
                "end": iso(start + timedelta(hours=4)),
                "units": 1,
            },
        )
        assert status == 201, booking
        return booking["id"]

    # Registration hashes a password inside a write transaction (issue 16): few at a time, so
    # that setting up the race does not queue past SQLite's busy timeout on a loaded machine.
    with ThreadPoolExecutor(max_workers=3) as pool:
        booking_ids = list(pool.map(ask, range(1, CLIENTS + 1)))

    barrier = threading.Barrier(len(booking_ids))
    answers: list[int] = []

    def accept(booking_id: int) -> None:
        barrier.wait()
        answers.append(call(server, "POST", f"/api/v1/bookings/{booking_id}/accept", provider)[0])

    threads = [threading.Thread(target=accept, args=(i,)) for i in booking_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert Counter(answers) == {200: CAPACITY, 409: CLIENTS - CAPACITY}
    status, accepted = call(server, "GET", "/api/v1/bookings?status=accepted", provider)
    assert accepted["total"] == CAPACITY
    held = [
        Held(
            datetime.fromisoformat(item["start"]).replace(tzinfo=None),
            datetime.fromisoformat(item["end"]).replace(tzinfo=None),
            item["units"],
        )
        for item in accepted["items"]
    ]
    assert peak_units(held, base - timedelta(days=1), base + timedelta(days=2)) == CAPACITY
    day = base.date()
    status, free = call(
        server, "GET", f"/api/v1/listings/{offer['id']}/availability?from={day}&to={day}"
    )
    assert status == 200 and free["days"][0]["free_units"] == 0
