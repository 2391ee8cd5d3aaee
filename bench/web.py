"""Web throughput as users get it: `python -m bench.web [--n N] [--workers W] [--seconds S]`.

Serves, with the same number of gunicorn sync workers, on 127.0.0.1:
  1. a bare Flask route (one line of text): the baseline every page is divided by;
  2. the search backend alone: a plain WSGI callable per worker that runs the search the
     search page runs (20 results, highlights, facets) and answers the ids as JSON;
  3. the application (`wsgi:app`, as `make serve` runs it) with the page cache off, then on.
The bare route and the backend stay up while the application is measured: each page's ratio
divides it by the baseline measured in the half-slices right before and after it, so that a
host that slows down during the run does not move the ratios.
Rows ending in "-new" are first seen: thousands of distinct paths, no warm-up, so that each worker
builds what it serves (the search backend has its own "-new" row on the same queries); the other
rows repeat a rotation, as readers paging through the same lists do, and meet the kept fragments.
The data set is bench/pages.py's: the search corpus of N listings with the demo region on top,
so that signed-in pages have people, exchanges and bookings. Signed-in pages are loaded with
a demo login's session cookie (a real server-side session). Pages rotate through distinct
inputs so that no cache sees only a few: browse through 24 filter and page combinations, search
through 240 generated queries (corpus words, compound heads, English words, two-word mixes,
misspellings), the listing page through 200 listings, the map through 60 map windows.

Load comes from wrk (Debian's package) with a Lua script rotating the paths; without wrk, from
a small Python load generator. Prints requests per second per page, each as a ratio to the bare
route (search also to the backend alone), records the targets (bench/targets.py), then checks
that 80 listings posted at once by 16 API clients are all found by a search right after the
last answer and that an edit is searchable on the next request. Last line:

    web n=... workers=... bare_rps=... browse_ratio=... search_ratio=... listing_ratio=...
        dashboard_ratio=... hit_ratio=... max_worker_rss_mb=...
"""

import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def search_queries(count: int = 240) -> list[str]:
    """Distinct queries as people type them (bench/search_queries.py, the unseen set of
    bench/search.py): corpus words, compound heads, English words, two-word mixes,
    misspellings, words that match nothing."""
    from bench.search_queries import generate

    return [query for _, query in generate(count)]


# ---- WSGI callables served by gunicorn (imported in the worker processes) ----------------

_state: dict = {}


def bare_app(environ, start_response):
    if "bare" not in _state:
        from flask import Flask

        flask_app = Flask("bare")
        flask_app.add_url_rule("/", "index", lambda: "ok")
        _state["bare"] = flask_app
    return _state["bare"](environ, start_response)


def backend_app_factory():
    """gunicorn target `bench.web:backend_app_factory()`: the search backend alone, what the
    search page calls, without templates or routing; the app is made when the worker boots."""
    from marketplace import create_app
    from marketplace.extensions import db

    app = create_app()

    def backend_app(environ, start_response):
        args = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
        # A request context, as in a view: reads then begin deferred on SQLite.
        with app.request_context(environ):
            try:
                result = app.extensions["search"].search(
                    args.get("q", [""])[0],
                    sort=args.get("sort", [None])[0],
                    per_page=20,
                    highlight=True,
                    facets=True,
                )
            finally:
                db.session.remove()
        body = json.dumps({"ids": result.ids, "total": result.total}).encode()
        start_response("200 OK", [("Content-Type", "application/json")])
        return [body]

    return backend_app


# ---- driver -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, target: str, workers: int, env: dict):
        self.workers = workers
        self.port = free_port()
        self.ready_dir = Path(tempfile.mkdtemp(prefix="bench-ready-"))
        self.proc = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "--config",
                str(ROOT / "bench" / "gunicorn_ready.py"),
                "--workers",
                str(workers),
                "--worker-class",
                "sync",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
                target,
            ],
            cwd=ROOT,
            env={**env, "BENCH_READY_DIR": str(self.ready_dir)},
            start_new_session=True,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if len(list(self.ready_dir.iterdir())) >= workers:
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.2)
        raise RuntimeError(f"{target} did not start")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def worker_rss_mb(self) -> float:
        out = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(self.proc.pid)], capture_output=True, text=True
        ).stdout.split()
        best = 0.0
        for pid in out:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            best = max(best, int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024)
        return best

    def stop(self):
        os.killpg(self.proc.pid, signal.SIGTERM)
        self.proc.wait(timeout=30)
        shutil.rmtree(self.ready_dir, ignore_errors=True)


