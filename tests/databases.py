"""A fresh, empty database per test for the concurrency tests (real servers, many threads): a
file SQLite database, or a schema of its own in PostgreSQL.

Each variant runs once per `make test`: in the PostgreSQL run of the suite
(MARKETPLACE_TEST_DATABASE set) the SQLite variant is left to the SQLite run, and the SQLite run
leaves the PostgreSQL variant to the PostgreSQL run when `make test` says one follows
(MARKETPLACE_TEST_POSTGRES_RUN_FOLLOWS). Run alone, the SQLite run tries both; the PostgreSQL
variant is skipped only when PostgreSQL does not answer."""

import os
import secrets

import psycopg
import pytest

PG_BASE = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PG_PLAIN = "host=127.0.0.1 port=5432 dbname=test user=postgres"


def _postgres_answers() -> bool:
    try:
        psycopg.connect(PG_PLAIN, connect_timeout=3).close()
    except psycopg.Error:
        return False
    return True


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    """A fresh, empty database: a file SQLite database, or a schema of its own in PostgreSQL."""
    postgres_run = os.environ.get("MARKETPLACE_TEST_DATABASE", "").startswith("postgres")
    if request.param == "sqlite":
        if postgres_run:
            pytest.skip("the SQLite variant runs in the SQLite run of the suite")
        yield f"sqlite:///{tmp_path / 'concurrency.db'}"
        return
    if not postgres_run and os.environ.get("MARKETPLACE_TEST_POSTGRES_RUN_FOLLOWS"):
        pytest.skip("the PostgreSQL variant runs in the PostgreSQL run of the suite")
    if not _postgres_answers():
        pytest.skip("PostgreSQL does not answer on 127.0.0.1:5432")
    schema = f"concurrency_{os.getpid()}_{secrets.token_hex(4)}"
    with psycopg.connect(PG_PLAIN, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{PG_BASE}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(PG_PLAIN, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
