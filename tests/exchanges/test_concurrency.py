"""However many clients accept at once, an offer is never over-allocated (security.md 16-17).

(a) Real gunicorn with 4 sync workers: 20 proposals of 5 on an offer of 50, accepted from 20
    threads at once: exactly 10 answers 200 and 10 answer 409, nothing is left, the offer is
    reserved, no server error. On SQLite and on PostgreSQL.
(b) Service level: 64 threads, each with its own app context and session, make 400 one-unit
    claims (acceptances of one-unit proposals) on an offer of 100 units, repeated: never more
    than 100 allocated. On a file SQLite database and on PostgreSQL.

The PostgreSQL variants are skipped only when PostgreSQL does not answer; in the PostgreSQL run
of the suite (MARKETPLACE_TEST_DATABASE set) the SQLite variants are left to the SQLite run.
"""

import secrets
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from sqlalchemy import func, insert, select

from marketplace import create_app
from marketplace.auth.models import User
from marketplace.categories.taxonomy import sync_taxonomy
from marketplace.core.errors import Conflict
from marketplace.exchanges.models import Exchange
from marketplace.exchanges.services import accept_exchange
from marketplace.extensions import db
from marketplace.listings.models import Listing
from tests import factories
from tests.serving import call, register, running_gunicorn

pytestmark = pytest.mark.slow

# -- (a) real server ------------------------------------------------------------------------------


@pytest.fixture
def server(database, tmp_path):
    """gunicorn with 4 sync workers on a migrated database; yields its base address."""
    with running_gunicorn(tmp_path, database) as (base, _log):
        yield base


def test_twenty_accepts_at_once_on_an_offer_of_fifty_reserve_exactly_ten(server):
    provider = register(server, 0)
    status, offer = call(
        server,
        "POST",
        "/api/v1/listings",
        provider,
        {
            "kind": "offer",
            "title": "Europaletten aus dem Lager",
            "category": "pallets",
            "quantity": 50,
            "unit": "piece",
        },
    )
    assert status == 201, offer

    def propose(n: int) -> int:
        token = register(server, n)
        status, exchange = call(
            server, "POST", "/api/v1/exchanges", token, {"offer_id": offer["id"], "quantity": 5}
        )
        assert status == 201, exchange
        return exchange["id"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        exchange_ids = list(pool.map(propose, range(1, 21)))

    barrier = threading.Barrier(len(exchange_ids))
    answers: list[int] = []

    def accept(exchange_id: int) -> None:
        barrier.wait()
        answers.append(call(server, "POST", f"/api/v1/exchanges/{exchange_id}/accept", provider)[0])

    threads = [threading.Thread(target=accept, args=(i,)) for i in exchange_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert Counter(answers) == {200: 10, 409: 10}
    status, listing = call(server, "GET", f"/api/v1/listings/{offer['id']}")
    assert status == 200
    assert (listing["quantity_remaining"], listing["status"]) == (0, "reserved")
    status, accepted = call(server, "GET", "/api/v1/exchanges?status=accepted", provider)
    assert accepted["total"] == 10
    assert sum(item["quantity"] for item in accepted["items"]) == 50


# -- (b) service level ----------------------------------------------------------------------------

CLIENTS = 64
CLAIMS_PER_RUN = 400
UNITS = 100
RUNS = 5


@pytest.fixture
def claims_app(database, tmp_path):
    """An app of its own whose pool has a connection for every client thread."""
    app = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path / "claims"),
            "SECRET_KEY": secrets.token_hex(32),
            "SQLALCHEMY_DATABASE_URI": database,
            "SQLALCHEMY_ENGINE_OPTIONS": {
                "pool_size": CLIENTS + 2,
                "max_overflow": 0,
                "pool_timeout": 60,
            },
            "SERVER_NAME": "localhost",
            "MAIL_BACKEND": "locmem",
            "RATELIMIT_ENABLED": False,
        }
    )
    # What is under test is the allocation; the search index follows commits in its own tests.
    app.extensions.pop("search", None)
    with app.app_context():
        db.create_all()
        with db.engine.begin() as conn:
            sync_taxonomy(conn)
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


