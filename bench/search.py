"""Search benchmark: `python -m bench.search [--n N]`.

Builds a deterministic synthetic German/English corpus in SQLite (bench/corpus.py), rebuilds
the whoosh index through the application's own code (parallel, built aside), and runs a fixed
mix of queries (single word, two words, phrase, with a filter, sorted, with highlights) through
WhooshBackend.search() and, in the same run, the same queries through SQLite FTS5 (bm25 with the
same field weights, the same status filter, a total count, snippet() for highlights). Prints
index build time and size, latency p50/p95 per engine, incremental update latency, the memory
of a fresh process that searches, and as last line:

    search n=100000 p50_ms=... p95_ms=... fts5_p95_ms=... ratio=... build_s=...
"""

import argparse
import json
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import corpus  # noqa: E402

CENTRE = (51.3397, 12.3731)  # Leipzig Zentrum
#: (group, query, filters, sort, highlight)
MIX = [
    ("single", "Paletten", {}, None, False),
    ("single", "Bürostuhl", {}, None, False),
    ("single", "Regal", {}, None, False),
    ("single", "laptops", {}, None, False),
    ("single", "Holz", {}, None, False),
    ("two words", "Holz Paletten", {}, None, False),
    ("two words", "Stühle gebraucht", {}, None, False),
    ("two words", "office chairs", {}, None, False),
    ("phrase", '"gut erhalten"', {}, None, False),
    ("phrase", '"zu verschenken"', {}, None, False),
    ("filter", "Platten", {"kind": "offer", "category": "construction"}, None, False),
    ("filter", "Tische", {"near": CENTRE, "radius_km": 3}, None, False),
    ("sorted", "Kisten", {}, "newest", False),
    ("sorted", "Regale", {"near": CENTRE, "radius_km": 10}, "nearest", False),
    ("highlights", "Dämmplatten", {}, None, True),
    ("highlights", "Kanthölzer Fichte", {}, None, True),
]

#: What a user types into the search box, letter by letter (autocomplete).
SUGGEST_PREFIXES = [
    w[:k] for w in ("Paletten", "Bürostuhl", "Holz Reg", "chairs") for k in (2, 3, 4, 5)
]


def make_app(workdir: Path):
    from marketplace import create_app

    return create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(workdir / "instance"),
            "SECRET_KEY": "bench-" + "k" * 40,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'bench.db'}",
            "RATELIMIT_ENABLED": False,
        }
    )


def ensure_corpus(app, n: int) -> None:
    """Create and fill the database once per size (kept between runs)."""
    import sqlalchemy as sa

    from marketplace.categories.models import Category
    from marketplace.categories.taxonomy import sync_taxonomy
    from marketplace.extensions import db
    from marketplace.listings.models import Listing
    from marketplace.orgs.models import Organisation

    with app.app_context():
        db.create_all()
        with db.engine.begin() as conn:
            if (
                conn.execute(sa.select(sa.func.count()).select_from(Listing.__table__)).scalar()
                == n
            ):
                return
            sync_taxonomy(conn)
            conn.execute(Listing.__table__.delete())
            conn.execute(Organisation.__table__.delete())
            category_ids = dict(conn.execute(sa.select(Category.slug, Category.id)).all())
            import random

            orgs = corpus.organisations(n, random.Random(7))
            conn.execute(Organisation.__table__.insert(), orgs)
            batch = []
            for row in corpus.listings(n, category_ids, orgs):
                batch.append(row)
                if len(batch) == 5000:
                    conn.execute(Listing.__table__.insert(), batch)
                    batch = []
            if batch:
                conn.execute(Listing.__table__.insert(), batch)


# ---- SQLite FTS5 baseline --------------------------------------------------------------


def build_fts(workdir: Path, app) -> tuple[sqlite3.Connection, float]:
    from marketplace.extensions import db
    from marketplace.search import documents

    path = workdir / "fts5.db"
    path.unlink(missing_ok=True)
    con = sqlite3.connect(path)
    started = time.perf_counter()
    con.executescript(
        """
        CREATE VIRTUAL TABLE fts USING fts5(title, description, context,
            tokenize = 'unicode61 remove_diacritics 2');
        CREATE TABLE meta (id INTEGER PRIMARY KEY, kind TEXT, status TEXT, category TEXT,
            parent TEXT, until TEXT, created TEXT, lat REAL, lon REAL);
        """
    )
    with app.app_context(), db.engine.connect() as conn:
        rows = conn.execute(documents.listing_rows_select().order_by(documents.listings.c.id))
        for chunk in iter(lambda: rows.fetchmany(5000), []):
            con.executemany(
                "INSERT INTO fts(rowid, title, description, context) VALUES (?, ?, ?, ?)",
                [
                    (
                        r.id,
                        r.title,
                        r.description,
                        " ".join(
                            x
                            for x in (
                                r.category_name_de,
                                r.category_name_en,
                                r.parent_name_de,
                                r.parent_name_en,
                                r.organisation_name,
                                r.district,
                            )
                            if x
                        ),
                    )
                    for r in chunk
                ],
            )
            con.executemany(
                "INSERT INTO meta VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        r.id,
                        r.kind,
                        r.status,
                        r.category_slug,
                        r.parent_slug,
                        r.available_until and r.available_until.isoformat(),
                        r.created_at.isoformat(),
                        r.lat,
                        r.lon,
                    )
                    for r in chunk
                ],
            )
    con.execute("CREATE INDEX meta_created ON meta(created)")
    con.commit()
    return con, time.perf_counter() - started


