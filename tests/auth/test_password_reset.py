"""Forgotten password: the request page, the mail, the reset page."""

import re
from datetime import timedelta

from sqlalchemy import select

from marketplace.auth.models import PasswordResetToken
from marketplace.core.clock import utcnow
from marketplace.extensions import db
from tests.auth.conftest import link_in
from tests.factories import PASSWORD

NEW_PASSWORD = "Lastenrad-im-Hof-7"


def _without_tokens(response) -> str:
    return re.sub(r'name="csrf_token"[^>]*value="[^"]*"', "", response.get_data(as_text=True))


def _request_link(client, outbox, email) -> str:
    client.post("/password/forgot", data={"email": email})
    return link_in(outbox[-1], "/password/reset/")


def test_forgot_answers_the_same_whether_or_not_the_account_exists(client, make, outbox):
    make.user(email="greta@example.org")
    known = client.post("/password/forgot", data={"email": "greta@example.org"})
    client.get("/login")  # shows the flash message
    unknown = client.post("/password/forgot", data={"email": "niemand@example.org"})
    client.get("/login")
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"] == "/login"
    pages = [
        _without_tokens(
            client.post("/password/forgot", data={"email": email}, follow_redirects=True)
        )
        for email in ("greta@example.org", "niemand@example.org")
    ]
    assert pages[0] == pages[1] and "If an account exists for this address" in pages[0]
    assert [m.to for m in outbox] == [["greta@example.org"], ["greta@example.org"]]


def test_an_unknown_address_costs_the_same_work_as_a_known_one(app, client, make, outbox):
    """Issue 16: the answer for an existing account came about 5 ms later (a token, its row and
    the rendered mail). Both now hash a token and render the mail; only the known one is sent."""
    from flask import template_rendered

    import marketplace.auth.services as services

    make.user(email="greta@example.org")
    rendered, hashed = [], []

    def count(sender, template, context, **extra):
        rendered.append(template.name)

    real_hash = services.hash_secret
    template_rendered.connect(count, app)
    try:
        services.hash_secret = lambda value: hashed.append(1) or real_hash(value)
        for email in ("greta@example.org", "niemand@example.org"):
            rendered.clear(), hashed.clear()
            client.post("/password/forgot", data={"email": email})
            assert rendered.count("email/password_reset.txt") == 1, email
            assert len(hashed) == 1, email
    finally:
        services.hash_secret = real_hash
        template_rendered.disconnect(count, app)
    assert [m.to for m in outbox] == [["greta@example.org"]]


def test_reset_mail_has_an_absolute_single_use_link(client, make, outbox):
    user = make.user(name="Greta")
    token = _request_link(client, outbox, user.email)
    body = outbox[0].body
    assert f"http://localhost/password/reset/{token}" in body
    assert "Greta" in body and "60" in body
    assert outbox[0].subject


def test_reset_page_sets_the_new_password_and_signs_out_everywhere(
    app, client, make, login_as, outbox, sign_in
):
    user = make.user()
    login_as(user)
    token = _request_link(client, outbox, user.email)
    assert client.get(f"/password/reset/{token}").status_code == 200
    response = client.post(
        f"/password/reset/{token}",
        data={"password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert client.get("/profile").status_code == 302  # not signed in automatically
    assert sign_in(user.email, PASSWORD).status_code == 200  # the old password fails
    assert sign_in(user.email, NEW_PASSWORD).status_code == 302


def test_used_link_gives_a_clear_message(client, make, outbox):
    user = make.user()
    token = _request_link(client, outbox, user.email)
    data = {"password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD}
    client.post(f"/password/reset/{token}", data=data)
    again = client.post(f"/password/reset/{token}", data=data)
    assert again.status_code == 410
    assert "expired or has been used" in again.get_data(as_text=True)


def test_expired_link_gives_a_clear_message(app, client, make, outbox):
    user = make.user()
    token = _request_link(client, outbox, user.email)
    row = db.session.execute(select(PasswordResetToken)).scalar_one()
    row.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = client.get(f"/password/reset/{token}")
    assert response.status_code == 410
    assert "Request a new link" in response.get_data(as_text=True)


def test_unknown_link_is_not_found(client):
    assert client.get("/password/reset/made-up-token").status_code == 404


def test_reset_form_shows_password_problems_and_keeps_the_link(client, make, outbox):
    user = make.user()
    token = _request_link(client, outbox, user.email)
    mismatch = client.post(
        f"/password/reset/{token}", data={"password": NEW_PASSWORD, "password_repeat": "anders"}
    )
    assert "The two passwords do not match." in mismatch.get_data(as_text=True)
    common = client.post(
        f"/password/reset/{token}",
        data={"password": "passwort123", "password_repeat": "passwort123"},
    )
    assert "among the most common" in common.get_data(as_text=True)
    assert client.get(f"/password/reset/{token}").status_code == 200