def _prepare_run(app, provider_id: int, receiver_org_id: int) -> tuple[int, list[int]]:
    """A fresh offer of UNITS and CLAIMS_PER_RUN proposals of one unit each."""
    with app.app_context():
        provider = db.session.get(User, provider_id)
        offer = factories.listing(organisation=provider.organisation, quantity=Decimal(UNITS))
        rows = [
            {
                "offer_id": offer.id,
                "provider_id": provider.organisation_id,
                "receiver_id": receiver_org_id,
                "category_id": offer.category_id,
                "quantity": Decimal(1),
                "unit": offer.unit,
                "message": "",
                "status": "proposed",
                "activity_seq": 1,
                "receiver_seq": 1,
                "provider_seq": 0,
            }
            for _ in range(CLAIMS_PER_RUN)
        ]
        db.session.execute(insert(Exchange), rows)
        db.session.commit()
        ids = list(
            db.session.execute(select(Exchange.id).where(Exchange.offer_id == offer.id)).scalars()
        )
        offer_id = offer.id
        db.session.remove()
    return offer_id, ids


def test_64_clients_claiming_400_times_never_allocate_more_than_100(claims_app, database):
    app = claims_app
    with app.app_context():
        provider = factories.user()
        receiver = factories.user()
        provider_id, receiver_org_id = provider.id, receiver.organisation_id
        db.session.remove()

    start = threading.Barrier(CLIENTS + 1)
    done = threading.Barrier(CLIENTS + 1)
    work: dict[int, list[int]] = {}
    tallies = [Counter() for _ in range(CLIENTS)]
    errors: list[str] = []

    def client(n: int) -> None:
        with app.app_context():
            for _ in range(RUNS):
                start.wait()
                for exchange_id in work[n]:
                    try:
                        user = db.session.get(User, provider_id)
                        accept_exchange(user, db.session.get(Exchange, exchange_id))
                        db.session.commit()
                        tallies[n]["accepted"] += 1
                    except Conflict:
                        db.session.rollback()
                        tallies[n]["refused"] += 1
                    except Exception as error:  # noqa: BLE001 - every failure is reported
                        db.session.rollback()
                        errors.append(repr(error)[:300])
                db.session.remove()
                done.wait()

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    results = []
    began = time.monotonic()
    for _ in range(RUNS):
        offer_id, ids = _prepare_run(app, provider_id, receiver_org_id)
        for n in range(CLIENTS):
            work[n] = ids[n::CLIENTS]
        before = sum(t["accepted"] for t in tallies)
        start.wait()
        done.wait(timeout=120)
        with app.app_context():
            offer = db.session.get(Listing, offer_id)
            allocated = db.session.execute(
                select(func.coalesce(func.sum(Exchange.quantity), 0)).where(
                    Exchange.offer_id == offer_id, Exchange.status.in_(("accepted", "completed"))
                )
            ).scalar_one()
            results.append(
                (
                    int(allocated),
                    sum(t["accepted"] for t in tallies) - before,
                    offer.quantity_remaining,
                    offer.status,
                )
            )
            db.session.remove()
    for thread in threads:
        thread.join(timeout=30)
    elapsed = time.monotonic() - began

    refused = sum(t["refused"] for t in tallies)
    print(
        f"\n{database.split(':')[0]}: {RUNS} runs, each {CLAIMS_PER_RUN} one-unit claims from "
        f"{CLIENTS} client threads on {UNITS} units; allocated per run "
        f"{[r[0] for r in results]}; refused {refused}; errors {len(errors)}; {elapsed:.1f} s"
    )
    assert errors == []
    for allocated, accepted, remaining, status in results:
        assert allocated == accepted == UNITS
        assert (remaining, status) == (Decimal(0), "reserved")
    assert refused == RUNS * (CLAIMS_PER_RUN - UNITS)
