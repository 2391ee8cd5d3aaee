"""Booking benchmark: `python -m bench.booking [--listings N --bookings M --runs R]`.

Builds a temporary SQLite database through the app factory and bulk-inserts (Core inserts) 200
organisations with one member each, N lend/book offers (tools, stage equipment, cargo bikes by
the day, rooms and meeting rooms by the hour; capacity 1-3) and M bookings spread over a year
(nine months back, three ahead: past ones mostly returned, some returned late, cancelled or
declined; future ones accepted, requested or cancelled; a few active), then times, in one
process and through the test client:
- (a) GET /api/v1/listings/{id}/availability for 3 months, R distinct listings first seen, then
  20 of them asked again, apart;
- (b) POST /api/v1/bookings/{id}/accept with the provider's bearer token (the listing lock and
  the peak-over-span overlap check), one requested booking on each of R distinct listings, then
  a second requested booking on 20 of them, apart;
- (c) GET /listings/{id} as a signed-in member of another organisation (the listing page with
  whatever calendar it shows on this branch), R distinct listings, then 20 again;
- a bare route in the same run, for the ratio.
Targets (issue 11): availability p95 <= 20 ms, accept p95 <= 50 ms, calendar page <= 30 ms (p95
of the first-seen pages). Last line:

    booking listings=1000 bookings=50000 availability_p95_ms=... accept_p95_ms=... calendar_page_ms=...
"""

import argparse
import os
import random
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BATCH = 5000
STAMPS = ("accepted_at", "declined_at", "cancelled_at", "checked_out_at", "returned_at")
ORGANISATIONS = 200
REPEATS = 20
#: (category slug, mode, unit, hours of a booking (lo, hi), capacity (lo, hi))
KINDS = [
    ("tools", "lend", "piece", (24, 96), (1, 3)),
    ("event-equipment", "lend", "piece", (24, 72), (1, 2)),
    ("bikes", "lend", "piece", (4, 48), (1, 2)),
    ("rooms", "book", "m2", (2, 6), (1, 1)),
    ("meeting-rooms", "book", "hour", (1, 4), (1, 1)),
]


def make_app(workdir: Path):
    from marketplace import create_app

    return create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(workdir / "instance"),
            "SECRET_KEY": "bench-" + "k" * 40,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'booking.db'}",
            "SEARCH_INDEX_DIR": str(workdir / "index"),
            "RATELIMIT_ENABLED": False,
            "BABEL_DEFAULT_LOCALE": "en",
            "EXPIRY_SWEEP_INTERVAL_S": 86400,
            "WTF_CSRF_ENABLED": False,
            # Mail is queued after the commit as in production, but kept in memory.
            "MAIL_BACKEND": "locmem",
        }
    )


def _status(rng: random.Random, start: datetime, end: datetime, now: datetime) -> dict:
    """A realistic status for a booking at [start, end), with its timestamps."""
    created = start - timedelta(days=rng.uniform(1, 20))
    # Every row has every key (one executemany).
    row = {"created_at": created, "updated_at": created} | dict.fromkeys(STAMPS)
    if end < now:
        pick = rng.random()
        if pick < 0.08:
            return row | {"status": "cancelled", "cancelled_at": created + timedelta(hours=5)}
        if pick < 0.14:
            return row | {"status": "declined", "declined_at": created + timedelta(hours=3)}
        late = timedelta(hours=rng.uniform(2, 30)) if pick > 0.95 else timedelta(0)
        back = min(end + late, now - timedelta(minutes=5))
        return row | {
            "status": "returned",
            "accepted_at": created + timedelta(hours=2),
            "checked_out_at": start,
            "returned_at": back,
            "updated_at": back,
        }
    if start < now:  # running now: checked out
        return row | {
            "status": "active",
            "accepted_at": created + timedelta(hours=2),
            "checked_out_at": start,
        }
    pick = rng.random()
    if pick < 0.55:
        return row | {"status": "accepted", "accepted_at": created + timedelta(hours=2)}
    if pick < 0.85:
        return row | {"status": "requested"}
    return row | {"status": "cancelled", "cancelled_at": created + timedelta(hours=4)}


