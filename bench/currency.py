"""Local currency benchmark: `python -m bench.currency [--accounts N --transfers M --runs R]`.

Builds a temporary SQLite database through the app factory and bulk-inserts (Core inserts) N
organisations with one member and one account each, and M transfers spread evenly over two years
(each with its two entries, their running balances, and the accounts' final balances; no balance
ever leaves its limits), one account taking part in at least 10,000 of them. Then times, in one
process and through the test client:
- (a) POST /api/v1/transfers with the payer's bearer token, R distinct payer/payee pairs first
  seen, then 20 of them again, apart;
- (b) the statement of the account with the most transfers, first page: GET /account as a
  signed-in member of its organisation where this branch has the page, and
  ledger.queries.statement(..., PageRequest(1, 50)) in a request context;
- (c) the coordinator's monthly volume: ledger.queries.monthly_volume over the last 12 months,
  and GET /accounts as a coordinator where this branch has the page;
- a bare route in the same run, for the ratio.
CPU time (process time) is printed beside the wall time: the machine may be shared.
Targets (issue 12): transfer p95 <= 20 ms, statement <= 50 ms, volume <= 200 ms. Last line:

    currency accounts=5000 transfers=500000 transfer_p95_ms=... statement_ms=... volume_ms=...
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
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BATCH = 10_000
REPEATS = 20
#: Limits of every account, in cents (the demo's -300 / 3,000).
MIN_CENTS, MAX_CENTS = -30_000, 300_000
#: The account of organisation 1 takes part in this share of the transfers.
BUSY_SHARE = 0.025
COORDINATOR = 2


def make_app(workdir: Path):
    from marketplace import create_app

    return create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(workdir / "instance"),
            "SECRET_KEY": "bench-" + "k" * 40,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'currency.db'}",
            "SEARCH_INDEX_DIR": str(workdir / "index"),
            "RATELIMIT_ENABLED": False,
            "BABEL_DEFAULT_LOCALE": "en",
            "EXPIRY_SWEEP_INTERVAL_S": 86400,
            "BOOKING_SWEEP_INTERVAL_S": 0,
            "WTF_CSRF_ENABLED": False,
            "MAIL_BACKEND": "locmem",
        }
    )


def _month_of(moment: datetime, cache: dict) -> str:
    """local_month, once per hour of the two years (500,000 zone conversions add up)."""
    from marketplace.core.clock import local_month

    hour = moment.replace(minute=0, second=0, microsecond=0)
    if hour not in cache:
        cache[hour] = local_month(hour)
    return cache[hour]


def _transfers(rng: random.Random, n_accounts: int, n_transfers: int, now: datetime):
    """Transfers in time order with their entries; a pair that would leave a limit is drawn
    again, so balances stay within them as the conditional UPDATEs would keep them."""
    balances = [0] * (n_accounts + 1)
    transfers, entries, months = [], [], {}
    start = now - timedelta(days=730)
    step = timedelta(days=730) / n_transfers
    tid = 0
    while tid < n_transfers:
        payer, payee = rng.randint(1, n_accounts), rng.randint(1, n_accounts)
        if rng.random() < BUSY_SHARE:
            payer, payee = (1, payee) if rng.random() < 0.5 else (payer, 1)
        amount = rng.choice((100, 250, 500, 1000, 1500, 2000, 5000, 12000))
        if payer == payee or balances[payer] - amount < MIN_CENTS:
            continue
        if balances[payee] + amount > MAX_CENTS:
            continue
        tid += 1
        balances[payer] -= amount
        balances[payee] += amount
        at = start + step * tid
        transfers.append(
            {
                "id": tid,
                "payer_account_id": payer,
                "payee_account_id": payee,
                "amount_cents": amount,
                "volume_cents": amount,
                "kind": "payment",
                "reason": f"Rechnung {tid}",
                "created_by_id": payer,
                "created_at": at,
                "month": _month_of(at, months),
            }
        )
        for side, account, delta in ((0, payer, -amount), (1, payee, amount)):
            entries.append(
                {
                    "id": 2 * tid - 1 + side,
                    "transfer_id": tid,
                    "account_id": account,
                    "amount_cents": delta,
                    "balance_after_cents": balances[account],
                    "created_at": at,
                }
            )
    return transfers, entries, balances


def fill(app, n_accounts: int, n_transfers: int, seed: int) -> dict:
    """Organisations, members, accounts, transfers and entries, bulk-inserted."""
    import sqlalchemy as sa

    from marketplace.auth.models import User
    from marketplace.categories.taxonomy import sync_taxonomy
    from marketplace.core.clock import utcnow
    from marketplace.extensions import db
    from marketplace.ledger.models import Account, Currency, Entry, Transfer
    from marketplace.orgs.models import Organisation

    rng = random.Random(seed)
    now = utcnow().replace(microsecond=0)
    transfers, entries, balances = _transfers(rng, n_accounts, n_transfers, now)
    last = {}
    for row in transfers:
        last[row["payer_account_id"]] = last[row["payee_account_id"]] = row["created_at"]
    ids = range(1, n_accounts + 1)
    orgs = [
        {"id": i, "name": f"Organisation {i}", "kind": "business", "postcode": "04109"} for i in ids
    ]
    users = [
        {
            "id": i,
            "email": f"member{i}@bench.example",
            "name": f"Member {i}",
            "password_hash": "x",
            "locale": "en",
            "organisation_id": i,
            "role": "coordinator" if i == COORDINATOR else "member",
        }
        for i in ids
    ]
    accounts = [
        {
            "id": i,
            "organisation_id": i,
            "balance_cents": balances[i],
            "min_cents": MIN_CENTS,
            "max_cents": MAX_CENTS,
            "frozen": False,
            "created_at": now - timedelta(days=731),
            "last_transfer_at": last.get(i),
        }
        for i in ids
    ]
    currency = {
        "code": "LTA",
        "name": "Leipziger Taler",
        "symbol": "T",
        "kind": "money",
        "default_min_cents": MIN_CENTS,
        "default_max_cents": MAX_CENTS,
        "created_at": now - timedelta(days=731),
    }
    with app.app_context():
        db.create_all()
        with db.engine.begin() as conn:
            sync_taxonomy(conn)
            conn.execute(sa.insert(Currency.__table__), [currency])
            for model, rows in (
                (Organisation, orgs),
                (User, users),
                (Account, accounts),
                (Transfer, transfers),
                (Entry, entries),
            ):
                for start in range(0, len(rows), BATCH):
                    conn.execute(sa.insert(model.__table__), rows[start : start + BATCH])
            conn.execute(sa.text("ANALYZE"))
        db.session.remove()
    busy = sum(1 for row in transfers if 1 in (row["payer_account_id"], row["payee_account_id"]))
    print(
        f"data: {n_accounts} accounts, {len(transfers)} transfers, {len(entries)} entries, "
        f"{len({row['month'] for row in transfers})} months; account 1 in {busy} transfers; "
        f"sum of balances {sum(balances)}"
    )
    return {"balances": balances, "busy": busy, "now": now}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[int(share * (len(ordered) - 1))]


class Runs:
    def __init__(self, label: str):
        self.label, self.ms, self.cpu = label, [], []

    def row(self) -> str:
        return (
            f"{self.label:44} {len(self.ms):4} {statistics.median(self.ms):7.1f} "
            f"{percentile(self.ms, 0.95):7.1f} {max(self.ms):7.1f} "
            f"{statistics.median(self.cpu):7.1f} {percentile(self.cpu, 0.95):7.1f}"
        )

    def time(self, call):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = call()
        self.ms.append((time.perf_counter() - started) * 1000)
        self.cpu.append((time.process_time() - started_cpu) * 1000)
        return result


HEADER = f"{'':44} {'n':>4} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'CPU p50':>7} {'CPU p95':>7}"


def _tokens(app, org_ids) -> dict[int, str]:
    """A bearer token for each organisation's member (user i belongs to organisation i)."""
    from marketplace.auth.models import User
    from marketplace.auth.tokens import issue_api_token
    from marketplace.extensions import db

    tokens = {}
    with app.app_context():
        for org_id in org_ids:
            tokens[org_id], _ = issue_api_token(db.session.get(User, org_id))
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


