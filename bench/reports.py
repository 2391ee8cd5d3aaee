"""Reports benchmark: `python -m bench.reports [--exchanges N]` (default 100000).

Builds a temporary SQLite database through the app factory, bulk-inserts N completed exchanges
(300 organisations in 12 districts, N/5 offers, two years of completions, every mass basis,
recorded factors, some space) plus N/20 offers that expired or were withdrawn with a remainder,
then times: summarise() for all time and for a filtered year (median of several runs), the API
summary through the test client, the full CSV export through the API (the stream consumed), and
the XLSX export. Summaries are timed cold (the summary cache off), and the API summary once more
with the cache on. Targets (issue 6): summary <= 300 ms, full CSV <= 5 s. Last line:

    reports exchanges=100000 summary_ms=... filtered_ms=... api_summary_ms=... cached_ms=...
            csv_s=... xlsx_s=...
"""

import argparse
import random
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

DISTRICTS = [
    "Zentrum", "Gohlis", "Plagwitz", "Connewitz", "Lindenau", "Reudnitz",
    "Schönefeld", "Grünau", "Möckern", "Paunsdorf", "Probstheida", None,
]  # fmt: skip
KINDS = ["business", "project_centre", "social_enterprise", "association", "public_body"]
BATCH = 5000


def make_app(workdir: Path, database: str | None = None):
    from marketplace import create_app

    return create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(workdir / "instance"),
            "SECRET_KEY": "bench-" + "k" * 40,
            "SQLALCHEMY_DATABASE_URI": database or f"sqlite:///{workdir / 'reports.db'}",
            "RATELIMIT_ENABLED": False,
            "BABEL_DEFAULT_LOCALE": "en",
            "REPORTS_CACHE_SECONDS": 0,  # cold figures; the warm ones switch it on below
        }
    )