def load(
    server: Server,
    paths: list[str],
    seconds: float,
    connections: int,
    cookie: str | None = None,
    warm: bool = True,
) -> tuple[float, int]:
    """(requests per second, failed requests) over `seconds`, after a warm-up that asks every
    path of the rotation a few times per worker, so that the repeated rows measure what a
    reader paging through seen pages gets (none for the first-seen sets: the warm-up would see
    their first paths)."""
    if warm:
        warm_load(server, paths, seconds, connections, cookie)
    return _runner()(server, paths, seconds, connections, cookie)


def _runner():
    return run_wrk if shutil.which("wrk") else run_python


def warm_load(server: Server, paths, seconds, connections, cookie=None) -> None:
    """Every path of the rotation a few times per worker, then a short load on the load's own
    connections."""
    warm_up(server, paths, connections, cookie, passes=3 * server.workers)
    _runner()(server, paths, min(2.0, seconds), connections, cookie)


def warm_up(server: Server, paths, connections, cookie=None, passes: int = 1) -> None:
    """Ask each path `passes` times (the workers take turns at accepting, so each sees most)."""
    import http.client

    queue = [p for _ in range(passes) for p in paths]
    lock = threading.Lock()

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
        while True:
            with lock:
                if not queue:
                    return
                path = queue.pop()
            conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
            conn.getresponse().read()
            conn.close()  # a new connection: another worker may take it

    threads = [threading.Thread(target=client) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def run_wrk(server: Server, paths, seconds, connections, cookie=None) -> tuple[float, int]:
    lua = "paths = {" + ",".join(json.dumps(p) for p in paths) + "}\n"
    if cookie:
        lua += f'wrk.headers["Cookie"] = {json.dumps(cookie)}\n'
    lua += (
        "i = 0\nrequest = function()\n  i = i + 1\n"
        '  return wrk.format("GET", paths[(i % #paths) + 1])\nend\n'
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua)
    try:
        out = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{connections}",
                f"-d{seconds:.0f}s",
                "-s",
                script.name,
                server.url("/"),
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(script.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    if not rps or "Socket errors" in out:
        print(out, flush=True)
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return rps, int(errors.group(1)) if errors else 0


def run_python(server: Server, paths, seconds, connections, cookie=None) -> tuple[float, int]:
    import http.client

    stop = time.monotonic() + seconds
    done, failed = [0], [0]
    lock = threading.Lock()

    def client(k: int):
        conn = http.client.HTTPConnection("127.0.0.1", server.port)
        i = k
        while time.monotonic() < stop:
            conn.request("GET", paths[i % len(paths)], headers={"Cookie": cookie} if cookie else {})
            response = conn.getresponse()
            response.read()
            with lock:
                done[0] += 1
                failed[0] += response.status >= 400
            i += 1

    threads = [threading.Thread(target=client, args=(k,)) for k in range(connections)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return done[0] / (time.monotonic() - started), failed[0]


def settle_cookie(server: Server, name: str, value: str) -> str:
    """The session cookie as a browser holds it after its first pages: the app adds the CSRF
    secret and Flask-Login's marks on the first request and answers Set-Cookie; a load generator
    that sent the first cookie forever would make every request a first one."""
    import http.client

    for _ in range(3):
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        conn.request("GET", "/listings", headers={"Cookie": f"{name}={value}"})
        response = conn.getresponse()
        response.read()
        conn.close()
        fresh = [
            c.split(";", 1)[0].split("=", 1)[1]
            for c in response.headers.get_all("Set-Cookie") or []
            if c.startswith(f"{name}=")
        ]
        if not fresh or fresh[-1] == value:
            return value
        value = fresh[-1]
    return value


def api(server: Server, method: str, path: str, body=None, token=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(server.url(path), data=data, method=method)  # noqa: S310
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:  # only ever http://127.0.0.1
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310  # noqa: S310 - 127.0.0.1
            return json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        raise RuntimeError(f"{method} {path}: {error.code} {error.read()[:300]!r}") from None


def consistency(server: Server, backend, clients: int = 16, per_client: int = 5) -> str:
    """80 listings posted at once by 16 clients are all found right after the last answer;
    an edit is searchable on the next request."""
    word = "Prufstein" + "".join(chr(97 + int(c)) for c in str(int(time.time()))[-6:])
    tokens = []
    for k in range(clients):
        email = f"bench-{word}-{k}@example.org"
        api(
            server,
            "POST",
            "/api/v1/register",
            {
                "email": email,
                "password": "bench-password-42",
                "name": f"Bench {k}",
                "organisation": {
                    "name": f"Bench Org {k}",
                    "kind": "initiative",
                    "postcode": "04109",
                },
            },
        )
        tokens.append(
            api(
                server, "POST", "/api/v1/tokens", {"email": email, "password": "bench-password-42"}
            )["token"]
        )
    ids, errors = [], []

    def post(k: int):
        for i in range(per_client):
            try:
                listing = api(
                    server,
                    "POST",
                    "/api/v1/listings",
                    {
                        "kind": "offer",
                        "title": f"{word} Europaletten {k}-{i}",
                        "description": "Benchmark",
                        "category": "pallets",
                        "quantity": 3,
                        "unit": "piece",
                    },
                    token=tokens[k],
                )
                ids.append((listing["id"], k))
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)

    threads = [threading.Thread(target=post, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    found = backend.search(word, per_page=100, highlight=False).total
    edited, owner = ids[0]
    api(
        server,
        "PATCH",
        f"/api/v1/listings/{edited}",
        {"title": f"{word}edit Gitterboxen"},
        token=tokens[owner],
    )
    after_edit = backend.search(f"{word}edit", highlight=False).ids
    return (
        f"consistency: {len(ids)} of {clients * per_client} posted ({len(errors)} errors), "
        f"{found} found right after the last answer; edit searchable at once: "
        f"{after_edit == [edited]}"
    )


def browse_paths() -> list[str]:
    kinds, sorts = ("", "kind=offer", "kind=request"), ("", "sort=newest")
    categories = ("", "category=furniture", "category=wood", "category=it")
    paths = []
    for kind in kinds:
        for sort in sorts:
            for category in categories:
                query = "&".join(p for p in (kind, sort, category) if p)
                paths.append("/listings" + (f"?{query}" if query else ""))
    return paths


def map_paths(count: int = 60) -> list[str]:
    """Map windows over Leipzig at three zoom levels."""
    rng = random.Random(5)
    paths = []
    for k in range(count):
        span = (0.02, 0.08, 0.3)[k % 3]
        lat, lon = 51.34 + rng.uniform(-0.1, 0.1), 12.37 + rng.uniform(-0.15, 0.15)
        bbox = f"{lon - span:.4f},{lat - span / 2:.4f},{lon + span:.4f},{lat + span / 2:.4f}"
        paths.append(f"/api/v1/map.geojson?bbox={bbox}")
    return paths


def unseen_browse_paths(app, count: int = 2400) -> list[str]:
    """Distinct browse addresses (kind, category, sort, page): about one visit per path and
    worker in a run, so that the results' fragments are built, not found."""
    import sqlalchemy as sa

    from marketplace.categories.models import Category
    from marketplace.extensions import db

    with app.app_context():
        slugs = list(db.session.execute(sa.select(Category.slug).order_by(Category.slug)).scalars())
    paths = []
    for page in range(1, 40):
        for kind in ("offer", "request", ""):
            for sort in ("newest", "ending_soon"):
                for slug in slugs:
                    args = {"category": slug, "sort": sort, "page": page}
                    if kind:
                        args["kind"] = kind
                    paths.append("/listings?" + urllib.parse.urlencode(args))
    random.Random(7).shuffle(paths)
    return paths[:count]


def open_listing_ids(app, count: int = 200) -> list[int]:
    import sqlalchemy as sa

    from marketplace.extensions import db
    from marketplace.listings.models import Listing

    with app.app_context():
        return list(
            db.session.execute(
                sa.select(Listing.id)
                .where(Listing.status == "open")
                .order_by(Listing.id.desc())
                .limit(count)
            ).scalars()
        )


#: (page, who, cache): every page of the application that is measured.
PAGES = [
    ("browse", "member", "off"),
    ("browse-new", "member", "off"),
    ("browse", "anonymous", "off"),
    ("search", "member", "off"),
    ("search", "anonymous", "off"),
    ("search-new", "member", "off"),
    ("listing", "member", "off"),
    ("home", "anonymous", "off"),
    ("start", "member", "off"),
    ("exchanges", "member", "off"),
    ("dashboard", "coordinator", "off"),
    ("map", "anonymous", "off"),
    ("browse", "anonymous", "on"),
    ("search", "anonymous", "on"),
    ("cache-hit", "anonymous", "on"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS", 4)))
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument(
        "--connections", type=int, default=0, help="concurrent clients (default: the workers)"
    )
    parser.add_argument("--workdir", default=os.environ.get("BENCH_DIR", "/tmp/stoffwechsel-bench"))
    parser.add_argument("--no-consistency", action="store_true")
    parser.add_argument("--only", help="measure only these pages (comma-separated names)")
    args = parser.parse_args()
    args.connections = args.connections or args.workers

    from bench import pages as page_data

    source = page_data.prepare(Path(args.workdir), args.n)
    workdir = Path(args.workdir) / f"web-n{args.n}"
    shutil.rmtree(workdir, ignore_errors=True)
    shutil.copytree(source, workdir)
    app = page_data.make_app(workdir)
    backend = app.extensions["search"]
    with app.test_request_context():
        backend.check_drift(force=True)
    cookies = {who: page_data.session_cookie(app, who) for who in page_data.DEMO_LOGINS}
    backend.close()  # the servers' workers open the index themselves
    cookie_name = app.config.get("SESSION_COOKIE_NAME", "session")
    env = {
        **os.environ,
        "MARKETPLACE_INSTANCE_PATH": str(workdir / "instance"),
        "MARKETPLACE_SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "MARKETPLACE_SECRET_KEY": app.config["SECRET_KEY"],
        "MARKETPLACE_RATELIMIT_ENABLED": "false",
        "MARKETPLACE_MAIL_BACKEND": "locmem",  # the sweeps' reminders, not on the bench's output
        "PYTHONPATH": str(ROOT),
    }
    queries = search_queries()
    search_paths = ["/listings?" + urllib.parse.urlencode({"q": q}) for q in queries]
    # never asked before in the run (none of the 240 above)
    asked = {q.casefold() for q in queries}
    unseen = [
        "/listings?" + urllib.parse.urlencode({"q": q})
        for q in search_queries(4000)
        if q.casefold() not in asked
    ]
    paths = {
        "browse": browse_paths(),
        "browse-new": unseen_browse_paths(app),
        "search-new": unseen,
        "search": search_paths,
        "listing": [f"/listings/{i}" for i in open_listing_ids(app)],
        "home": ["/"],
        "start": ["/start"],
        "exchanges": ["/exchanges"],
        "dashboard": ["/reports"],
        "map": map_paths(),
        "cache-hit": ["/listings"],
    }
    only = set(args.only.split(",")) if args.only else None
    print(
        f"load: {'wrk' if shutil.which('wrk') else 'python'}, {args.connections} connections, "
        f"{args.workers} sync workers, {args.seconds:.0f} s per page; {len(queries)} distinct "
        f"queries, {len(paths['listing'])} listings, {len(paths['browse'])} browse variants",
        flush=True,
    )

    figures: dict[tuple[str, str, str], tuple[float, int]] = {}
    #: per page, the bare route's (and for search the backend's) req/s measured right before
    #: and after it: the ratios compare slices a few seconds apart, not minutes (host drift)
    around: dict[tuple[str, str, str], dict[str, float]] = {}
    settled: dict[str, str] = {}  # the cookies as the browser holds them after its first page
    rss = 0.0
    backend_paths = [p.replace("/listings?", "/?") for p in search_paths]
    bare = Server("bench.web:bare_app", args.workers, env)
    backend_server = Server("bench.web:backend_app_factory()", args.workers, env)
    try:
        figures[("bare", "anonymous", "-")] = load(bare, ["/"], args.seconds, args.connections)
        figures[("backend", "anonymous", "-")] = load(
            backend_server, backend_paths, args.seconds, args.connections
        )
        figures[("backend-new", "anonymous", "-")] = load(
            backend_server,
            [p.replace("/listings?", "/?") for p in unseen],
            args.seconds,
            args.connections,
            warm=False,
        )
        rss = max(rss, backend_server.worker_rss_mb())

        def baseline(server, base_paths):
            return load(server, base_paths, args.seconds / 2, args.connections, warm=False)[0]

        for name, extra_env in (
            ("off", {"MARKETPLACE_LISTINGS_PAGE_CACHE_SIZE": "0"}),
            ("on", {"MARKETPLACE_LISTINGS_PAGE_CACHE_SIZE": "256"}),
        ):
            server = Server("wsgi:app", args.workers, {**env, **extra_env})
            try:
                for page, who, cache in PAGES:
                    if cache != name or (only and page not in only):
                        continue
                    if who in cookies and who not in settled:
                        settled[who] = settle_cookie(server, cookie_name, cookies[who])
                    cookie = settled.get(who)
                    header = f"{cookie_name}={cookie}" if cookie else None
                    key = (page, who, cache)
                    bases = {"bare": (bare, ["/"])}
                    if page.startswith("search"):
                        bases["backend"] = (backend_server, backend_paths)
                    if not page.endswith("-new"):
                        warm_load(server, paths[page], args.seconds, args.connections, header)
                    before = {b: baseline(*where) for b, where in bases.items()}
                    figures[key] = load(
                        server, paths[page], args.seconds, args.connections, header, warm=False
                    )
                    around[key] = {
                        b: (before[b] + baseline(*where)) / 2 for b, where in bases.items()
                    }
                    print(
                        f"  {page:10} {who:12} cache {cache:3} {figures[key][0]:8.1f} requests/s"
                        f"  (bare around it {around[key]['bare']:.1f})",
                        flush=True,
                    )
                if name == "off" and not args.no_consistency:
                    with app.test_request_context():
                        print(consistency(server, backend), flush=True)
                rss = max(rss, server.worker_rss_mb())
            finally:
                server.stop()
    finally:
        bare.stop()
        backend_server.stop()
    report(args, figures, around, rss)


def report(args, figures, around, rss) -> None:
    from bench.targets import target

    bare = figures[("bare", "anonymous", "-")][0]
    print(
        f"\n{'page':10} {'who':12} {'cache':5} {'req/s':>8} {'bare then':>9} {'/ bare':>7} "
        f"{'failed':>6}"
    )
    for key, (rps, failed) in figures.items():
        base = around.get(key, {}).get("bare", bare)
        page, who, cache = key
        print(f"{page:10} {who:12} {cache:5} {rps:8.1f} {base:9.1f} {rps / base:7.3f} {failed:6}")

    def ratio(page, who, cache, base="bare"):
        """The page's req/s over the baseline measured around it (the first-seen search rows
        compare with the backend's own first-seen row)."""
        found = figures.get((page, who, cache))
        if not found:
            return float("nan")
        return found[0] / around[(page, who, cache)][base]

    checks = {
        "browse_ratio": (
            ratio("browse", "member", "off"),
            0.30,
            "browse page (signed in, cache off) / bare",
        ),
        "search_ratio": (
            ratio("search", "member", "off", "backend"),
            0.90,
            "search page (signed in) / backend alone",
        ),
        "listing_ratio": (
            ratio("listing", "member", "off"),
            0.30,
            "listing page (signed in) / bare",
        ),
        "dashboard_ratio": (
            ratio("dashboard", "coordinator", "off"),
            0.15,
            "reports dashboard (coordinator) / bare",
        ),
        "hit_ratio": (ratio("cache-hit", "anonymous", "on"), 0.80, "page cache hit / bare"),
    }
    for figure, limit, label in checks.values():
        if figure == figure:  # not NaN: the page was measured
            target("web", label, figure, limit, at_most=False)
    if ("search-new", "member", "off") in figures:
        print(
            "first seen (every path about once per worker, no warm-up): browse signed in "
            f"{ratio('browse-new', 'member', 'off'):.3f} of bare; search page "
            f"{figures[('search-new', 'member', 'off')][0] / figures[('backend-new', 'anonymous', '-')][0]:.3f}"
            " of the backend on the same unseen queries"
        )
    if ("browse", "member", "off") in figures:
        print(
            f"browse goal 0.45 of bare: {'holds' if checks['browse_ratio'][0] >= 0.45 else 'not yet'}"
        )
    failed = sum(f for _, f in figures.values())
    target("web", "failed requests", failed, 0)
    print(
        f"web n={args.n} workers={args.workers} bare_rps={bare:.1f} "
        + " ".join(f"{k}={v[0]:.3f}" for k, v in checks.items())
        + f" max_worker_rss_mb={rss:.0f}"
    )


if __name__ == "__main__":
    main()
