"""Map benchmark: `python -m bench.map [--organisations N --listings M --viewports V]`.

Builds a temporary SQLite database through the app factory and bulk-inserts N organisations of
Leipzig and the rest of Saxony (1-3 places each: the main place and 0-2 further sites; 0-4 of the
functions A-H; 63 districts) and M offers and requests at those places (bench/map_data.py), then
times, in one process:
- map.geojson with all layers for V distinct city viewports (zoom 12-15, desktop and phone
  screens), each asked once, and for filter variants (function, kind, category, district) on
  further distinct viewports; a few viewports asked a second time, apart; response bytes.
  Through GET /api/v1/map.geojson when the app has it, else map_feature_collection() in a
  request context, JSON-encoded as jsonify() would;
- a bare route and a static file in the same run, for the ratio;
- where a map.geojson answer spends its time (each layer, the JSON, every SQL statement);
- text queries (q) on the map, which go through the search index (skipped with --no-text);
- the function x district matrix, gaps.function_matrix(), and the page /map/gaps.
Targets (issue 10): a viewport's GeoJSON p95 <= 50 ms and <= 500 KB; the matrix <= 50 ms.
Last line (geojson_p95_ms over every first-seen viewport, cpu_p95_ms the same in this process's
CPU time, bytes the largest answer, clustered the first-seen answers holding server clusters, of
all first-seen answers):

    map organisations=10000 listings=100000 geojson_p95_ms=... cpu_p95_ms=... matrix_ms=...
    bytes=... clustered=.../...
"""

import argparse
import cProfile
import gzip
import json
import math
import os
import pstats
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import map_data  # noqa: E402

ENDPOINT = "/api/v1/map.geojson"
ALL_LAYERS = "organisations,offers,requests"
#: A host of production length: every feature carries an absolute URL.
BASE_URL = "https://marktplatz.stoffwechsel-leipzig.de"
BATCH = 5000
#: (label, query arguments besides bbox and layers)
VARIANTS = [
    ("function=G", {"function": "G"}),
    ("kind=association", {"kind": "association"}),
    ("category=wood (+pallets)", {"category": "wood"}),
    ("category=rooms (space)", {"category": "rooms"}),
    ("function=A,C kind=business", {"function": "A,C", "kind": "business"}),
    ("district=Plagwitz", {"district": "Plagwitz"}),
    ("layers=organisations", {"layers": "organisations"}),
]
TEXT_QUERIES = ["Paletten", "Tischlerei", "Holz", "Repair-Café", "Lastenrad", "Stühle gesucht"]
#: Screens (width, height in CSS pixels) and zoom levels a city map is looked at with.
SCREENS = [(1920, 1080), (1440, 900), (1280, 720), (390, 844)]
ZOOMS = {12: 25, 13: 35, 14: 25, 15: 15}


def make_app(workdir: Path):
    from marketplace import create_app

    return create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(workdir / "instance"),
            "SECRET_KEY": "bench-" + "k" * 40,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'map.db'}",
            "SEARCH_INDEX_DIR": str(workdir / "index"),
            "RATELIMIT_ENABLED": False,
            "BABEL_DEFAULT_LOCALE": "en",
            # The warm-up request sweeps the past-due listings; none of the timed ones does.
            "EXPIRY_SWEEP_INTERVAL_S": 86400,
        }
    )


