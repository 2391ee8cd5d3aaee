"""Search benchmark: `python -m bench.search [--backend whoosh|postgres] [--n N] [--queries Q]`.

With --backend postgres the corpus lives in PostgreSQL (--database, default the local
bench_pg_search database) and PostgresBackend answers; FTS5 is built from the same rows. The
tables and lines are the same, named after the backend measured.

Builds a deterministic synthetic German/English corpus in SQLite (bench/corpus.py), rebuilds
the whoosh index through the application's own code (parallel, built aside) and, in the same
process, a SQLite FTS5 baseline (bench/search_fts5.py says what it does). Then:

1. Unseen queries: Q (default 600) distinct queries generated from the corpus vocabulary
   (bench/search_queries.py: corpus words, compound heads, English words, two-word mixes,
   misspellings, words that match nothing), each asked once per engine, the engines
   alternating which goes first, so that noise hits both; then the same set again
   ("repeated", per-term caches warm). p50/p95 over all queries and over the "both-hit" ones
   (both engines find at least one listing), wall time and, for the ratio, CPU time too.
   Asked as the search page asks: 20 a page, highlights, facets. whoosh:
   WhooshBackend.search() (analysis, compound parts, English-German expansion, did-you-mean,
   the relaxed retry, facets, highlights from texts read from the database). FTS5: top 20 by
   bm25 with highlight() and snippet(), facet counts with one GROUP BY, the relaxed retry.
   Then once more without facets on either side (whoosh facets=False, FTS5 a count(*)), and
   once without facets or highlights (the ids of the page and the total, as the fixed mix).
   Each comparison runs in a fresh process of its own, which first answers one query not in
   the set per engine (whoosh: no words, which loads the segments' columns; FTS5: one word),
   so that the first query does not carry the one-time cost of opening the index.
2. The fixed mix of 16 queries (single word, two words, phrase, filter, sorted, highlights),
   repeated over rounds, through both engines (no facets on either side).
3. Facets, autocomplete, the drift check, incremental update latency, and the memory of a
   fresh process that searches (--probe: the mix, then the unseen set).

Targets (issue 14): p95 of the first-seen both-hit queries, whoosh / FTS5, as the page asks,
<= 2.0 (goal 1.5; the other two comparisons are printed against the same figures); RSS of the
fresh search process <= 300 MB. Last line:

    search n=100000 p50_ms=... p95_ms=... fts5_p95_ms=... ratio=... build_s=...
    fs_p50_ms=... fs_p95_ms=... fs_fts5_p95_ms=... fs_both_ratio=... rep_both_ratio=...
    plain_both_ratio=... lean_both_ratio=... rss_mb=...
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import corpus, search_queries  # noqa: E402
from bench.search_fts5 import build_fts, fts_search  # noqa: E402
from bench.targets import target  # noqa: E402

RATIO_LIMIT, RATIO_GOAL, RSS_LIMIT_MB = 2.0, 1.5, 300
PG_BENCH_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_pg_search"
#: The backend measured ("whoosh" or "postgres") and its database (None: SQLite in workdir).
ENGINE = {"name": "whoosh", "database": None}
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
            "SQLALCHEMY_DATABASE_URI": ENGINE["database"] or f"sqlite:///{workdir / 'bench.db'}",
            "SEARCH_BACKEND": ENGINE["name"],
            "RATELIMIT_ENABLED": False,
        }
    )


def ensure_corpus(app, n: int) -> None:
    """Create and fill the database once per size (kept between runs)."""
    import sqlalchemy as sa

    from marketplace.extensions import db
    from marketplace.listings.models import Listing

    with app.app_context():
        db.create_all()
        with db.engine.begin() as conn:
            if ENGINE["name"] == "postgres":
                create_search_tables(conn)
            count = conn.execute(sa.select(sa.func.count()).select_from(Listing.__table__))
            if count.scalar() != n:
                fill_corpus(conn, n)
            if ENGINE["name"] == "postgres":
                # Planner statistics for the rows just written (autovacuum may be off, as on
                # the bench machine: without them it guessed 0.2 % of listings open, not 70 %).
                conn.execute(sa.text("ANALYZE listings, categories, organisations"))


def fill_corpus(conn, n: int) -> None:
    import random

    import sqlalchemy as sa

    from marketplace.categories.models import Category
    from marketplace.categories.taxonomy import sync_taxonomy
    from marketplace.listings.models import Listing
    from marketplace.orgs.models import Organisation

    sync_taxonomy(conn)
    conn.execute(Listing.__table__.delete())
    conn.execute(Organisation.__table__.delete())
    category_ids = dict(conn.execute(sa.select(Category.slug, Category.id)).all())
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


def create_search_tables(conn) -> None:
    """The PostgreSQL backend's tables, as migrations 0017 and 0018 create them."""
    import sqlalchemy as sa

    from marketplace.search.postgres import tables

    conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    tables.create_all(conn)


