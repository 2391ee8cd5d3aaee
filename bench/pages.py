"""Pages in process: `python -m bench.pages [--n N] [--profile PAGE] [--rounds R]`.

The data set is the search corpus (bench/corpus.py, N listings) with the demo region seeded on
top, so the signed-in pages have people, exchanges, bookings and messages. Every page is
rendered through the Flask test client as a visitor, a member or a coordinator sees it (the
page cache off), and the script prints per page the median and p95 milliseconds, the SQL
statements and the gettext calls of one request. `--profile browse` prints where that page's
time goes (cProfile, the 30 costliest functions by own time, then by cumulative time).

bench/web.py serves the same data set with gunicorn; this script is for finding the costs.
"""

import argparse
import cProfile
import os
import pstats
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

#: (name, who, path): `who` is anonymous, member or coordinator (the demo logins).
PAGES = [
    ("bare", "anonymous", "/__bare"),
    ("plain", "anonymous", "/impressum"),
    ("plain", "member", "/impressum"),
    ("home", "anonymous", "/"),
    ("browse", "anonymous", "/listings"),
    ("browse", "member", "/listings"),
    ("search", "member", "/listings?q=Paletten"),
    ("listing", "member", "/listings/{listing}"),
    ("start", "member", "/start"),
    ("exchanges", "member", "/exchanges"),
    ("dashboard", "coordinator", "/reports"),
    ("map-geojson", "anonymous", "/api/v1/map.geojson"),
]
DEMO_LOGINS = {"member": "mitglied", "coordinator": "koordination"}


def make_app(workdir: Path, **config):
    from marketplace import create_app

    return create_app(
        {
            "INSTANCE_PATH": str(workdir / "instance"),
            "SECRET_KEY": "bench-" + "k" * 40,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'bench.db'}",
            "RATELIMIT_ENABLED": False,
            "LISTINGS_PAGE_CACHE_SIZE": 0,
            **config,
        }
    )


def prepare(workdir_root: Path, n: int) -> Path:
    """The corpus of N listings plus the demo region, built once and kept."""
    from bench.search import ensure_corpus
    from bench.search import make_app as corpus_app

    source = workdir_root / f"n{n}"
    source.mkdir(parents=True, exist_ok=True)
    ensure_corpus(corpus_app(source), n)
    workdir = workdir_root / f"pages-n{n}"
    marker = workdir / "ready"
    if marker.exists() and marker.stat().st_mtime >= (source / "bench.db").stat().st_mtime:
        return workdir
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    shutil.copy(source / "bench.db", workdir / "bench.db")
    app = make_app(workdir)
    from marketplace.cli.seed import seed_demo_region
    from marketplace.extensions import db

    print(f"seeding the demo region on top of {n} listings ...", flush=True)
    with app.app_context():
        seed_demo_region()
        db.session.commit()
        app.extensions["search"].rebuild()
    marker.touch()
    return workdir


def demo_user(app, who: str):
    from marketplace.auth.models import User
    from marketplace.cli.seed import demo_email
    from marketplace.extensions import db

    return db.session.execute(
        db.select(User).filter_by(email=demo_email(DEMO_LOGINS[who]))
    ).scalar_one()


def session_cookie(app, who: str) -> str | None:
    """A signed session cookie value for a demo login with a real server-side session row."""
    if who == "anonymous":
        return None
    import secrets

    from marketplace.auth.models import UserSession
    from marketplace.auth.sessions import hash_secret
    from marketplace.extensions import db

    with app.app_context():
        user = demo_user(app, who)
        key = secrets.token_urlsafe(32)
        db.session.add(UserSession(user_id=user.id, key_hash=hash_secret(key)))
        db.session.commit()
        serializer = app.session_interface.get_signing_serializer(app)
        return serializer.dumps({"_user_id": f"{user.id}:{key}", "_fresh": True})


def sample_listing(app) -> int:
    """An open offer of the demo region with candidates (the listing page shows its matches)."""
    from marketplace.extensions import db
    from marketplace.listings.models import Listing

    with app.app_context():
        member = demo_user(app, "member")
        return db.session.execute(
            db.select(Listing.id)
            .where(Listing.status == "open", Listing.organisation_id != member.organisation_id)
            .order_by(Listing.id.desc())
            .limit(1)
        ).scalar_one()


def add_bare_route(app) -> None:
    app.add_url_rule("/__bare", "bench_bare", lambda: "ok")


class Counter:
    """SQL statements and gettext calls of the requests made while it is active."""

    def __init__(self, app):
        import sqlalchemy as sa

        from marketplace.extensions import db

        self.statements = 0
        with app.app_context():
            sa.event.listen(db.engine, "before_cursor_execute", self._statement)

    def _statement(self, *args, **kwargs):
        self.statements += 1


def measure(client, path: str, rounds: int, counter: Counter) -> tuple[float, float, int]:
    for _ in range(3):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    before = counter.statements
    client.get(path)
    statements = counter.statements - before
    times = []
    for _ in range(rounds):
        started = time.process_time()
        client.get(path)
        times.append((time.process_time() - started) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))], statements


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--profile", help="a page name to profile, e.g. browse")
    parser.add_argument("--who", help="with --profile: anonymous, member or coordinator")
    parser.add_argument("--workdir", default=os.environ.get("BENCH_DIR", "/tmp/stoffwechsel-bench"))
    args = parser.parse_args()
    workdir = prepare(Path(args.workdir), args.n)
    app = make_app(workdir)
    add_bare_route(app)
    listing = sample_listing(app)
    counter = Counter(app)
    clients = {}
    for who in ("anonymous", "member", "coordinator"):
        client = app.test_client()
        cookie = session_cookie(app, who)
        if cookie:
            client.set_cookie(app.config.get("SESSION_COOKIE_NAME", "session"), cookie)
        clients[who] = client
    pages = [(name, who, path.format(listing=listing)) for name, who, path in PAGES]
    if args.profile:
        name, who, path = next(
            p for p in pages if p[0] == args.profile and (args.who in (None, p[1]))
        )
        client = clients[who]
        for _ in range(3):
            client.get(path)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.rounds):
            client.get(path)
        profiler.disable()
        stats = pstats.Stats(profiler).strip_dirs()
        print(f"{name} as {who}: {path}, {args.rounds} requests")
        stats.sort_stats("tottime").print_stats(30)
        stats.sort_stats("cumulative").print_stats(40)
        return
    print(f"{'page':12} {'who':12} {'p50 ms':>8} {'p95 ms':>8} {'SQL':>5}")
    for name, who, path in pages:
        p50, p95, statements = measure(clients[who], path, args.rounds, counter)
        print(f"{name:12} {who:12} {p50:8.1f} {p95:8.1f} {statements:5}")


if __name__ == "__main__":
    main()