def fill(app, n_orgs: int, n_listings: int, seed: int) -> None:
    """Organisations, sites, functions and listings, bulk-inserted with Core inserts."""
    import sqlalchemy as sa

    from marketplace.categories.models import Category
    from marketplace.categories.taxonomy import sync_taxonomy
    from marketplace.directory.map_version import bump_map_version
    from marketplace.directory.models import OrganisationFunction, OrganisationSite
    from marketplace.extensions import db
    from marketplace.listings.models import Listing
    from marketplace.orgs.models import Organisation

    rng = random.Random(seed)
    with app.app_context():
        db.create_all()
        # On a connection of its own, not the session: the session's commit would make the
        # search index notice the rows and rebuild itself in a thread during the timings.
        with db.engine.begin() as conn:
            sync_taxonomy(conn)
            categories = {
                row.slug: row._asdict()
                for row in conn.execute(
                    sa.select(
                        Category.id, Category.slug, Category.default_unit, Category.resource_type
                    )
                )
            }
            region = map_data.Region(rng)
            orgs, sites, functions = map_data.organisations(n_orgs, region)
            rows = list(map_data.listings(n_listings, orgs, sites, categories, rng))
            for model, batch_rows in (
                (Organisation, orgs),
                (OrganisationSite, sites),
                (OrganisationFunction, functions),
                (Listing, rows),
            ):
                for start in range(0, len(batch_rows), BATCH):
                    conn.execute(sa.insert(model.__table__), batch_rows[start : start + BATCH])
            # Behind the session's back as well: a new map version, as the app's writes make.
            bump_map_version(conn)
            conn.execute(sa.text("ANALYZE"))  # as a long-running database would have
        db.session.remove()
    in_city = sum(map_data._inside(map_data.CITY, o["lat"], o["lon"]) for o in orgs)
    print(
        f"data: {n_orgs} organisations ({in_city} in the city), {len(sites)} further sites, "
        f"{len(functions)} functions, {n_listings} listings, "
        f"{len(region.city)} city and {len(region.outside)} Saxony postcodes"
    )


def viewports(rng: random.Random, n: int) -> list[str]:
    """n bboxes of a screen at a random zoom, centred at random inside the city."""
    west, south, east, north = map_data.CITY
    zooms, weights = list(ZOOMS), list(ZOOMS.values())
    out = []
    for _ in range(n):
        width, height = rng.choice(SCREENS)
        degrees_per_px = 360 / (256 * 2 ** rng.choices(zooms, weights)[0])
        lon, lat = rng.uniform(west, east), rng.uniform(south, north)
        half_w = width * degrees_per_px / 2
        half_h = height * degrees_per_px * math.cos(math.radians(lat)) / 2
        out.append(f"{lon - half_w:.5f},{lat - half_h:.5f},{lon + half_w:.5f},{lat + half_h:.5f}")
    return out


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[int(share * (len(ordered) - 1))]


class Runs:
    """Wall and CPU milliseconds, bytes and features of the answers of one group, and which
    answers held server clusters."""

    def __init__(self, label: str):
        self.label, self.ms, self.cpu, self.sizes, self.features, self.left_out = (
            label, [], [], [], [], []
        )  # fmt: skip
        self.clustered: list[bool] = []

    def row(self) -> str:
        sizes = self.sizes or [0]
        return (
            f"{self.label:30} {len(self.ms):4} {statistics.median(self.ms):7.1f} "
            f"{percentile(self.ms, 0.95):7.1f} {max(self.ms):7.1f} {statistics.median(self.cpu):7.1f}"
            f" {statistics.median(sizes) / 1000:8.1f} {max(sizes) / 1000:8.1f}"
            + (
                f" {statistics.median(self.features):6.0f} {statistics.median(self.left_out):7.0f}"
                f" {sum(self.clustered):6}"
                if self.features
                else ""
            )
        )


HEADER = (
    f"{'':30} {'n':>4} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'CPU p50':>7} "
    f"{'KB p50':>8} {'KB max':>8} {'feat.':>6} {'left':>7} {'clust.':>6}"
)


