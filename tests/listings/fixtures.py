"""Client fixtures for listing and API tests that keep clear of SQLite's write lock.

Outside requests every transaction begins IMMEDIATE, so a test's own session that has read an
attribute holds the write lock; a request or a fixture writing through another session would then
wait for the busy timeout and fail. So: each request runs in a fresh context (as in production)
after the test's transaction is committed, and sign-ins and tokens are written in the test's own
session. (tests/auth/conftest.py does the same for its tests.)"""

import contextvars
import secrets

import pytest
from flask import has_app_context
from flask.testing import FlaskClient

from marketplace.auth.models import UserSession
from marketplace.auth.sessions import hash_secret
from marketplace.auth.tokens import issue_api_token
from marketplace.extensions import db


class FreshContextClient(FlaskClient):
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
def login_as(app_ctx, client):
    """Sign the test client in as a user (a real server-side session row)."""

    def _login(user):
        key = secrets.token_urlsafe(32)
        db.session.add(UserSession(user_id=user.id, key_hash=hash_secret(key)))
        db.session.commit()
        with client.session_transaction() as session:
            session["_user_id"] = f"{user.id}:{key}"
            session["_fresh"] = True
        return user

    return _login


@pytest.fixture
def api(app_ctx, client):
    """Call the JSON API as a user: api.get(path, as_=user), api.post(path, json=..., as_=user)."""

    class Api:
        def headers(self, user):
            if user is None:
                return {}
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
