"""Reports benchmark: `python -m bench.reports [--exchanges N]` (default 100000).

Builds a temporary SQLite database through the app factory, bulk-inserts N completed exchanges
(300 organisations in 12 districts, N/5 offers, two years of completions, every mass basis,
recorded factors, some space) plus N/20 offers that expired or were withdrawn with a remainder,
then times, with the summary cache off unless said otherwise:
  - summarise() for all time, a filtered year, current factors (all time, and for a district):
    median of several runs, with this process's CPU time beside it;
  - the API summary through the test client (cold, and cached);
  - the full CSV and XLSX exports through the API (the streams consumed): seconds, bytes, and for
    the XLSX the peak of Python allocations (tracemalloc) and of the resident set, for the first
    year (half the rows) and for everything: constant memory means the same peak for both;
  - the PDF report as a signed-in coordinator: first (charts drawn), then again with the same
    data (after a PDF of an empty period has loaded WeasyPrint);
  - the coordinators' dashboard /reports: one in-process render (median), its queries, with the
    summary cache off and on, beside a bare Flask route.
Targets (issues 6 and 14, bench.targets): summaries <= 300 ms, CSV and XLSX <= 5 s, XLSX peak
memory for every row <= 1.25 x that for half of them, PDF <= 2 s. Last line:

    reports exchanges=... summary_ms=... filtered_ms=... current_ms=... current_district_ms=...
            api_summary_ms=... cached_ms=... csv_s=... xlsx_s=... xlsx_mb=... xlsx_peak_mb=...
            pdf_first_s=... pdf_second_s=... dashboard_ms=... dashboard_cached_ms=...
            dashboard_queries=...
"""

import argparse
import random
import secrets
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import Flask  # noqa: E402

from bench.targets import target  # noqa: E402

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


def coordinator(app) -> tuple[str, int, str]:
    """A coordinator with an API token and a signed-in web session: (token, user id, key)."""
    from marketplace.auth.models import User, UserSession
    from marketplace.auth.sessions import hash_secret
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
        key = secrets.token_urlsafe(32)
        db.session.add(UserSession(user_id=user.id, key_hash=hash_secret(key)))
        db.session.commit()
        user_id = user.id
        db.session.remove()
    return token, user_id, key


def signed_in_client(app, user_id: int, key: str):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = f"{user_id}:{key}"
        session["_fresh"] = True
    return client


def consume(response) -> int:
    """Bytes of a (streamed) response body, read as a client would, chunk by chunk."""
    size = 0
    for chunk in response.response:
        size += len(chunk)
    response.close()
    return size


class PeakMemory:
    """Peak of Python allocations (tracemalloc) and of the resident set during a block, above
    what was in use before it (the resident peak is reset through /proc where Linux allows)."""

    def __enter__(self):
        self.rss_reset = _reset_rss_peak()
        self.rss_before = _status_kb("VmRSS")
        tracemalloc.start()
        return self

    def __exit__(self, *exc):
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        self.python_mb = peak / 1e6
        self.rss_mb = (_status_kb("VmHWM") - self.rss_before) / 1e3 if self.rss_reset else None


def _status_kb(field: str) -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def _reset_rss_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")
        return True
    except OSError:
        return False