class Geojson:
    """map.geojson through the endpoint if the app has it, else through the function."""

    def __init__(self, app):
        self.app = app
        self.client = app.test_client()
        self.via_endpoint = any(r.rule == ENDPOINT for r in app.url_map.iter_rules())

    def get(self, args: dict) -> bytes:
        if self.via_endpoint:
            response = self.client.get(ENDPOINT, query_string=args, base_url=BASE_URL)
            assert response.status_code == 200, (args, response.status_code, response.data[:300])
            return response.data
        from flask import request

        from marketplace.directory.filters import parse_directory_filters
        from marketplace.directory.geojson import map_feature_collection

        with self.app.test_request_context(ENDPOINT, query_string=args, base_url=BASE_URL):
            filters, errors = parse_directory_filters(request.args)
            assert not errors, errors
            return self.app.json.response(map_feature_collection(filters)).get_data()

    def measure(self, runs: Runs, args: dict) -> bytes:
        started, started_cpu = time.perf_counter(), time.process_time()
        body = self.get(args)
        runs.ms.append((time.perf_counter() - started) * 1000)
        runs.cpu.append((time.process_time() - started_cpu) * 1000)
        runs.sizes.append(len(body))
        collection = json.loads(body)
        runs.features.append(len(collection["features"]))
        runs.left_out.append(sum(collection["left_out"].values()))
        runs.clustered.append(any(f["properties"].get("cluster") for f in collection["features"]))
        return body


def time_route(client, path: str, label: str, runs: int) -> Runs:
    result = Runs(label)
    client.get(path)
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(path)
        result.ms.append((time.perf_counter() - started) * 1000)
        result.cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == 200, (path, response.status_code)
        result.sizes.append(len(response.data))
    return result


class StatementTimer:
    """Milliseconds per kind of SQL statement while active (the cursor's execute: for SQLite
    that is the whole work of a count or a sorted page; plain row fetching comes after)."""

    LABELS = [
        (r"GROUP BY by_position", "clusters: positions by cell (per layer)"),
        (r"count\(\*\).*organisation_sites", "organisations: count places in bbox"),
        (r"organisation_sites.*ORDER BY organisations\.name", "organisations: places, sorted"),
        (r"FROM organisation_functions", "organisations: functions of the page"),
        (r"count\(listings\.id\).*GROUP BY", "organisations: open listing counts"),
        (r"count\((\*|listings\.id)\).*FROM listings", "listings: count in bbox (per layer)"),
        (r"listings\.title.*ORDER BY listings\.created_at", "listings: page, newest first"),
        (r"FROM categories", "categories"),
    ]

    def __init__(self, engine):
        self.engine = engine
        self.totals: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        conn.info.setdefault("bench_started", []).append(time.perf_counter())

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        elapsed = (time.perf_counter() - conn.info["bench_started"].pop()) * 1000
        flat = " ".join(statement.split())
        label = next((name for rx, name in self.LABELS if re.search(rx, flat)), flat[:60])
        self.totals[label][0] += 1
        self.totals[label][1] += elapsed

    def __enter__(self):
        from sqlalchemy import event

        event.listen(self.engine, "before_cursor_execute", self._before)
        event.listen(self.engine, "after_cursor_execute", self._after)
        return self

    def __exit__(self, *exc):
        from sqlalchemy import event

        event.remove(self.engine, "before_cursor_execute", self._before)
        event.remove(self.engine, "after_cursor_execute", self._after)


