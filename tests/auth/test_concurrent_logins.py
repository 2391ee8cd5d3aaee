"""Signing in checks the password outside the write lock (issue 16, point 1): on SQLite a
password check (argon2, about 200 ms) inside `BEGIN IMMEDIATE` made concurrent logins queue past
the busy timeout and answer 500."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.factories import PASSWORD
from tests.serving import call, register_account, running_gunicorn

pytestmark = pytest.mark.slow

CLIENTS = 32


def test_thirty_two_token_requests_at_once_all_succeed(tmp_path):
    real_cost = {"MARKETPLACE_PASSWORD_HASH_PROFILE": "RFC_9106_LOW_MEMORY"}
    with running_gunicorn(tmp_path, workers=4, settings=real_cost) as (base, _log):
        email, password, _token = register_account(base, 1)
        barrier = threading.Barrier(CLIENTS)

        def sign_in(_):
            barrier.wait()
            return call(base, "POST", "/api/v1/tokens", body={"email": email, "password": password})

        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            answers = list(pool.map(sign_in, range(CLIENTS)))
    assert [status for status, _ in answers] == [201] * CLIENTS, answers


@pytest.mark.parametrize("throttled", [False, True], ids=["plain", "throttle on"])
def test_the_write_lock_is_free_while_the_password_is_checked(
    app, client, make, monkeypatch, throttle_on, throttled
):
    """Another writer can take SQLite's write lock at the moment argon2 runs."""
    import sqlite3

    import marketplace.auth.services as services

    if app.config["SQLALCHEMY_DATABASE_URI"].split(":")[0] != "sqlite":
        pytest.skip("the write lock held by BEGIN IMMEDIATE is SQLite's")
    if not throttled:
        app.config["RATELIMIT_ENABLED"] = False
    user = make.user(email="sperre@example.org")
    database = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    free = []
    real_verify = services.verify_password

    def verify_while_another_writes(password_hash, password):
        other = sqlite3.connect(database, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            free.append(True)
        except sqlite3.OperationalError:  # database is locked
            free.append(False)
        finally:
            other.close()
        return real_verify(password_hash, password)

    monkeypatch.setattr(services, "verify_password", verify_while_another_writes)
    right = client.post("/api/v1/tokens", json={"email": user.email, "password": PASSWORD})
    wrong = client.post("/api/v1/tokens", json={"email": user.email, "password": "falsch"})
    assert (right.status_code, wrong.status_code) == (201, 401)
    assert free == [True, True]
