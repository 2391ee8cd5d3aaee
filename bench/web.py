"""Web throughput: `python -m bench.web [--n N] [--workers W] [--seconds S]`.

Serves, one after the other and with the same number of gunicorn sync workers, on 127.0.0.1:
  1. a bare Flask route (one line of text);
  2. the search backend alone: a plain WSGI callable per worker that runs
     WhooshBackend.search() (20 results, highlights, facets) and answers the ids as JSON;
  3. the application (`wsgi:app`, as `make serve` runs it): the browse page /listings (no query,
     20 listings) and the search page /listings?q=... with the same queries as 2.
Load comes from wrk (Debian's package) with a Lua script rotating the queries; without wrk, from
a small Python load generator. Prints requests per second and the two ratios the issue asks
for (search page / backend alone >= 0.70, browse page / bare route >= 0.30), then checks that
80 listings posted at once by 16 API clients are all found by a search right after the last
answer and that an edit is searchable on the next request. Last line:

    web n=... workers=... search_page_rps=... backend_rps=... search_ratio=... browse_rps=...
        bare_rps=... browse_ratio=... max_worker_rss_mb=...
"""

import argparse
import json
import os
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

QUERIES = [
    ("Paletten", None),
    ("Bürostuhl", None),
    ("Regal", None),
    ("laptops", None),
    ("Holz Paletten", None),
    ("office chairs", None),
    ('"gut erhalten"', None),
    ("Kisten", "newest"),
    ("Dämmplatten", None),
    ("Kanthölzer Fichte", None),
]

# ---- WSGI callables served by gunicorn (imported in the worker processes) ----------------

_state: dict = {}


def bare_app(environ, start_response):
    if "bare" not in _state:
        from flask import Flask

        flask_app = Flask("bare")
        flask_app.add_url_rule("/", "index", lambda: "ok")
        _state["bare"] = flask_app
    return _state["bare"](environ, start_response)


def backend_app(environ, start_response):
    """The search backend alone: what the search page calls, without templates or routing."""
    if "app" not in _state:
        from marketplace import create_app

        _state["app"] = create_app()
    app = _state["app"]
    args = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
    # A request context, as in a view: reads then begin deferred on SQLite.
    with app.request_context(environ):
        from marketplace.extensions import db

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


# ---- driver -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, target: str, workers: int, env: dict):
        self.port = free_port()
        self.proc = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
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
            env=env,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
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


def load(server: Server, paths: list[str], seconds: float, connections: int) -> tuple[float, int]:
    """(requests per second, failed requests) over `seconds`, after a short warm-up."""
    if shutil.which("wrk"):
        run_wrk(server, paths, min(3.0, seconds), connections)  # warm-up: searchers, caches
        return run_wrk(server, paths, seconds, connections)
    run_python(server, paths, min(3.0, seconds), connections)
    return run_python(server, paths, seconds, connections)


def run_wrk(server: Server, paths, seconds, connections) -> tuple[float, int]:
    lua = "paths = {" + ",".join(json.dumps(p) for p in paths) + "}\n"
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
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return rps, int(errors.group(1)) if errors else 0


def run_python(server: Server, paths, seconds, connections) -> tuple[float, int]:
    import http.client

    stop = time.monotonic() + seconds
    done, failed = [0], [0]
    lock = threading.Lock()

    def client(k: int):
        conn = http.client.HTTPConnection("127.0.0.1", server.port)
        i = k
        while time.monotonic() < stop:
            conn.request("GET", paths[i % len(paths)])
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS", 4)))
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument(
        "--connections", type=int, default=0, help="concurrent clients (default: the workers)"
    )
    parser.add_argument("--workdir", default=os.environ.get("BENCH_DIR", "/tmp/stoffwechsel-bench"))
    parser.add_argument("--no-consistency", action="store_true")
    args = parser.parse_args()
    args.connections = args.connections or args.workers

    from bench.search import ensure_corpus, make_app

    # The corpus of bench/search.py, copied: the consistency check adds accounts and listings.
    source = Path(args.workdir) / f"n{args.n}"
    source.mkdir(parents=True, exist_ok=True)
    ensure_corpus(make_app(source), args.n)
    workdir = Path(args.workdir) / f"web-n{args.n}"
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    shutil.copy(source / "bench.db", workdir / "bench.db")
    if (source / "instance" / "index").exists():
        shutil.copytree(source / "instance" / "index", workdir / "instance" / "index")
    app = make_app(workdir)
    backend = app.extensions["search"]
    with app.test_request_context():
        report = backend.check_drift(heal=False, force=True)
        if report.index_count < args.n // 2:
            print(f"building the index for {args.n} listings ...", flush=True)
            backend.rebuild()
        else:
            backend.check_drift(force=True)
    env = {
        **os.environ,
        "MARKETPLACE_INSTANCE_PATH": str(workdir / "instance"),
        "MARKETPLACE_SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "MARKETPLACE_SECRET_KEY": app.config["SECRET_KEY"],
        "MARKETPLACE_RATELIMIT_ENABLED": "false",
        "PYTHONPATH": str(ROOT),
    }
    search_paths = [
        "/listings?" + urllib.parse.urlencode({"q": q, **({"sort": s} if s else {})})
        for q, s in QUERIES
    ]
    backend_paths = [p.replace("/listings?", "/?") for p in search_paths]
    print(
        f"load: {'wrk' if shutil.which('wrk') else 'python'}, {args.connections} connections, "
        f"{args.workers} sync workers, {args.seconds:.0f} s per page",
        flush=True,
    )

    figures, rss = {}, 0.0
    for name, target, paths in (
        ("bare", "bench.web:bare_app", ["/"]),
        ("backend", "bench.web:backend_app", backend_paths),
        ("app", "wsgi:app", None),
    ):
        server = Server(target, args.workers, env)
        try:
            if name == "app":
                figures["browse"] = load(server, ["/listings"], args.seconds, args.connections)
                figures["search_page"] = load(server, search_paths, args.seconds, args.connections)
                rss = max(rss, server.worker_rss_mb())
                if not args.no_consistency:
                    with app.test_request_context():
                        print(consistency(server, backend), flush=True)
            else:
                figures[name] = load(server, paths, args.seconds, args.connections)
                rss = max(rss, server.worker_rss_mb())
        finally:
            server.stop()
    for key, (rps, failed) in figures.items():
        print(f"  {key:12} {rps:8.1f} requests/s  ({failed} failed)")
    search_ratio = figures["search_page"][0] / figures["backend"][0]
    browse_ratio = figures["browse"][0] / figures["bare"][0]
    print(f"search page / backend alone: {search_ratio:.3f} (must be >= 0.70)")
    print(f"browse page / bare route:    {browse_ratio:.3f} (must be >= 0.30)")
    print(
        f"web n={args.n} workers={args.workers} search_page_rps={figures['search_page'][0]:.1f} "
        f"backend_rps={figures['backend'][0]:.1f} search_ratio={search_ratio:.3f} "
        f"browse_rps={figures['browse'][0]:.1f} bare_rps={figures['bare'][0]:.1f} "
        f"browse_ratio={browse_ratio:.3f} max_worker_rss_mb={rss:.0f}"
    )


if __name__ == "__main__":
    main()