def breakdown(app, boxes: list[str]) -> None:
    """Mean milliseconds per step of an all-layer answer, and per SQL statement."""
    from flask import request

    from marketplace.directory.filters import parse_directory_filters
    from marketplace.directory.geojson import (
        LISTING_LAYERS,
        listing_features,
        organisation_features,
    )
    from marketplace.directory.grid import grid_for
    from marketplace.extensions import db

    steps: dict[str, float] = defaultdict(float)
    with app.app_context():
        engine = db.engine
    with StatementTimer(engine) as timer:
        for bbox in boxes:
            args = {"layers": ALL_LAYERS, "bbox": bbox}
            with app.test_request_context(ENDPOINT, query_string=args, base_url=BASE_URL):
                mark = time.perf_counter()
                filters, _ = parse_directory_filters(request.args)
                cap = max(1, app.config["MAP_MAX_FEATURES"] // len(filters.layers))
                features, now = [], time.perf_counter()
                steps["parse filters"] += now - mark
                grid = grid_for(filters.bbox)  # as map_feature_collection clusters a bbox
                mark = now
                features += organisation_features(filters, cap, grid)[0]
                now = time.perf_counter()
                steps["organisations layer"] += now - mark
                for layer, kind in LISTING_LAYERS.items():
                    mark = now
                    features += listing_features(filters, kind, layer, cap, grid)[0]
                    now = time.perf_counter()
                    steps[f"{layer} layer"] += now - mark
                mark = now
                app.json.response({"type": "FeatureCollection", "features": features}).get_data()
                steps["JSON encoding"] += time.perf_counter() - mark
    n = len(boxes)
    print(f"\nwhere an all-layer answer spends its time (mean of {n} viewports, function calls):")
    for name, seconds in steps.items():
        print(f"  {name:40} {seconds * 1000 / n:7.1f} ms")
    print("  SQL statements (cursor execute):")
    for label, (count, ms) in sorted(timer.totals.items(), key=lambda kv: -kv[1][1]):
        print(f"    {label:60} {count / n:4.1f}x  {ms / n:7.1f} ms")


def text_queries(geojson: Geojson, boxes: list[str]) -> Runs:
    runs = Runs("text queries (q), all layers")
    for i, bbox in enumerate(boxes):
        q = TEXT_QUERIES[i % len(TEXT_QUERIES)]
        geojson.measure(runs, {"layers": ALL_LAYERS, "bbox": bbox, "q": q})
    return runs


def matrix(app, runs: int) -> tuple[Runs, Runs]:
    from marketplace.directory.gaps import function_matrix

    result = Runs("gaps.function_matrix()")
    with app.test_request_context("/map/gaps"):
        started = time.perf_counter()
        first = function_matrix()
        first_ms = (time.perf_counter() - started) * 1000
        for _ in range(runs):
            started, started_cpu = time.perf_counter(), time.process_time()
            again = function_matrix()
            result.ms.append((time.perf_counter() - started) * 1000)
            result.cpu.append((time.process_time() - started_cpu) * 1000)
        cached = again is first
    print(
        f"\nmatrix: {len(first.functions)} functions x {len(first.districts)} districts, "
        f"{first.gap_count} gaps; first call {first_ms:.1f} ms; "
        f"{'a cache answers (same object)' if cached else 'no cache (a new result each call)'}"
    )
    page = time_route(app.test_client(), "/map/gaps", "page /map/gaps", runs)
    return result, page


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=10_000)
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--viewports", type=int, default=200)
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument("--no-text", action="store_true", help="skip the text queries (q)")
    parser.add_argument("--profile", action="store_true", help="cProfile 50 more viewports")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-map-"))
    try:
        app = make_app(workdir)
        app.add_url_rule("/_bench/ping", "bench_ping", lambda: "ok")
        started = time.perf_counter()
        fill(app, args.organisations, args.listings, args.seed)
        print(f"inserted in {time.perf_counter() - started:.1f} s")
        with app.app_context():
            # The rows went in behind the search index's back; a running app keeps it in step.
            # Build it now, so that no background rebuild competes with the timings.
            started = time.perf_counter()
            report = app.extensions["search"].rebuild()
        print(f"search index: {report.documents} listings in {time.perf_counter() - started:.1f} s")
        run(app, args)
    finally:
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def run(app, args) -> None:
    rng = random.Random(args.seed + 1)
    geojson = Geojson(app)
    per_variant = max(5, args.viewports // 8)
    # and distinct spare ones: 30 for the text queries, 50 for the breakdown, 50 for --profile
    boxes = viewports(rng, args.viewports + per_variant * len(VARIANTS) + 1 + 130)
    warm, boxes = boxes[0], boxes[1:]
    print(f"map.geojson {'through ' + ENDPOINT if geojson.via_endpoint else 'by function'}")
    # Wall time stretches on a shared machine (SQLite runs in this process): say how shared.
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")

    client = app.test_client()
    started = time.perf_counter()
    client.get("/_bench/ping")  # the first request sweeps past-due listings
    geojson.get({"layers": ALL_LAYERS, "bbox": warm})
    print(
        f"warm-up (sweep, first query plans, first answer): {(time.perf_counter() - started) * 1000:.0f} ms"
    )

    main_runs = Runs("all layers, first seen")
    for bbox in boxes[: args.viewports]:
        geojson.measure(main_runs, {"layers": ALL_LAYERS, "bbox": bbox})
    variant_runs, offset = [], args.viewports
    for label, extra in VARIANTS:
        runs = Runs(label)
        for bbox in boxes[offset : offset + per_variant]:
            geojson.measure(runs, {"layers": ALL_LAYERS, "bbox": bbox, **extra})
        variant_runs.append(runs)
        offset += per_variant
    spare = boxes[offset:]
    repeat_n = min(20, args.viewports)
    repeated, first_of_them = Runs("all layers, asked again"), Runs("  the same, first time")
    first_of_them.ms, first_of_them.cpu = main_runs.ms[:repeat_n], main_runs.cpu[:repeat_n]
    first_of_them.sizes = main_runs.sizes[:repeat_n]
    for bbox in boxes[:repeat_n]:
        body = geojson.measure(repeated, {"layers": ALL_LAYERS, "bbox": bbox})
    ping = time_route(client, "/_bench/ping", "bare route /_bench/ping", args.viewports)
    static = time_route(client, "/static/favicon.svg", "static /static/favicon.svg", args.viewports)
    first_seen = Runs("every first-seen viewport")
    for runs in (main_runs, *variant_runs):
        first_seen.ms += runs.ms
        first_seen.cpu += runs.cpu
        first_seen.sizes += runs.sizes
        first_seen.clustered += runs.clustered

    text = None if args.no_text else text_queries(geojson, spare[:30])
    matrix_runs, gaps_page = matrix(app, 30)
    page = time_route(client, f"/map?layers={ALL_LAYERS}", "page /map (whole region list)", 10)

    print(f"\n{HEADER}")
    for runs in (main_runs, *variant_runs, first_seen, repeated, first_of_them):
        print(runs.row())
    if text is not None:
        print(text.row())
    for runs in (ping, static, matrix_runs, gaps_page, page):
        print(runs.row())
    largest = max(main_runs.sizes + [s for r in variant_runs for s in r.sizes])
    print(
        f"largest answer {largest / 1000:.0f} KB, gzip of the last repeated one "
        f"{len(gzip.compress(body)) / 1000:.0f} KB of {len(body) / 1000:.0f} KB"
    )
    p50, p95 = statistics.median(main_runs.ms), percentile(first_seen.ms, 0.95)
    print(
        f"ratio to the bare route: all-layer p50 x{p50 / statistics.median(ping.ms):.0f}, "
        f"first-seen p95 x{p95 / percentile(ping.ms, 0.95):.0f}"
    )
    breakdown(app, spare[30:80])
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for bbox in spare[80:130]:
            geojson.get({"layers": ALL_LAYERS, "bbox": bbox})
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(20)

    matrix_ms = statistics.median(matrix_runs.ms)
    print(f"load average {os.getloadavg()[0]:.1f} at the end")
    from bench.targets import target

    target("map", "viewport GeoJSON p95", p95, 50, unit=" ms")
    target("map", "largest GeoJSON answer", largest / 1000, 500, unit=" KB")
    target("map", "matrix median", matrix_ms, 50, unit=" ms")
    print(
        f"map organisations={args.organisations} listings={args.listings} "
        f"geojson_p95_ms={p95:.0f} cpu_p95_ms={percentile(first_seen.cpu, 0.95):.0f} "
        f"matrix_ms={matrix_ms:.0f} bytes={largest} "
        f"clustered={sum(first_seen.clustered)}/{len(first_seen.ms)}"
    )


if __name__ == "__main__":
    main()