def fill(app, n: int, rng: random.Random) -> None:
    """Organisations, offers and N completed exchanges, inserted with executemany."""
    import sqlalchemy as sa

    from marketplace.categories.models import Category
    from marketplace.categories.taxonomy import sync_taxonomy
    from marketplace.exchanges.models import Exchange
    from marketplace.extensions import db
    from marketplace.listings.models import Listing
    from marketplace.orgs.models import Organisation

    with app.app_context():
        db.create_all()
        with db.engine.begin() as conn:
            sync_taxonomy(conn)
            categories = conn.execute(
                sa.select(
                    Category.id,
                    Category.resource_type,
                    Category.default_unit,
                    Category.kg_per_unit,
                    Category.co2e_factor,
                    Category.factor_source,
                    Category.factor_basis,
                    Category.taxonomy_version,
                ).order_by(Category.id)  # fmt: skip
            ).all()
            now = datetime(2026, 6, 30)
            orgs = [
                {
                    "id": i + 1,
                    "name": f"Organisation {i + 1}",
                    "kind": KINDS[i % len(KINDS)],
                    "postcode": "04109",
                    "district": DISTRICTS[i % len(DISTRICTS)],
                    "created_at": now,
                }
                for i in range(300)
            ]
            conn.execute(Organisation.__table__.insert(), orgs)
            offers = []
            for i in range(max(1, n // 5) + n // 20):
                category = rng.choice(categories)
                org = rng.choice(orgs)
                lost = i >= n // 5
                offers.append(
                    {
                        "id": i + 1,
                        "kind": "offer",
                        "title": f"Angebot {i + 1}",
                        "description": "",
                        "category_id": category.id,
                        "quantity": Decimal("50"),
                        "quantity_remaining": Decimal(rng.randint(1, 40) if lost else 0),
                        "unit": category.default_unit,
                        "price_eur": Decimal("0"),
                        "postcode": "04109",
                        "district": rng.choice(DISTRICTS),
                        "status": rng.choice(["expired", "withdrawn"]) if lost else "closed",
                        "organisation_id": org["id"],
                        "created_at": now - timedelta(days=800),
                        "updated_at": now,
                        "ended_at": now - timedelta(days=rng.randint(0, 700)) if lost else None,
                        "available_until": date(2026, 6, 1),
                    }
                )
            for start in range(0, len(offers), BATCH):
                conn.execute(Listing.__table__.insert(), offers[start : start + BATCH])
            by_id = {c.id: c for c in categories}
            batch = []
            for i in range(n):
                source = offers[rng.randrange(max(1, n // 5))]
                batch.append(_exchange(i + 1, source, by_id[source["category_id"]], orgs, rng, now))
                if len(batch) == BATCH:
                    conn.execute(Exchange.__table__.insert(), batch)
                    batch = []
            if batch:
                conn.execute(Exchange.__table__.insert(), batch)
        db.session.remove()


def _exchange(ident, source, category, orgs, rng, now) -> dict:
    from marketplace.core.clock import local_month

    completed_at = now - timedelta(minutes=rng.randint(0, 730 * 24 * 60))
    quantity = Decimal(rng.randint(1, 40))
    space = category.resource_type == "space"
    basis, mass = None, None
    if not space:
        basis = rng.choices(["weighed", "estimated", "unknown"], [2, 7, 1])[0]
        mass = None if basis == "unknown" else Decimal(rng.randint(1, 500000)) / 1000
    co2e = None
    if mass is not None and category.co2e_factor is not None:
        co2e = (mass * category.co2e_factor).quantize(Decimal("0.001"))
    receiver = rng.choice(orgs)["id"]
    return {
        "id": ident,
        "offer_id": source["id"],
        "provider_id": source["organisation_id"],
        "receiver_id": receiver,
        "category_id": category.id,
        "quantity": quantity,
        "quantity_completed": quantity,
        "unit": category.default_unit,
        "message": "",
        "status": "completed",
        "created_at": completed_at,
        "updated_at": completed_at,
        "completed_at": completed_at,
        "completed_month": local_month(completed_at),
        "mass_kg": mass,
        "mass_basis": basis,
        "co2e_avoided_kg": co2e,
        "co2e_factor": category.co2e_factor if co2e is not None else None,
        "factor_source": category.factor_source if co2e is not None else None,
        "factor_basis": category.factor_basis if co2e is not None else None,
        "factor_version": category.taxonomy_version if co2e is not None else None,
        "space_hours": quantity if space and category.default_unit == "hour" else None,
        "space_days": quantity if space and category.default_unit == "day" else None,
        "value_eur": Decimal(rng.choice([0, 0, 0, 5, 20])),
        "transport_co2e_kg": Decimal("1.7") if ident % 4 == 0 else None,
        "activity_seq": 3,
        "provider_seq": 1,
        "receiver_seq": 2,
    }


def median_ms(call, runs: int) -> float:
    """Median wall time; the CPU time of this process is printed beside it, since a machine shared
    with other work stretches wall time (SQLite runs in this process)."""
    call()  # warm caches (first query plans, categories)
    times, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        call()
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    median_ms.cpu = statistics.median(cpu)
    return statistics.median(times)


def coordinator_token(app) -> str:
    from marketplace.auth.models import User
    from marketplace.auth.tokens import issue_api_token
    from marketplace.extensions import db

    with app.app_context():
        user = User(
            email="coordinator@example.org",
            name="Koordination",
            password_hash="-",  # noqa: S106 - no password: the bench signs in with a token
            role="coordinator",
            organisation_id=1,
        )
        db.session.add(user)
        db.session.flush()
        token, _ = issue_api_token(user)
        db.session.commit()
        db.session.remove()
    return token


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exchanges", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--database",
        help="An empty database to fill instead of the temporary SQLite file, e.g. a "
        "PostgreSQL URI with ?options=-csearch_path%%3Dbench (its tables are created and dropped)",
    )
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-reports-"))
    try:
        app = make_app(workdir, args.database)
        started = time.perf_counter()
        fill(app, args.exchanges, random.Random(6))
        print(f"inserted {args.exchanges} exchanges in {time.perf_counter() - started:.1f} s")
        with app.app_context():
            # The rows went in behind the search index's back; a running app keeps it in step.
            # Build it now, so that no background rebuild competes with the timings below.
            app.extensions["search"].rebuild()
        run(app, args)
    finally:
        if args.database:
            from marketplace.extensions import db

            with app.app_context():
                db.session.remove()
                db.drop_all()
        shutil.rmtree(workdir, ignore_errors=True)


def run(app, args) -> None:
    from marketplace.reports.filters import ReportFilters
    from marketplace.reports.queries import summarise

    year = ReportFilters(date_from=date(2025, 7, 1), date_to=date(2026, 6, 30), category="wood")
    current = ReportFilters(factors="current", district="Gohlis")
    with app.test_request_context("/reports"):
        summary = summarise(ReportFilters())
        print(f"all time: {summary.exchanges} exchanges, {summary.mass_kg} kg, "
              f"{summary.co2e_avoided_kg} kg CO2e, {len(summary.by_month)} months, "
              f"value lost {summary.value_lost.listings} listings")  # fmt: skip
        all_ms = median_ms(lambda: summarise(ReportFilters()), args.runs)
        print(f"summarise all time          median {all_ms:7.1f} ms  (CPU {median_ms.cpu:.0f} ms)")
        year_ms = median_ms(lambda: summarise(year), args.runs)
        print(f"summarise year + category   median {year_ms:7.1f} ms  (CPU {median_ms.cpu:.0f} ms)")
        current_ms = median_ms(lambda: summarise(current), args.runs)
        print(
            f"summarise current factors   median {current_ms:7.1f} ms  (CPU {median_ms.cpu:.0f} ms)"
        )

    headers = {"Authorization": f"Bearer {coordinator_token(app)}"}
    client = app.test_client()

    def api_summary():
        response = client.get("/api/v1/reports/summary", headers=headers)
        assert response.status_code == 200, response.data[:200]

    api_ms = median_ms(api_summary, args.runs)
    print(f"API summary                 median {api_ms:7.1f} ms  (CPU {median_ms.cpu:.0f} ms)")

    started, started_cpu = time.perf_counter(), time.process_time()
    response = client.get("/api/v1/reports/exchanges.csv", headers=headers)
    size = lines = 0
    for chunk in response.response:
        size += len(chunk)
        lines += chunk.count(b"\n")
    csv_s = time.perf_counter() - started
    csv_cpu = time.process_time() - started_cpu
    assert lines == args.exchanges + 1, lines
    print(
        f"CSV export (streamed)       {csv_s:7.2f} s  (CPU {csv_cpu:.2f} s)  "
        f"{size / 1e6:.1f} MB, {lines} lines"
    )

    started = time.perf_counter()
    response = client.get("/api/v1/reports/exchanges.xlsx", headers=headers)
    xlsx_s = time.perf_counter() - started
    assert response.status_code == 200
    print(f"XLSX export                 {xlsx_s:7.2f} s  {len(response.data) / 1e6:.1f} MB")

    app.config["REPORTS_CACHE_SECONDS"] = 60
    warm_api_ms = median_ms(api_summary, args.runs)
    print(f"API summary, cached         median {warm_api_ms:7.1f} ms  (same data, same filters)")

    verdict = "ok" if all_ms <= 300 and api_ms <= 300 and csv_s <= 5 else "SLOW"
    print(f"targets: summary <= 300 ms, CSV <= 5 s: {verdict}")
    print(
        f"reports exchanges={args.exchanges} summary_ms={all_ms:.0f} filtered_ms={year_ms:.0f} "
        f"api_summary_ms={api_ms:.0f} cached_ms={warm_api_ms:.0f} csv_s={csv_s:.2f} "
        f"xlsx_s={xlsx_s:.2f}"
    )


if __name__ == "__main__":
    main()