def fill(app, n_listings: int, n_bookings: int, seed: int) -> dict:
    """Organisations, members, lend/book offers and bookings, bulk-inserted; returns the ids the
    timings need."""
    import sqlalchemy as sa

    from marketplace.auth.models import User
    from marketplace.bookings.models import Booking
    from marketplace.categories.models import Category
    from marketplace.categories.taxonomy import sync_taxonomy
    from marketplace.core.clock import utcnow
    from marketplace.extensions import db
    from marketplace.listings.models import Listing
    from marketplace.orgs.models import Organisation

    rng = random.Random(seed)
    now = utcnow().replace(microsecond=0)
    with app.app_context():
        db.create_all()
        with db.engine.begin() as conn:
            sync_taxonomy(conn)
            categories = dict(conn.execute(sa.select(Category.slug, Category.id)).all())
            orgs = [
                {
                    "id": i,
                    "name": f"Organisation {i}",
                    "kind": rng.choice(["business", "association", "initiative"]),
                    "postcode": "04109",
                    "district": rng.choice(["Mitte", "Plagwitz", "Connewitz", "Grünau"]),
                }
                for i in range(1, ORGANISATIONS + 1)
            ]
            users = [
                {
                    "id": i,
                    "email": f"member{i}@bench.example",
                    "name": f"Member {i}",
                    "password_hash": "x",
                    "locale": "en",
                    "organisation_id": i,
                }
                for i in range(1, ORGANISATIONS + 1)
            ]
            listings, bookings = [], []
            per_listing = n_bookings // n_listings
            year_start = now - timedelta(days=270)
            slot = timedelta(days=365) / per_listing
            for lid in range(1, n_listings + 1):
                slug, mode, unit, (lo, hi), (c_lo, c_hi) = KINDS[lid % len(KINDS)]
                capacity = rng.randint(c_lo, c_hi)
                org = rng.randint(1, ORGANISATIONS)
                quantity = Decimal(rng.choice([40, 80, 120])) if unit == "m2" else capacity
                listings.append(
                    {
                        "id": lid,
                        "kind": "offer",
                        "title": f"{slug} {lid}",
                        "description": "",
                        "category_id": categories[slug],
                        "quantity": quantity,
                        "quantity_remaining": quantity,
                        "unit": unit,
                        "price_eur": Decimal("0"),
                        "postcode": "04109",
                        "district": orgs[org - 1]["district"],
                        "status": "open",
                        "mode": mode,
                        "capacity": capacity,
                        "organisation_id": org,
                        "created_at": year_start - timedelta(days=10),
                        "updated_at": year_start - timedelta(days=10),
                    }
                )
                borrowers = [b for b in range(1, ORGANISATIONS + 1) if b != org]
                for k in range(per_listing):
                    # One booking per slot: never more units held than the capacity.
                    slot_start = year_start + slot * k
                    hours = rng.uniform(lo, min(hi, slot.total_seconds() / 3600 * 0.8))
                    start = (slot_start + timedelta(hours=rng.uniform(0, 6))).replace(
                        minute=0, second=0, microsecond=0
                    )
                    end = start + timedelta(hours=round(hours))
                    bookings.append(
                        {
                            "listing_id": lid,
                            "provider_id": org,
                            "borrower_id": rng.choice(borrowers),
                            "start_at": start,
                            "end_at": end,
                            "units": rng.randint(1, capacity),
                            "message": "",
                            "fee_eur": Decimal("0"),
                            "deposit_eur": Decimal("0"),
                            **_status(rng, start, end, now),
                        }
                    )
            for model, rows in (
                (Organisation, orgs),
                (User, users),
                (Listing, listings),
                (Booking, bookings),
            ):
                for start in range(0, len(rows), BATCH):
                    conn.execute(sa.insert(model.__table__), rows[start : start + BATCH])
            conn.execute(sa.text("ANALYZE"))
        db.session.remove()
    counts: dict[str, int] = {}
    for row in bookings:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    print(f"data: {n_listings} listings, {len(bookings)} bookings {dict(sorted(counts.items()))}")
    return {"listings": listings}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[int(share * (len(ordered) - 1))]


class Runs:
    def __init__(self, label: str):
        self.label, self.ms, self.cpu = label, [], []

    def row(self) -> str:
        return (
            f"{self.label:42} {len(self.ms):4} {statistics.median(self.ms):7.1f} "
            f"{percentile(self.ms, 0.95):7.1f} {max(self.ms):7.1f} {statistics.median(self.cpu):7.1f}"
        )

    def time(self, call):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = call()
        self.ms.append((time.perf_counter() - started) * 1000)
        self.cpu.append((time.process_time() - started_cpu) * 1000)
        return result


HEADER = f"{'':42} {'n':>4} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'CPU p50':>7}"


def _tokens(app, org_ids) -> dict[int, str]:
    """A bearer token for each organisation's member."""
    from marketplace.auth.models import User
    from marketplace.auth.tokens import issue_api_token
    from marketplace.extensions import db

    tokens = {}
    with app.app_context():
        for org_id in org_ids:
            user = db.session.get(User, org_id)  # user i belongs to organisation i
            tokens[org_id], _ = issue_api_token(user)
        db.session.commit()
        db.session.remove()
    return tokens


def _sign_in(app, client, user_id: int) -> None:
    from marketplace.auth.models import UserSession
    from marketplace.auth.sessions import hash_secret
    from marketplace.extensions import db

    key = secrets.token_urlsafe(32)
    with app.app_context():
        db.session.add(UserSession(user_id=user_id, key_hash=hash_secret(key)))
        db.session.commit()
        db.session.remove()
    with client.session_transaction() as cookie:
        cookie["_user_id"] = f"{user_id}:{key}"
        cookie["_fresh"] = True


def _requested(app, listing_ids) -> dict[int, list[int]]:
    """Per listing, its requested bookings (future ones), soonest first."""
    import sqlalchemy as sa

    from marketplace.bookings.models import Booking
    from marketplace.extensions import db

    out: dict[int, list[int]] = {}
    with app.app_context():
        rows = db.session.execute(
            sa.select(Booking.listing_id, Booking.id)
            .where(Booking.status == "requested", Booking.listing_id.in_(listing_ids))
            .order_by(Booking.listing_id, Booking.start_at)
        )
        for listing_id, booking_id in rows:
            out.setdefault(listing_id, []).append(booking_id)
        db.session.remove()
    return out