def fts_match(text: str) -> str:
    """The same user query as an FTS5 expression: quoted tokens (AND), quoted phrases."""
    parts = []
    for phrase, word in re.findall(r'"([^"]*)"|(\S+)', text):
        tokens = re.findall(r"[^\W_]+", phrase or word)
        if tokens:
            parts.append('"' + " ".join(tokens) + '"')
    return " ".join(parts)


def fts_search(con: sqlite3.Connection, text, filters, sort, highlight, today: str):
    where = ["fts MATCH ?", "m.status = 'open'", "(m.until IS NULL OR m.until >= ?)"]
    params: list = [fts_match(text), today]
    if "kind" in filters:
        where.append("m.kind = ?")
        params.append(filters["kind"])
    if "category" in filters:
        where.append("(m.category = ? OR m.parent = ?)")
        params += [filters["category"]] * 2
    near = filters.get("near")
    if near:
        r = filters.get("radius_km", 25)
        dlat, dlon = r / 111.195, r / (111.195 * 0.6245)
        where.append("m.lat BETWEEN ? AND ? AND m.lon BETWEEN ? AND ?")
        params += [near[0] - dlat, near[0] + dlat, near[1] - dlon, near[1] + dlon]
    base = f"FROM fts JOIN meta m ON m.id = fts.rowid WHERE {' AND '.join(where)}"
    if sort == "newest":
        order = "m.created DESC"
    elif sort == "nearest":
        order = f"(m.lat - {near[0]}) * (m.lat - {near[0]}) + (m.lon - {near[1]}) * (m.lon - {near[1]}) * 0.39"
    else:
        order = "bm25(fts, 3.0, 1.0, 0.6)"
    columns = (
        "fts.rowid, snippet(fts, 1, '<mark>', '</mark>', ' … ', 24)" if highlight else "fts.rowid"
    )
    ids = con.execute(f"SELECT {columns} {base} ORDER BY {order} LIMIT 20", params).fetchall()  # noqa: S608
    total = con.execute(f"SELECT count(*) {base}", params).fetchone()[0]  # noqa: S608
    return [row[0] for row in ids], total


# ---- measurement -------------------------------------------------------------------------


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def whoosh_call(backend, entry):
    from marketplace.search import SearchFilters

    _, text, filters, sort, highlight = entry
    return backend.search(
        text, SearchFilters(**filters), sort=sort, per_page=20, highlight=highlight
    )


def run_mix(fn, rounds: int) -> tuple[list[float], dict]:
    times, per_group = [], {}
    for _ in range(rounds):
        for entry in MIX:
            started = time.perf_counter()
            fn(entry)
            ms = (time.perf_counter() - started) * 1000
            times.append(ms)
            per_group.setdefault(entry[0], []).append(ms)
    return times, per_group


def rss_mb() -> tuple[float, float]:
    status = Path("/proc/self/status").read_text()
    rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024
    peak = int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024
    return rss, peak


def probe(workdir: Path) -> None:
    """In a fresh process, like a web worker: open the app, search the mix (the first pass
    with cold caches), report memory."""
    app = make_app(workdir)
    with app.test_request_context():
        backend = app.extensions["search"]
        started = time.perf_counter()
        whoosh_call(backend, MIX[0])
        first_ms = (time.perf_counter() - started) * 1000
        cold, _ = run_mix(lambda e: whoosh_call(backend, e), 1)
        for _ in range(2):
            for entry in MIX:
                whoosh_call(backend, entry)
        backend.search("Paletten", facets=True)
    rss, peak = rss_mb()
    print(
        json.dumps(
            {
                "rss_mb": round(rss, 1),
                "peak_mb": round(peak, 1),
                "first_query_ms": round(first_ms, 1),
                "cold_p50_ms": round(pct(cold, 50), 1),
                "cold_max_ms": round(max(cold), 1),
            }
        )
    )


def incremental(app, backend, count: int = 20) -> tuple[list[float], list[float]]:
    import sqlalchemy as sa

    from marketplace.core.clock import utcnow
    from marketplace.extensions import db
    from marketplace.listings.models import Listing

    t = Listing.__table__
    index_ms, visible_ms = [], []
    with app.app_context():
        with db.engine.connect() as conn:
            ids = list(
                conn.execute(
                    sa.select(t.c.id).where(t.c.status == "open").order_by(t.c.id).limit(count)
                ).scalars()
            )
        for k, listing_id in enumerate(ids):
            word = f"Zusatzwort{k}x{int(time.time())}"
            with db.engine.begin() as conn:
                conn.execute(
                    t.update()
                    .where(t.c.id == listing_id)
                    .values(title=t.c.title + " " + word, updated_at=utcnow())
                )
            started = time.perf_counter()
            backend.index_listings([listing_id])
            indexed = time.perf_counter()
            found = backend.search(word, highlight=False).ids
            done = time.perf_counter()
            assert found == [listing_id], (word, found)
            index_ms.append((indexed - started) * 1000)
            visible_ms.append((done - started) * 1000)
    return index_ms, visible_ms


