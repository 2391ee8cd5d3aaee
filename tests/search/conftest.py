"""Search fixtures: the app's backend with an empty index for every test (the app is shared by
the session; each test starts with no listings in the database).

In the PostgreSQL run every test using `search` runs twice, against the whoosh index and the
PostgreSQL backend (one search contract, two engines); tests about whoosh's own machinery (its
store, segments, writer processes, drift of the index folder) are marked `whoosh_only`."""

import os
import time

import pytest

ON_POSTGRES = os.environ.get("MARKETPLACE_TEST_DATABASE", "").startswith("postgres")
BACKENDS = ("whoosh", "postgres") if ON_POSTGRES else ("whoosh",)


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "whoosh_only: about the whoosh index's internals; not run on PostgresBackend"
    )
    config.addinivalue_line(
        "markers", "postgres_only: about PostgresBackend's own promises (the PostgreSQL run)"
    )


def pytest_generate_tests(metafunc):
    if "search" in metafunc.fixturenames:
        marked = metafunc.definition.get_closest_marker
        backends = BACKENDS
        if marked("whoosh_only"):
            backends = ("whoosh",)
        elif marked("postgres_only"):
            backends = ("postgres",) if ON_POSTGRES else ()
        metafunc.parametrize("search", backends, indirect=True)


@pytest.fixture(scope="session")
def postgres_search(app):
    """A PostgresBackend on the worker's schema, its tables created as the migrations would
    (pg_trgm for "did you mean")."""
    import sqlalchemy as sa

    from marketplace.extensions import db
    from marketplace.search.postgres import PostgresBackend, tables
    from marketplace.search.postgres.words import trigram_schema

    with app.app_context(), db.engine.begin() as conn:
        if trigram_schema(conn) is None:
            conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))
        tables.create_all(conn)
        return PostgresBackend(db.engine)


@pytest.fixture
def search(request, app_ctx):
    """The backend with no documents. For whoosh: no automatic drift checks (tests that are
    about drift switch them on), so that what a test sees comes from following commits."""
    whoosh = app_ctx.extensions["search"]
    if getattr(request, "param", "whoosh") == "postgres":
        backend = request.getfixturevalue("postgres_search")
        backend.clear()
        app_ctx.extensions["search"] = backend
        try:
            yield backend
        finally:
            app_ctx.extensions["search"] = whoosh
        return
    whoosh.clear()
    interval = whoosh.drift_interval_s
    whoosh.drift_interval_s = 1e9
    whoosh._last_drift_check = time.monotonic()
    whoosh._drift_requested = False  # an earlier test's failed write must not heal this one's
    yield whoosh
    whoosh.drift_interval_s = interval
    whoosh._last_drift_check = 0.0


@pytest.fixture
def listing(make):
    """Make a listing with a title (and optionally more fields) in one call; the category
    defaults to tools, whose names share no word with the test queries."""
    from tests.factories import category

    def _listing(title, description="", **kw):
        kw.setdefault("category", category("tools"))
        return make.listing(title=title, description=description, **kw)

    return _listing
