"""A worker killed in the middle of writes loses nothing that was answered (issue 16, point 9).

Real gunicorn with 4 sync workers: 16 clients post listings, propose and accept exchanges, book
a shared offer and pay each other while one worker is killed with SIGKILL (gunicorn starts a new
one). Afterwards every write that got an answer is stored, the offer's quantity equals what the
accepted exchanges took, the shared offer is never booked beyond its capacity, the balances sum
to 0 and the search finds exactly the listings the database holds. On SQLite and PostgreSQL.
"""

import os
import signal
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa

from tests.bookings.helpers import days_ahead, iso
from tests.serving import call, register, running_gunicorn

pytestmark = pytest.mark.slow

CLIENTS = 16
ROUNDS = 4
CAPACITY = 2
CURRENCY = (
    "currency", "setup", "--code", "LTA", "--name", "Leipziger Taler", "--symbol", "T",
    "--kind", "money", "--min-balance", "-100000", "--max-balance", "100000",
)  # fmt: skip


def _workers(tmp_path) -> list[int]:
    master = (tmp_path / "gunicorn.pid").read_text().strip()
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", master], capture_output=True, text=True)
    return [int(pid) for pid in out.stdout.split()]


def _answer(base, method, path, token=None, body=None):
    """(status, body), or (None, None) when the connection broke (the killed worker's)."""
    try:
        return call(base, method, path, token, body)
    except OSError:
        return None, None


def test_a_killed_worker_loses_no_answered_write(database, tmp_path):
    with running_gunicorn(tmp_path, database, commands=(CURRENCY,)) as (base, _log):
        provider = register(base, 0)
        provider_org = call(base, "GET", "/api/v1/me", provider)[1]["organisation"]["id"]
        status, offer = call(base, "POST", "/api/v1/listings", provider, {
            "kind": "offer", "title": "Europaletten Störfallprobe", "category": "pallets",
            "quantity": 1000, "unit": "piece",
        })  # fmt: skip
        assert status == 201, offer
        status, shared = call(base, "POST", "/api/v1/listings", provider, {
            "kind": "offer", "title": "Lastenrad Störfallprobe", "category": "event-equipment",
            "quantity": CAPACITY, "unit": "piece", "mode": "lend", "capacity": CAPACITY,
        })  # fmt: skip
        assert status == 201, shared
        with ThreadPoolExecutor(max_workers=3) as pool:
            tokens = list(pool.map(lambda n: register(base, n), range(1, CLIENTS + 1)))
        start = days_ahead(4, hour=10)
        barrier = threading.Barrier(CLIENTS + 1)
        answered = {"listings": [], "exchanges": [], "bookings": [], "transfers": []}
        lock = threading.Lock()

        def keep(kind, status, body):
            if status is not None and 200 <= status < 300:
                with lock:
                    answered[kind].append(body["id"])

        def client(c: int) -> None:
            token = tokens[c]
            barrier.wait()
            for k in range(ROUNDS):
                keep("listings", *_answer(base, "POST", "/api/v1/listings", token, {
                    "kind": "request", "title": f"Störfallprobe Regale {c}-{k}",
                    "category": "furniture", "quantity": 1, "unit": "piece",
                }))  # fmt: skip
                status, exchange = _answer(
                    base,
                    "POST",
                    "/api/v1/exchanges",
                    token,
                    {"offer_id": offer["id"], "quantity": 1},
                )
                if status == 201:
                    keep(
                        "exchanges",
                        *_answer(
                            base, "POST", f"/api/v1/exchanges/{exchange['id']}/accept", provider
                        ),
                    )
                status, booking = _answer(base, "POST", "/api/v1/bookings", token, {
                    "listing_id": shared["id"], "start": iso(start + timedelta(minutes=k)),
                    "end": iso(start + timedelta(hours=2)), "units": 1,
                })  # fmt: skip
                if status == 201:
                    keep(
                        "bookings",
                        *_answer(
                            base, "POST", f"/api/v1/bookings/{booking['id']}/accept", provider
                        ),
                    )
                keep("transfers", *_answer(base, "POST", "/api/v1/transfers", token, {
                    "payee_organisation_id": provider_org, "amount": 1, "reason": "Probe",
                }))  # fmt: skip

        threads = [threading.Thread(target=client, args=(c,)) for c in range(CLIENTS)]
        for thread in threads:
            thread.start()
        barrier.wait()
        time.sleep(0.5)
        victim = _workers(tmp_path)[0]
        os.kill(victim, signal.SIGKILL)
        for thread in threads:
            thread.join(timeout=300)
        assert victim not in _workers(tmp_path)
        query = urlencode({"q": "Störfallprobe", "per_page": 100, "kind": "request"})
        status, found = call(base, "GET", f"/api/v1/listings?{query}")
        assert status == 200
        searched = {item["id"] for item in found["items"]}

    engine = sa.create_engine(database)
    with engine.connect() as db:

        def ids(table, where=""):
            return set(db.execute(sa.text(f"SELECT id FROM {table} {where}")).scalars())  # noqa: S608

        assert set(answered["listings"]) <= ids("listings")
        assert set(answered["exchanges"]) <= ids("exchanges", "WHERE status = 'accepted'")
        assert set(answered["bookings"]) <= ids("bookings", "WHERE status = 'accepted'")
        assert set(answered["transfers"]) <= ids("transfers")
        taken = db.execute(sa.text(
            "SELECT coalesce(sum(quantity), 0) FROM exchanges WHERE offer_id = :o AND status = 'accepted'"
        ), {"o": offer["id"]}).scalar_one()  # fmt: skip
        remaining = db.execute(
            sa.text("SELECT quantity_remaining FROM listings WHERE id = :o"), {"o": offer["id"]}
        ).scalar_one()
        assert remaining == 1000 - taken
        booked = db.execute(sa.text(
            "SELECT coalesce(sum(units), 0) FROM bookings WHERE listing_id = :s AND status = 'accepted'"
        ), {"s": shared["id"]}).scalar_one()  # fmt: skip
        assert booked <= CAPACITY  # every span overlaps the others
        assert db.execute(sa.text("SELECT sum(balance_cents) FROM accounts")).scalar_one() == 0
        requests = ids("listings", "WHERE kind = 'request' AND title LIKE 'Störfallprobe%'")
        assert searched == requests
    engine.dispose()
    assert answered["listings"] and answered["transfers"]  # the run did write