def dir_size_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="listings in the corpus")
    parser.add_argument("--rounds", type=int, default=0, help="passes over the query mix")
    parser.add_argument("--procs", type=int, default=2, help="index build processes")
    parser.add_argument("--workdir", default=os.environ.get("BENCH_DIR", "/tmp/stoffwechsel-bench"))
    parser.add_argument("--probe", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    workdir = Path(args.workdir) / f"n{args.n}"
    if args.probe:
        probe(workdir)
        return
    workdir.mkdir(parents=True, exist_ok=True)
    rounds = args.rounds or (12 if args.n > 50_000 else 25)

    app = make_app(workdir)
    started = time.perf_counter()
    ensure_corpus(app, args.n)
    print(f"corpus: {args.n} listings ready in {time.perf_counter() - started:.1f} s")
    backend = app.extensions["search"]
    shutil.rmtree(backend.store.root, ignore_errors=True)

    with app.test_request_context():
        report = backend.rebuild(procs=args.procs)
        build_s = report.seconds
        size = dir_size_mb(backend.store.path())
        print(
            f"whoosh build: {report.documents} docs in {build_s:.1f} s with {report.procs} "
            f"processes, index {size:.0f} MB"
        )
        con, fts_build = build_fts(workdir, app)
        print(f"fts5 build: {fts_build:.1f} s, {(workdir / 'fts5.db').stat().st_size / 1e6:.0f} MB")

        from marketplace.core.clock import today

        day = today().isoformat()
        print("query                         whoosh total   fts5 total")
        for entry in MIX:
            r = whoosh_call(backend, entry)
            _, fts_total = fts_search(con, entry[1], entry[2], entry[3], entry[4], day)
            print(f"  {entry[0]:10} {entry[1][:18]:18} {r.total:12} {fts_total:12}")

        w_times, w_groups = run_mix(lambda e: whoosh_call(backend, e), rounds)
        f_times, f_groups = run_mix(lambda e: fts_search(con, e[1], e[2], e[3], e[4], day), rounds)
        for group in w_groups:
            print(
                f"  {group:10} whoosh p50 {pct(w_groups[group], 50):6.1f} p95 "
                f"{pct(w_groups[group], 95):6.1f} ms | fts5 p50 {pct(f_groups[group], 50):6.1f} "
                f"p95 {pct(f_groups[group], 95):6.1f} ms"
            )
        facet_times = []
        for _ in range(rounds):
            started = time.perf_counter()
            backend.search("Paletten", facets=True, highlight=False)
            facet_times.append((time.perf_counter() - started) * 1000)
        print(
            f"  with facets (Paletten): p50 {pct(facet_times, 50):.1f} p95 {pct(facet_times, 95):.1f} ms"
        )
        cold, warm = [], []
        for prefix in SUGGEST_PREFIXES:
            for times in (cold, warm):  # a new prefix, then the same again (cached)
                started = time.perf_counter()
                backend.complete(prefix)
                times.append((time.perf_counter() - started) * 1000)
        print(
            f"  autocomplete: new prefix p50 {pct(cold, 50):.1f} p95 {pct(cold, 95):.1f} ms, "
            f"seen prefix p50 {pct(warm, 50):.2f} ms"
        )
        drift_started = time.perf_counter()
        backend.check_drift(force=True)
        print(f"drift check: {(time.perf_counter() - drift_started) * 1000:.1f} ms")

    index_ms, visible_ms = incremental(app, backend)
    print(
        f"incremental update: index p50 {pct(index_ms, 50):.1f} p95 {pct(index_ms, 95):.1f} ms, "
        f"searchable p50 {pct(visible_ms, 50):.1f} p95 {pct(visible_ms, 95):.1f} ms"
    )
    backend.close()
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.search",
            "--probe",
            "--n",
            str(args.n),
            "--workdir",
            args.workdir,
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    memory = json.loads(out.stdout.strip().splitlines()[-1])
    print(
        f"fresh process: first query {memory['first_query_ms']} ms (opens the index, loads "
        f"columns); first pass of the mix p50 {memory['cold_p50_ms']} ms, max "
        f"{memory['cold_max_ms']} ms (caches cold); memory rss {memory['rss_mb']} MB, "
        f"peak {memory['peak_mb']} MB"
    )

    p50, p95 = statistics.median(w_times), pct(w_times, 95)
    fts_p95 = pct(f_times, 95)
    print(
        f"search n={args.n} p50_ms={p50:.1f} p95_ms={p95:.1f} fts5_p95_ms={fts_p95:.1f} "
        f"ratio={p95 / fts_p95:.2f} build_s={build_s:.1f}"
    )


if __name__ == "__main__":
    main()