def _pairs(rng: random.Random, balances: list[int], n: int) -> list[tuple[int, int]]:
    """Distinct payer/payee pairs (payers distinct too) that can move 1.00 within the limits."""
    accounts = range(2, len(balances))
    payers = [a for a in rng.sample(accounts, len(accounts)) if balances[a] - 100 >= MIN_CENTS]
    payees = [a for a in rng.sample(accounts, len(accounts)) if balances[a] + 100 <= MAX_CENTS]
    return [(p, q) for p, q in zip(payers, payees, strict=False) if p != q][:n]


def _page(app, client, path: str, runs: "Runs", n: int) -> bool:
    """Time a web page n times; False (nothing timed) when this branch has no such page."""
    if client.get(path).status_code == 404:
        return False
    for _ in range(n):
        response = runs.time(lambda: client.get(path))
        assert response.status_code == 200, (path, response.status_code)
    return True


def run(app, data: dict, args) -> None:
    from marketplace.core.clock import local_month
    from marketplace.core.pagination import PageRequest
    from marketplace.extensions import db
    from marketplace.ledger import queries

    rng = random.Random(args.seed + 1)
    client = app.test_client()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    client.get("/_bench/ping")

    # (a) one transfer through the API, distinct pairs, each payer with its own token.
    pairs = _pairs(rng, data["balances"], args.runs)
    tokens = _tokens(app, {payer for payer, _ in pairs})
    pay, pay_again = Runs("(a) POST /api/v1/transfers, first seen"), Runs("    same pair again")
    outcomes: dict[int, int] = {}
    for runs, rows in ((pay, pairs), (pay_again, pairs[:REPEATS])):
        for payer, payee in rows:
            body = {"payee_organisation_id": payee, "amount": 1, "reason": "Bench"}
            headers = {"Authorization": f"Bearer {tokens[payer]}"}
            response = runs.time(
                lambda b=body, h=headers: client.post("/api/v1/transfers", json=b, headers=h)
            )
            outcomes[response.status_code] = outcomes.get(response.status_code, 0) + 1
            assert response.status_code == 201, response.data[:300]

    # (b) the busy account's statement, first page.
    statement = Runs(f"(b) statement query, {data['busy']} transfers")
    for _ in range(REPEATS * 2):
        with app.test_request_context("/account"):
            lines, total = statement.time(
                lambda: queries.statement(1, queries.StatementFilter(), PageRequest(1, 50))
            )
            assert len(lines) == 50 and total >= data["busy"], (len(lines), total)
            db.session.remove()
    _sign_in(app, client, 1)
    statement_page = Runs("    GET /account signed in")
    has_statement_page = _page(app, client, "/account", statement_page, REPEATS * 2)

    # (c) the coordinator's monthly volume over the last 12 months.
    now = data["now"]
    last, first = local_month(now), local_month(now - timedelta(days=335))
    volume = Runs(f"(c) monthly_volume {first}..{last}")
    for _ in range(REPEATS):
        with app.test_request_context("/accounts"):
            months = volume.time(lambda: queries.monthly_volume(first, last))
            assert len(months) == 12, [m.month for m in months]
            db.session.remove()
    _sign_in(app, client, COORDINATOR)
    volume_page = Runs("    GET /accounts as coordinator")
    has_volume_page = _page(app, client, "/accounts", volume_page, REPEATS)

    ping = Runs("bare route /_bench/ping")
    for _ in range(args.runs):
        ping.time(lambda: client.get("/_bench/ping"))

    print(f"\n{HEADER}")
    shown = [pay, pay_again, statement]
    shown += [statement_page] if has_statement_page else []
    shown += [volume] + ([volume_page] if has_volume_page else [])
    for runs in [*shown, ping]:
        print(runs.row())
    print(f"transfer answers: {dict(sorted(outcomes.items()))}")
    for path, there in (("/account", has_statement_page), ("/accounts", has_volume_page)):
        print(f"page {path}: {'timed' if there else 'not on this branch (query timed)'}")
    base = statistics.median(ping.ms)
    t95 = percentile(pay.ms, 0.95)
    s_ms = percentile((statement_page if has_statement_page else statement).ms, 0.95)
    v_ms = percentile((volume_page if has_volume_page else volume).ms, 0.95)
    print(
        f"ratio to the bare route (p50): transfer x{statistics.median(pay.ms) / base:.0f}, "
        f"statement x{statistics.median(statement.ms) / base:.0f}, "
        f"volume x{statistics.median(volume.ms) / base:.0f}"
    )
    print(
        f"CPU p95 ms: transfer {percentile(pay.cpu, 0.95):.1f}, statement "
        f"{percentile(statement.cpu, 0.95):.1f}, volume {percentile(volume.cpu, 0.95):.1f}"
    )
    print(f"load average {os.getloadavg()[0]:.1f} at the end")
    from bench.targets import target

    target("currency", "transfer p95", t95, 20, unit=" ms")
    target("currency", "statement p95", s_ms, 50, unit=" ms")
    target("currency", "volume p95", v_ms, 200, unit=" ms")
    print(
        f"currency accounts={args.accounts} transfers={args.transfers} "
        f"transfer_p95_ms={t95:.0f} statement_ms={s_ms:.0f} volume_ms={v_ms:.0f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=5_000)
    parser.add_argument("--transfers", type=int, default=500_000)
    parser.add_argument("--runs", type=int, default=200, help="distinct pairs for (a)")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-currency-"))
    try:
        app = make_app(workdir)
        app.add_url_rule("/_bench/ping", "bench_ping", lambda: "ok")
        started = time.perf_counter()
        data = fill(app, args.accounts, args.transfers, args.seed)
        print(f"inserted in {time.perf_counter() - started:.1f} s")
        run(app, data, args)
    finally:
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
