"""Shared fixtures: a real database (SQLite file, or PostgreSQL when MARKETPLACE_TEST_DATABASE
names one, a schema per xdist worker), the Flask test client, the CLI runner and factories."""

import contextlib
import contextvars
import os
import secrets

import psycopg
import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from sqlalchemy import text

from marketplace import create_app
from marketplace.categories.taxonomy import sync_taxonomy
from marketplace.extensions import db
from tests import factories
from tests.databases import database  # noqa: F401 - the concurrency tests' fixture

#: Tables whose rows belong to the shipped reference data and survive between tests.
REFERENCE_TABLES = {"categories", "alembic_version"}


def _postgres_uri(base: str, worker_id: str) -> str:
    schema = f"test_{worker_id}_{os.getpid()}"
    plain = base.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        conn.execute(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}options=-csearch_path%3D{schema}"


@pytest.fixture(scope="session")
def app(tmp_path_factory, worker_id):
    instance = tmp_path_factory.mktemp("instance")
    pg = os.environ.get("MARKETPLACE_TEST_DATABASE")
    uri = _postgres_uri(pg, worker_id) if pg else f"sqlite:///{instance / 'test.db'}"
    app = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(instance),
            "SECRET_KEY": "tests-" + "k" * 40,
            "SQLALCHEMY_DATABASE_URI": uri,
            "SERVER_NAME": "localhost",
            "MAIL_BACKEND": "locmem",
            "RATELIMIT_ENABLED": False,
            # argon2 takes 100-200 ms a hash on purpose; the tests that are about that cost
            # (tests/auth/test_concurrent_logins.py, test_passwords.py) ask for the real one.
            "PASSWORD_HASH_PROFILE": "CHEAPEST",
            # Jobs run in the process unless a test sends them to Redis (tests/jobs), even when
            # the developer's shell exports MARKETPLACE_REDIS_URL.
            "REDIS_URL": None,
            # The booking sweep runs only when a test asks for it (tests/bookings/test_sweep.py).
            "BOOKING_SWEEP_INTERVAL_S": 0,
            "WTF_CSRF_ENABLED": False,
            # Tests assert the English source text unless they ask for German (Accept-Language
            # or the user's locale); the product's default, German, is checked in test_app.py.
            "BABEL_DEFAULT_LOCALE": "en",
        }
    )
    with app.app_context():
        db.create_all()
        with db.engine.begin() as conn:
            sync_taxonomy(conn)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    if pg:
        schema = f"test_{worker_id}_{os.getpid()}"
        with psycopg.connect(
            pg.replace("postgresql+psycopg://", "postgresql://"), autocommit=True
        ) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(autouse=True)
def _clean_tables(request, app):
    """Each test starts with only the reference data; rows are deleted, not rolled back, because
    services and views commit for real."""
    yield
    if "app" not in request.fixturenames:
        return
    with app.app_context():
        db.session.remove()
        search = app.extensions.get("search")
        if search is not None:
            search.clear()  # the rows go behind the index's back; it must not outlive them
        tables = [t for t in reversed(db.metadata.sorted_tables) if t.name not in REFERENCE_TABLES]
        with db.engine.begin() as conn:
            for table in tables:
                conn.execute(table.delete())
            if db.engine.dialect.name == "postgresql":
                for table in (t for t in tables if "id" in t.c):
                    conn.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), 1, false)"
                        )
                    )


@pytest.fixture
def csrf_on(app):
    """CSRF protection as in production (the test app leaves it off)."""
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def app_ctx(app):
    with app.app_context():
        yield app
        db.session.remove()


class FreshContextClient(FlaskClient):
    """Each request runs in its own app context, as in production: a fresh `g` (Flask-Login caches
    the signed-in user there) and a fresh database session. With Flask 3.1 a request would
    otherwise reuse the test's app context (pushed by `make`). The test's own transaction is
    committed first, so that its rows are visible and SQLite's write lock is free."""

    def open(self, *args, **kwargs):
        if has_app_context():
            db.session.commit()
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def client(app):
    app.test_client_class = FreshContextClient
    try:
        yield app.test_client()
    finally:
        app.test_client_class = None


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make(app_ctx):
    """Factories bound to the test's app context: make.organisation(), make.user(), make.listing()."""
    return factories


@contextlib.contextmanager
def _session_of(app):
    """The test's own session when it holds an app context, else a short-lived one. A second
    session would wait for SQLite's write lock while the test's session holds it (outside
    requests every transaction begins IMMEDIATE)."""
    if has_app_context():
        yield db.session
        return
    with app.app_context():
        yield db.session
        db.session.remove()


@pytest.fixture
def login_as(app, client):
    """Sign the test client (or another `browser` of the app) in as a user through a real
    server-side session row."""
    from marketplace.auth.models import UserSession
    from marketplace.auth.sessions import hash_secret

    def _login(user, browser=None):
        key = secrets.token_urlsafe(32)
        with _session_of(app) as session:
            session.add(UserSession(user_id=user.id, key_hash=hash_secret(key)))
            session.commit()
        with (browser or client).session_transaction() as cookie_session:
            cookie_session["_user_id"] = f"{user.id}:{key}"
            cookie_session["_fresh"] = True
        return user

    return _login


@pytest.fixture
def outbox(app):
    """Mail sent through Flask-Mailman's locmem backend during the test."""
    mailman = app.extensions["mailman"]
    mailman.outbox = []
    yield mailman.outbox
    mailman.outbox = []


@pytest.fixture
def api(app, client):
    """Call the JSON API as a user: api.get(path, as_=user), api.post(path, json=..., as_=user)."""
    from marketplace.auth.tokens import issue_api_token

    class Api:
        def headers(self, user):
            if user is None:
                return {}
            with _session_of(app) as session:
                token, _ = issue_api_token(user)
                session.commit()
            return {"Authorization": f"Bearer {token}"}

        def _call(self, method, path, as_=None, headers=None, **kw):
            return client.open(
                path, method=method, headers={**self.headers(as_), **(headers or {})}, **kw
            )

        def get(self, path, **kw):
            return self._call("GET", path, **kw)

        def post(self, path, **kw):
            return self._call("POST", path, **kw)

        def patch(self, path, **kw):
            return self._call("PATCH", path, **kw)

        def delete(self, path, **kw):
            return self._call("DELETE", path, **kw)

    return Api()


@pytest.fixture
def german_by_default(app):
    """The product's own default language (tests otherwise default to the English source text)."""
    app.config["BABEL_DEFAULT_LOCALE"] = "de"
    yield
    app.config["BABEL_DEFAULT_LOCALE"] = "en"


@pytest.fixture
def quiet_sweeps(app, monkeypatch):
    """The periodic sweeps (expiry, digests, bookings, index drift) off for a test that counts
    a page's queries: on a slow machine one of them fell due between two counts (0 turns a
    request-time sweep off; a large interval still let the first request of a process sweep,
    and that sweep waited out the busy timeout behind the test's own session)."""
    for name in (
        "EXPIRY_SWEEP_INTERVAL_S",
        "MATCH_DIGEST_SWEEP_INTERVAL_S",
        "BOOKING_SWEEP_INTERVAL_S",
    ):
        monkeypatch.setitem(app.config, name, 0)
    search = app.extensions.get("search")
    if search is not None:
        monkeypatch.setattr(search, "drift_interval_s", 10.0**9)
