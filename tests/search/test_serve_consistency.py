"""The index is in step with every worker of a real server (issue 3, "Must hold").

Real gunicorn with 4 sync workers on a fresh migrated database (SQLite with whoosh; in the
PostgreSQL run also PostgreSQL with PostgresBackend): 16 clients post 80 listings at once,
and a single search right after the last answer finds all 80; an edit is found by the very
next search.
"""

import os
import secrets
import threading
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest

from tests.search.conftest import BACKENDS
from tests.serving import call, register, running_gunicorn

pytestmark = pytest.mark.slow

CLIENTS = 16
PER_CLIENT = 5


@pytest.fixture(params=BACKENDS)
def server(request, tmp_path):
    """gunicorn with 4 sync workers on a migrated database under a tmp instance dir: SQLite with
    the whoosh index, or (PostgreSQL run) a fresh PostgreSQL schema with PostgresBackend."""
    if request.param == "whoosh":
        with running_gunicorn(tmp_path) as (base, log_path):
            yield base
            assert "LockError" not in log_path.read_text(errors="replace")
        return
    base_uri = os.environ["MARKETPLACE_TEST_DATABASE"]
    plain = base_uri.replace("postgresql+psycopg://", "postgresql://")
    schema = f"serve_{os.getpid()}_{secrets.token_hex(4)}"
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    uri = f"{base_uri}?options=-csearch_path%3D{schema}"
    try:
        settings = {"MARKETPLACE_SEARCH_BACKEND": "postgres"}
        with running_gunicorn(tmp_path, database_uri=uri, settings=settings) as (base, _):
            yield base
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def test_eighty_listings_posted_at_once_are_all_found_and_an_edit_on_the_next_search(server):
    token = register(server, 1)
    barrier = threading.Barrier(CLIENTS)

    def client(c: int) -> list[tuple[int, dict]]:
        barrier.wait()
        answers = []
        for k in range(PER_CLIENT):
            n = c * PER_CLIENT + k
            answers.append(
                call(
                    server,
                    "POST",
                    "/api/v1/listings",
                    token,
                    {
                        "kind": "offer",
                        "title": f"Konsistenzprobe {n} Europaletten",
                        "description": "Gut erhalten, abzuholen im Lager.",
                        "category": "pallets",
                        "quantity": 10,
                        "unit": "piece",
                    },
                )
            )
        return answers

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        answers = [a for batch in pool.map(client, range(CLIENTS)) for a in batch]
    assert [status for status, _ in answers] == [201] * CLIENTS * PER_CLIENT, answers
    posted = {body["id"] for _, body in answers}
    assert len(posted) == CLIENTS * PER_CLIENT

    status, found = call(server, "GET", "/api/v1/listings?q=Konsistenzprobe&per_page=100")
    assert status == 200, found
    assert found["total"] == CLIENTS * PER_CLIENT
    assert {item["id"] for item in found["items"]} == posted

    edited = min(posted)
    status, body = call(
        server,
        "PATCH",
        f"/api/v1/listings/{edited}",
        token,
        {"title": "Konsistenzprobe Zwischenlagerkisten"},
    )
    assert status == 200, body
    status, found = call(server, "GET", "/api/v1/listings?q=Zwischenlagerkisten")
    assert status == 200, found
    assert [item["id"] for item in found["items"]] == [edited]
    assert found["total"] == 1