def index_state(app, backend) -> tuple[int, float]:
    """(documents indexed, index size in MB) of the backend measured."""
    import sqlalchemy as sa

    if ENGINE["name"] == "whoosh":
        return backend.store.searcher().doc_count(), dir_size_mb(backend.store.path())
    names = ("search_listing_documents", "search_spellings", "search_organisation_documents")
    with backend.engine.connect() as conn:
        count = conn.execute(sa.text("SELECT count(*) FROM search_listing_documents")).scalar()
        size = sum(
            conn.execute(sa.text(f"SELECT pg_total_relation_size('{name}')")).scalar()
            for name in names
        )
    return int(count), size / 1e6


# ---- measurement -------------------------------------------------------------------------


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def whoosh_call(backend, entry):
    from marketplace.search import SearchFilters

    _, text, filters, sort, highlight = entry
    return backend.search(
        text, SearchFilters(**filters), sort=sort, per_page=20, highlight=highlight
    )


def page_call(backend, text: str, facets: bool = True, highlight: bool = True):
    """A search as the browse page asks it: 20 a page, highlights, facets."""
    return backend.search(
        text, None, per_page=20, highlight=highlight, facets=facets, language="de"
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


@dataclass
class Timed:
    kind: str
    text: str
    ms: float
    cpu_ms: float
    total: int


def timed(kind: str, text: str, fn) -> Timed:
    started, started_cpu = time.perf_counter(), time.process_time()
    total = fn(text)
    return Timed(
        kind,
        text,
        (time.perf_counter() - started) * 1000,
        (time.process_time() - started_cpu) * 1000,
        total,
    )


def run_set(queries, engines: dict) -> dict[str, list[Timed]]:
    """Each query once per engine; which engine goes first alternates from query to query."""
    names = list(engines)
    out: dict[str, list[Timed]] = {name: [] for name in names}
    for k, (kind, text) in enumerate(queries):
        for name in names if k % 2 == 0 else names[::-1]:
            out[name].append(timed(kind, text, engines[name]))
    return out


def _row(label: str, w: list[Timed], f: list[Timed]) -> str:
    wt, ft = [t.ms for t in w], [t.ms for t in f]
    wc, fc = [t.cpu_ms for t in w], [t.cpu_ms for t in f]
    ratio = pct(wt, 95) / pct(ft, 95) if ft else float("nan")
    cpu_ratio = pct(wc, 95) / pct(fc, 95) if fc else float("nan")
    return (
        f"  {label:22} {len(w):4}  {ENGINE['name']} p50 {pct(wt, 50):6.1f} p95 {pct(wt, 95):6.1f} | "
        f"fts5 p50 {pct(ft, 50):6.1f} p95 {pct(ft, 95):6.1f} ms | p95 ratio {ratio:4.2f} "
        f"(cpu {cpu_ratio:4.2f})"
    )


def report_set(first: dict, again: dict) -> dict:
    """Print the unseen-query tables; return the headline figures."""
    w, f = first[ENGINE["name"]], first["fts5"]
    both = [k for k in range(len(w)) if w[k].total and f[k].total]
    figures = {}
    print(f"unseen queries: {len(w)} distinct, both engines find something for {len(both)}")
    for label, run in (("first-seen", first), ("repeated", again)):
        rw, rf = run[ENGINE["name"]], run["fts5"]
        print(_row(f"{label}, all", rw, rf))
        bw, bf = [rw[k] for k in both], [rf[k] for k in both]
        print(_row(f"{label}, both-hit", bw, bf))
        figures[label] = (
            pct([t.ms for t in rw], 50),
            pct([t.ms for t in rw], 95),
            pct([t.ms for t in rf], 95),
            pct([t.ms for t in bw], 95) / pct([t.ms for t in bf], 95),
        )
    print("  first-seen by kind:")
    for kind in search_queries.SHARES:
        idx = [k for k in range(len(w)) if w[k].kind == kind]
        hits = sum(1 for k in idx if w[k].total)
        print(
            _row(f"  {kind} ({hits} found)", [w[k] for k in idx], [f[k] for k in idx]).replace(
                "  ", " ", 1
            )
        )
    slow = sorted(range(len(w)), key=lambda k: w[k].ms, reverse=True)[:8]
    print(
        f"  slowest first-seen {ENGINE['name']}: "
        + ", ".join(f"{w[k].text!r} {w[k].ms:.0f} ms ({f[k].ms:.0f})" for k in slow)
    )
    return figures


def rss_mb() -> tuple[float, float]:
    status = Path("/proc/self/status").read_text()
    rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024
    peak = int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024
    return rss, peak


def probe(workdir: Path, queries: int) -> None:
    """In a fresh process, like a web worker: open the app, search the mix (the first pass
    with cold caches), then every unseen query as the page asks it, and report memory."""
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
        mix_rss, _ = rss_mb()
        for _, text in search_queries.generate(queries):
            page_call(backend, text)
    rss, peak = rss_mb()
    print(
        json.dumps(
            {
                "rss_mb": round(rss, 1),
                "mix_rss_mb": round(mix_rss, 1),
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


#: What each comparison of the unseen set asks of both engines: (facets, highlights).
UNSEEN_MODES = {"page": (True, True), "plain": (False, True), "lean": (False, False)}


def unseen_queries(workdir: Path, count: int, mode: str) -> None:
    """In a fresh process (fresh caches on both sides): the unseen set, first-seen then
    repeated, with what UNSEEN_MODES[mode] asks on both sides; prints JSON."""
    import sqlite3

    from marketplace.core.clock import today

    app = make_app(workdir)
    con = sqlite3.connect(workdir / "fts5.db")
    day = today().isoformat()
    facets, marks = UNSEEN_MODES[mode]
    with app.test_request_context():
        backend = app.extensions["search"]
        engines = {
            ENGINE["name"]: lambda text: page_call(backend, text, facets, marks).total,
            "fts5": lambda text: fts_search(con, text, {}, None, marks, day, facets=facets)[1],
        }
        # Not in the set: opens the index, loads the segments' columns and the filter mask.
        page_call(backend, "", facets, marks)
        fts_search(con, "Holz", {}, None, marks, day, facets=facets)
        queries = search_queries.generate(count)
        runs = [run_set(queries, engines), run_set(queries, engines)]
    print(json.dumps([{name: [vars(t) for t in run[name]] for name in run} for run in runs]))


def run_unseen(args, mode: str) -> tuple[dict, dict]:
    command = [sys.executable, "-m", "bench.search", "--n", str(args.n)]
    command += ["--backend", args.backend, "--database", args.database or ""]
    command += ["--queries", str(args.queries), "--workdir", args.workdir]
    command += ["--unseen", mode]
    out = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=True)
    runs = json.loads(out.stdout.strip().splitlines()[-1])
    first, again = ({name: [Timed(**t) for t in run[name]] for name in run} for run in runs)
    return first, again


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="listings in the corpus")
    parser.add_argument("--rounds", type=int, default=0, help="passes over the query mix")
    parser.add_argument("--queries", type=int, default=600, help="distinct unseen queries")
    parser.add_argument("--procs", type=int, default=2, help="index build processes")
    parser.add_argument("--workdir", default=os.environ.get("BENCH_DIR", "/tmp/stoffwechsel-bench"))
    parser.add_argument(
        "--reuse", action="store_true", help="keep the whoosh index of an earlier run"
    )
    parser.add_argument("--backend", choices=("whoosh", "postgres"), default="whoosh")
    parser.add_argument(
        "--database", default=None, help="PostgreSQL address for --backend postgres"
    )
    parser.add_argument("--probe", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--unseen", choices=tuple(UNSEEN_MODES), help=argparse.SUPPRESS)
    args = parser.parse_args()
    ENGINE["name"] = args.backend
    if args.backend == "postgres":
        ENGINE["database"] = args.database = args.database or PG_BENCH_DATABASE
    workdir = Path(args.workdir) / (f"n{args.n}" + ("-pg" if args.backend == "postgres" else ""))
    ENGINE["database"] = ENGINE["database"] or args.database or None
    if args.probe:
        probe(workdir, args.queries)
        return
    if args.unseen:
        unseen_queries(workdir, args.queries, args.unseen)
        return
    workdir.mkdir(parents=True, exist_ok=True)
    rounds = args.rounds or (12 if args.n > 50_000 else 25)

    app = make_app(workdir)
    started = time.perf_counter()
    ensure_corpus(app, args.n)
    print(f"corpus: {args.n} listings ready in {time.perf_counter() - started:.1f} s")
    backend = app.extensions["search"]
    name = ENGINE["name"]
    if not args.reuse and name == "whoosh":
        shutil.rmtree(backend.store.root, ignore_errors=True)

    with app.test_request_context():
        build_s = float("nan")
        if args.reuse and index_state(app, backend)[0] == args.n:
            print(f"{name} build: the index of an earlier run is reused")
        else:
            report = backend.rebuild(procs=args.procs)
            build_s = report.seconds
            _, size = index_state(app, backend)
            print(
                f"{name} build: {report.documents} docs in {build_s:.1f} s with {report.procs} "
                f"processes, index {size:.0f} MB"
            )
        con, fts_build = build_fts(workdir, app)
        print(f"fts5 build: {fts_build:.1f} s, {(workdir / 'fts5.db').stat().st_size / 1e6:.0f} MB")

        from marketplace.core.clock import today

        day = today().isoformat()
        print("as the search page asks (20 a page, highlights, facets on both sides):")
        page = report_set(*run_unseen(args, "page"))
        print("without facets on either side (20 a page, highlights):")
        plain = report_set(*run_unseen(args, "plain"))
        print("without facets or highlights on either side (20 ids a page and the total):")
        lean = report_set(*run_unseen(args, "lean"))

        print(f"query                         {name:>6} total   fts5 total")
        for entry in MIX:
            r = whoosh_call(backend, entry)
            _, fts_total, _ = fts_search(con, entry[1], entry[2], entry[3], entry[4], day)
            print(f"  {entry[0]:10} {entry[1][:18]:18} {r.total:12} {fts_total:12}")

        w_times, w_groups = run_mix(lambda e: whoosh_call(backend, e), rounds)
        f_times, f_groups = run_mix(lambda e: fts_search(con, e[1], e[2], e[3], e[4], day), rounds)
        print(f"fixed mix, {rounds} rounds (caches warm after the first):")
        for group in w_groups:
            print(
                f"  {group:10} {name} p50 {pct(w_groups[group], 50):6.1f} p95 "
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
            "--queries",
            str(args.queries),
            "--workdir",
            args.workdir,
            "--backend",
            args.backend,
            "--database",
            args.database or "",
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
        f"{memory['cold_max_ms']} ms (caches cold); memory rss {memory['mix_rss_mb']} MB after "
        f"the mix, {memory['rss_mb']} MB after the unseen queries, peak {memory['peak_mb']} MB"
    )

    fs_p50, fs_p95, fs_fts_p95, fs_ratio = page["first-seen"]
    rep_ratio = page["repeated"][3]
    plain_ratio, lean_ratio = plain["first-seen"][3], lean["first-seen"][3]
    target("search", f"p95 first-seen both-hit {name}/fts5", fs_ratio, RATIO_LIMIT)
    for label, ratio in (
        ("as the page asks", fs_ratio),
        ("without facets", plain_ratio),
        ("without facets or highlights", lean_ratio),
    ):
        verdict = "holds" if ratio <= RATIO_GOAL else "missed"
        limit = "holds" if ratio <= RATIO_LIMIT else "missed"
        print(
            f"first-seen both-hit p95 ratio {label}: {ratio:.2f}; limit {RATIO_LIMIT} {limit}, "
            f"goal {RATIO_GOAL} {verdict}"
        )
    target("search", "fresh search process rss", memory["rss_mb"], RSS_LIMIT_MB, unit=" MB")

    p50, p95 = statistics.median(w_times), pct(w_times, 95)
    fts_p95 = pct(f_times, 95)
    print(
        f"search backend={name} n={args.n} p50_ms={p50:.1f} p95_ms={p95:.1f} fts5_p95_ms={fts_p95:.1f} "
        f"ratio={p95 / fts_p95:.2f} build_s={build_s:.1f} fs_p50_ms={fs_p50:.1f} "
        f"fs_p95_ms={fs_p95:.1f} fs_fts5_p95_ms={fs_fts_p95:.1f} fs_both_ratio={fs_ratio:.2f} "
        f"rep_both_ratio={rep_ratio:.2f} plain_both_ratio={plain_ratio:.2f} "
        f"lean_both_ratio={lean_ratio:.2f} rss_mb={memory['rss_mb']}"
    )


if __name__ == "__main__":
    main()