def count_queries(app):
    """A list that collects the statements the app's engine executes from now on."""
    from sqlalchemy import event

    from marketplace.extensions import db

    statements: list[str] = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    return statements


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
    current = ReportFilters(factors="current")
    current_district = ReportFilters(factors="current", district="Gohlis")
    with app.test_request_context("/reports"):
        summary = summarise(ReportFilters())
        print(f"all time: {summary.exchanges} exchanges, {summary.mass_kg} kg, "
              f"{summary.co2e_avoided_kg} kg CO2e, {len(summary.by_month)} months, "
              f"value lost {summary.value_lost.listings} listings")  # fmt: skip
        figures = {}
        for name, label, filters in (
            ("all", "summarise all time", ReportFilters()),
            ("year", "summarise year + category", year),
            ("current", "summarise current factors", current),
            ("current_district", "summarise current + district", current_district),
        ):
            figures[name] = median_ms(lambda f=filters: summarise(f), args.runs)
            print(f"{label:29s} median {figures[name]:7.1f} ms  (CPU {median_ms.cpu:.0f} ms)")

    token, user_id, key = coordinator(app)
    headers = {"Authorization": f"Bearer {token}"}
    client = app.test_client()

    def api_summary():
        response = client.get("/api/v1/reports/summary", headers=headers)
        assert response.status_code == 200, response.data[:200]

    api_ms = median_ms(api_summary, args.runs)
    print(f"API summary                   median {api_ms:7.1f} ms  (CPU {median_ms.cpu:.0f} ms)")

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
        f"CSV export (streamed)         {csv_s:7.2f} s  (CPU {csv_cpu:.2f} s)  "
        f"{size / 1e6:.1f} MB, {lines} lines"
    )

    xlsx = "/api/v1/reports/exchanges.xlsx"
    started, started_cpu = time.perf_counter(), time.process_time()
    response = client.get(xlsx, headers=headers)
    assert response.status_code == 200
    xlsx_bytes = consume(response)
    xlsx_s = time.perf_counter() - started
    xlsx_cpu = time.process_time() - started_cpu  # every thread of this process
    print(f"XLSX export (all)             {xlsx_s:7.2f} s  (CPU {xlsx_cpu:.2f} s)  "
          f"{xlsx_bytes / 1e6:.1f} MB")  # fmt: skip
    peaks = {}
    # Constant memory: the peak for every row is the peak for the first year's half of them.
    for name, query in (("half", "?to=2025-06-30"), ("all", "")):
        with PeakMemory() as peak:
            rows = client.get(xlsx + query, headers=headers)
            consume(rows)
        peaks[name] = peak
        rss = f"{peak.rss_mb:.1f} MB" if peak.rss_mb is not None else "n/a"
        print(f"XLSX peak memory ({name:5s})     Python {peak.python_mb:6.1f} MB, "
              f"resident +{rss}")  # fmt: skip
    memory_ratio = peaks["all"].python_mb / max(peaks["half"].python_mb, 0.001)

    web = signed_in_client(app, user_id, key)
    assert web.get("/reports/report.pdf?from=2030-01-01&to=2030-01-31").status_code == 200
    pdf = []
    for _ in range(2):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = web.get("/reports/report.pdf")
        assert response.status_code == 200 and response.data.startswith(b"%PDF")
        pdf.append((time.perf_counter() - started, time.process_time() - started_cpu))
    print(f"PDF report, first             {pdf[0][0]:7.2f} s  (CPU {pdf[0][1]:.2f} s)  "
          f"{len(response.data) / 1e3:.0f} KB")  # fmt: skip
    print(f"PDF report, same data again   {pdf[1][0]:7.2f} s  (CPU {pdf[1][1]:.2f} s)")

    statements = count_queries(app)

    def dashboard():
        statements.clear()
        response = web.get("/reports")
        assert response.status_code == 200, response.status_code
        dashboard.size = len(response.data)
        dashboard.queries = len(statements)

    bare = Flask("bare")
    bare.add_url_rule("/", "index", lambda: "ok")
    bare_client = bare.test_client()
    bare_ms = median_ms(lambda: bare_client.get("/").get_data(), args.runs * 5)
    dash_ms = median_ms(dashboard, args.runs)
    dash_cpu, queries = median_ms.cpu, dashboard.queries
    print(f"dashboard /reports, cold      median {dash_ms:7.1f} ms  (CPU {dash_cpu:.0f} ms)  "
          f"{queries} queries, {dashboard.size / 1e3:.0f} KB")  # fmt: skip

    app.config["REPORTS_CACHE_SECONDS"] = 60
    warm_api_ms = median_ms(api_summary, args.runs)
    print(f"API summary, cached           median {warm_api_ms:7.1f} ms  (same data, same filters)")
    warm_dash_ms = median_ms(dashboard, args.runs)
    print(f"dashboard /reports, cached    median {warm_dash_ms:7.1f} ms  "
          f"(CPU {median_ms.cpu:.0f} ms)  {dashboard.queries} queries; a bare Flask route "
          f"{bare_ms:.2f} ms in-process: {bare_ms / warm_dash_ms:.3f} of its rate")  # fmt: skip

    ms, s = " ms", " s"
    target("reports", "summary, all time", figures["all"], 300, unit=ms)
    target("reports", "summary, current factors", figures["current"], 300, unit=ms)
    target("reports", "summary, current factors + district", figures["current_district"], 300,
           unit=ms)  # fmt: skip
    target("reports", "API summary", api_ms, 300, unit=ms)
    target("reports", f"CSV of {args.exchanges} exchanges", csv_s, 5, unit=s)
    target("reports", f"XLSX of {args.exchanges} exchanges", xlsx_s, 5, unit=s)
    target("reports", "XLSX peak memory, all rows / half of them", memory_ratio, 1.25, unit=" x")
    target("reports", "PDF report, first", pdf[0][0], 2, unit=s)
    target("reports", "PDF report, same data again", pdf[1][0], 2, unit=s)
    print(
        f"reports exchanges={args.exchanges} summary_ms={figures['all']:.0f} "
        f"filtered_ms={figures['year']:.0f} current_ms={figures['current']:.0f} "
        f"current_district_ms={figures['current_district']:.0f} api_summary_ms={api_ms:.0f} "
        f"cached_ms={warm_api_ms:.0f} csv_s={csv_s:.2f} xlsx_s={xlsx_s:.2f} "
        f"xlsx_mb={xlsx_bytes / 1e6:.1f} xlsx_peak_mb={peaks['all'].python_mb:.1f} "
        f"pdf_first_s={pdf[0][0]:.2f} pdf_second_s={pdf[1][0]:.2f} dashboard_ms={dash_ms:.0f} "
        f"dashboard_cached_ms={warm_dash_ms:.0f} dashboard_queries={queries}"
    )


if __name__ == "__main__":
    main()
