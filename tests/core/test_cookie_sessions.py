"""A session cookie checked once is kept per process (core/cookie_sessions.py): a changed or
too old cookie still signs nobody in, and flashed messages are never shared."""

from datetime import timedelta

import time_machine


def test_a_kept_cookie_ages_like_any_other(app, make, client, login_as):
    login_as(make.user())
    assert client.get("/listings/mine").status_code == 200
    assert client.get("/listings/mine").status_code == 200  # now from what was kept
    lifetime = app.permanent_session_lifetime
    with time_machine.travel(timedelta(seconds=lifetime.total_seconds() + 60)):
        assert client.get("/listings/mine").status_code == 302


def test_a_changed_cookie_signs_nobody_in(app, make, client, login_as):
    login_as(make.user())
    assert client.get("/listings/mine").status_code == 200
    name = app.config.get("SESSION_COOKIE_NAME", "session")
    value = client.get_cookie(name).value
    forged = value[:-2] + ("AA" if not value.endswith("AA") else "BB")
    client.set_cookie(name, forged)
    assert client.get("/listings/mine").status_code == 302


def test_a_flashed_message_shows_once(make, client, login_as):
    login_as(make.user())
    client.get("/listings/mine")
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Gespeichert-Zeichen 4711")]
    assert "Gespeichert-Zeichen 4711" in client.get("/listings/mine").text
    assert "Gespeichert-Zeichen 4711" not in client.get("/listings/mine").text