def run(app, data: dict, args) -> None:
    rng = random.Random(args.seed + 1)
    listings = data["listings"]
    client = app.test_client()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    started = time.perf_counter()
    client.get("/_bench/ping")
    print(f"warm-up (sweep): {(time.perf_counter() - started) * 1000:.0f} ms")

    # (a) availability of 3 months for distinct listings.
    order = rng.sample(listings, len(listings))
    first_day = date.today()
    span = {"from": first_day.isoformat(), "to": (first_day + timedelta(days=91)).isoformat()}
    avail, avail_again = Runs("(a) availability 3 months, first seen"), Runs("    asked again")
    client.get(f"/api/v1/listings/{order[-1]['id']}/availability", query_string=span)
    for listing in order[: args.runs]:
        response = avail.time(
            lambda lid=listing["id"]: client.get(
                f"/api/v1/listings/{lid}/availability", query_string=span
            )
        )
        assert response.status_code == 200, response.data[:300]
    for listing in order[:REPEATS]:
        avail_again.time(
            lambda lid=listing["id"]: client.get(
                f"/api/v1/listings/{lid}/availability", query_string=span
            )
        )

    # (b) accepting a requested booking on distinct listings, through the API with a token.
    pool = rng.sample(listings, len(listings))
    requested = _requested(app, [row["id"] for row in pool])
    chosen = [row for row in pool if len(requested.get(row["id"], [])) >= 2][: args.runs]
    tokens = _tokens(app, {row["organisation_id"] for row in chosen})
    accept, accept_again = (
        Runs("(b) accept with overlap check, first"),
        Runs("    second on a listing"),
    )
    outcomes: dict[int, int] = {}
    for runs, index, rows in ((accept, 0, chosen), (accept_again, 1, chosen[:REPEATS])):
        for row in rows:
            booking_id = requested[row["id"]][index]
            headers = {"Authorization": f"Bearer {tokens[row['organisation_id']]}"}
            response = runs.time(
                lambda b=booking_id, h=headers: client.post(
                    f"/api/v1/bookings/{b}/accept", headers=h
                )
            )
            outcomes[response.status_code] = outcomes.get(response.status_code, 0) + 1
            assert response.status_code in (200, 409), response.data[:300]

    # (c) the listing page (with its calendar, where this branch has one) as a signed-in member.
    viewer_org = 1
    _sign_in(app, client, viewer_org)
    pages = [row for row in rng.sample(listings, len(listings)) if row["organisation_id"] != 1]
    page, page_again = Runs("(c) listing page signed in, first seen"), Runs("    asked again")
    client.get(f"/listings/{pages[-1]['id']}")
    has_calendar = False
    for row in pages[: args.runs]:
        response = page.time(lambda lid=row["id"]: client.get(f"/listings/{lid}"))
        assert response.status_code == 200, response.status_code
        has_calendar = has_calendar or b"calendar" in response.data
    for row in pages[:REPEATS]:
        page_again.time(lambda lid=row["id"]: client.get(f"/listings/{lid}"))

    ping = Runs("bare route /_bench/ping")
    for _ in range(args.runs):
        ping.time(lambda: client.get("/_bench/ping"))

    print(f"\n{HEADER}")
    for runs in (avail, avail_again, accept, accept_again, page, page_again, ping):
        print(runs.row())
    print(f"accept answers: {dict(sorted(outcomes.items()))} (409: units not free)")
    print(f"listing page shows a calendar: {'yes' if has_calendar else 'no (not on this branch)'}")
    base = statistics.median(ping.ms)
    a95, b95, c95 = (percentile(r.ms, 0.95) for r in (avail, accept, page))
    print(
        f"ratio to the bare route (p50): availability x{statistics.median(avail.ms) / base:.0f}, "
        f"accept x{statistics.median(accept.ms) / base:.0f}, page x{statistics.median(page.ms) / base:.0f}"
    )
    print(f"load average {os.getloadavg()[0]:.1f} at the end")
    from bench.targets import target

    target("booking", "availability p95", a95, 20, unit=" ms")
    target("booking", "accept p95", b95, 50, unit=" ms")
    target("booking", "calendar page p95", c95, 30, unit=" ms")
    print(
        f"booking listings={len(listings)} bookings={args.bookings} "
        f"availability_p95_ms={a95:.0f} accept_p95_ms={b95:.0f} calendar_page_ms={c95:.0f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=1_000)
    parser.add_argument("--bookings", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=200, help="distinct listings per timing")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-booking-"))
    try:
        app = make_app(workdir)
        app.add_url_rule("/_bench/ping", "bench_ping", lambda: "ok")
        started = time.perf_counter()
        data = fill(app, args.listings, args.bookings, args.seed)
        print(f"inserted in {time.perf_counter() - started:.1f} s")
        run(app, data, args)
    finally:
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
