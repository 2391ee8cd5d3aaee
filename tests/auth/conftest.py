"""Fixtures for account tests: the captured mail, throttling and CSRF switched on, signing in
through the real login form."""

import re

import pytest

from marketplace.auth.passwords import DEFAULT_PROFILE
from marketplace.extensions import db
from tests.factories import PASSWORD


@pytest.fixture
def real_password_cost(app):
    """argon2 with the shipped parameters (the suite hashes with the cheapest ones)."""
    saved = app.config["PASSWORD_HASH_PROFILE"]
    app.config["PASSWORD_HASH_PROFILE"] = DEFAULT_PROFILE
    yield
    app.config["PASSWORD_HASH_PROFILE"] = saved


@pytest.fixture
def throttle_on(app):
    """The failed-login throttle (off in tests by RATELIMIT_ENABLED=False) with small limits."""
    keys = ("RATELIMIT_ENABLED", "LOGIN_FAILURES_PER_ACCOUNT", "LOGIN_FAILURES_PER_ADDRESS")
    saved = {key: app.config[key] for key in keys}
    app.config.update(
        RATELIMIT_ENABLED=True, LOGIN_FAILURES_PER_ACCOUNT=3, LOGIN_FAILURES_PER_ADDRESS=5
    )
    yield app.config
    app.config.update(saved)


@pytest.fixture
def sign_in(client):
    """Sign in through the login form, as a browser would."""

    def _sign_in(email, password=PASSWORD, **extra):
        return client.post("/login", data={"email": email, "password": password, **extra})

    return _sign_in


def fresh(obj):
    """The object as the database has it now (after requests changed it)."""
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


def count(model, *where) -> int:
    from sqlalchemy import func, select

    db.session.expire_all()
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def link_in(message, path: str) -> str:
    """The token of the first link to `path` in a captured mail."""
    match = re.search(rf"http://localhost{re.escape(path)}(\S+)", message.body)
    assert match, message.body
    return match.group(1)


@pytest.fixture
def in_request(app_ctx):
    """A request context for calling services directly (translations pick the locale from it)."""
    with app_ctx.test_request_context("/", method="POST"):
        yield


@pytest.fixture
def bearer(app_ctx):
    """Authorization headers with a fresh API token for a user (made in the test's session)."""
    from marketplace.auth.tokens import issue_api_token

    def _bearer(user) -> dict:
        token, _ = issue_api_token(user)
        db.session.commit()
        return {"Authorization": f"Bearer {token}"}

    return _bearer


@pytest.fixture
def limited_app(app):
    """An app on the test database with the route limits on (the shared limiter is initialised
    only by an app that starts with them on); limits are switched off again afterwards."""
    from marketplace import create_app
    from marketplace.extensions import limiter

    limited = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": app.instance_path,
            "SECRET_KEY": app.config["SECRET_KEY"],
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SERVER_NAME": "localhost",
            "MAIL_BACKEND": "locmem",
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            "LOGIN_ROUTE_LIMIT": "4 per minute",
            "WTF_CSRF_ENABLED": False,
            "BABEL_DEFAULT_LOCALE": "en",
        }
    )
    limiter.reset()
    yield limited
    limiter.reset()
    limiter.enabled = False
    with limited.app_context():
        from marketplace.extensions import db as database

        database.session.remove()
        database.engine.dispose()
