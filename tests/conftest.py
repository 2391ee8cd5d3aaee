"""Shared fixtures: a real database (SQLite file, or PostgreSQL when MARKETPLACE_TEST_DATABASE
names one, a schema per xdist worker), the Flask test client, the CLI runner and factories."""

import os

import psycopg
import pytest
from sqlalchemy import text

from marketplace import create_app
from marketplace.categories.taxonomy import sync_taxonomy
from marketplace.extensions import db
from tests import factories

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
            "WTF_CSRF_ENABLED": False,
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
        with psycopg.connect(pg.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
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
        tables = [t for t in reversed(db.metadata.sorted_tables) if t.name not in REFERENCE_TABLES]
        with db.engine.begin() as conn:
            for table in tables:
                conn.execute(table.delete())
            if db.engine.dialect.name == "postgresql":
                for table in tables:
                    conn.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), 1, false)"
                        )
                    )


@pytest.fixture
def app_ctx(app):
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make(app_ctx):
    """Factories bound to the test's app context: make.organisation(), make.user(), make.listing()."""
    return factories


@pytest.fixture
def login_as(app, client):
    """Sign the test client in as a user through a real server-side session row."""
    import secrets

    from marketplace.auth.models import UserSession
    from marketplace.auth.sessions import hash_secret

    def _login(user):
        key = secrets.token_urlsafe(32)
        with app.app_context():
            db.session.add(UserSession(user_id=user.id, key_hash=hash_secret(key)))
            db.session.commit()
        with client.session_transaction() as session:
            session["_user_id"] = f"{user.id}:{key}"
            session["_fresh"] = True
        return user

    return _login


@pytest.fixture
def api(app, client):
    """Call the JSON API as a user: api.get(path, as_=user), api.post(path, json=..., as_=user)."""
    from marketplace.auth.tokens import issue_api_token

    class Api:
        def headers(self, user):
            if user is None:
                return {}
            with app.app_context():
                token, _ = issue_api_token(user)
                db.session.commit()
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
