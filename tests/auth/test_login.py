"""Signing in and out through the web pages."""

import logging
import re

import pytest

from marketplace.auth.models import UserSession
from tests.auth.conftest import count
from tests.factories import PASSWORD


def _without_tokens(page: str) -> str:
    """The page without its per-request CSRF tokens."""
    return re.sub(r'name="csrf_token"[^>]*value="[^"]*"', "", page)


def _sessions(app) -> int:
    return count(UserSession)


def test_login_form_has_the_contract_field_names_and_a_csrf_token(client, csrf_on):
    page = client.get("/login").get_data(as_text=True)
    assert 'name="email"' in page and 'name="password"' in page
    assert 'name="csrf_token"' in page


def test_sign_in_with_right_password_opens_a_server_side_session(app, client, make, sign_in):
    user = make.user(email="greta@example.org")
    response = sign_in("Greta@Example.org")
    assert (
        response.status_code == 302 and response.headers["Location"] == "/start"
    )  # the start page
    assert _sessions(app) == 1
    page = client.get("/profile")
    assert page.status_code == 200 and user.email in page.get_data(as_text=True)


def test_sign_in_renews_the_session(app, client, make, sign_in):
    user = make.user()
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    sign_in(user.email)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"].startswith(f"{user.id}:")


def test_unknown_address_and_wrong_password_get_the_same_answer(client, make, sign_in):
    make.user(email="greta@example.org")
    wrong = sign_in("greta@example.org", "falsches-passwort")
    unknown = sign_in("niemand@example.org", "falsches-passwort")
    assert wrong.status_code == unknown.status_code == 200
    wrong_page = _without_tokens(wrong.get_data(as_text=True).replace("greta@example.org", "X"))
    unknown_page = _without_tokens(
        unknown.get_data(as_text=True).replace("niemand@example.org", "X")
    )
    assert wrong_page == unknown_page
    assert "The e-mail address or the password is not correct." in wrong_page


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "https://evil.example/",
        "///evil.example",
        "/\r\nLocation: https://evil.example",
        "/\tevil",
        "javascript:alert(1)",
    ],
)
def test_next_never_leaves_the_site(client, make, sign_in, target):
    user = make.user()
    response = sign_in(user.email, next=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/start"


def test_next_to_a_page_of_the_site_is_followed(client, make):
    user = make.user()
    form = client.get("/login?next=/listings%3Fkind%3Doffer").get_data(as_text=True)
    assert 'value="/listings?kind=offer"' in form
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "next": "/listings?kind=offer"}
    )
    assert response.headers["Location"] == "/listings?kind=offer"


def test_protected_page_sends_to_login_and_back(client, make, sign_in):
    user = make.user()
    response = client.get("/profile")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")
    assert sign_in(user.email, next="/profile").headers["Location"] == "/profile"


def test_logout_ends_the_session_so_a_replayed_cookie_fails(app, client, make, sign_in):
    user = make.user()
    sign_in(user.email)
    stolen = client.get_cookie("session").value
    assert client.post("/logout").status_code == 302
    assert _sessions(app) == 0
    client.set_cookie("session", stolen, domain="localhost")
    response = client.get("/profile")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_logout_only_by_post(client, make, login_as):
    login_as(make.user())
    assert client.get("/logout").status_code == 405
    assert client.get("/profile").status_code == 200


def test_web_login_is_throttled_with_a_clear_message(client, make, sign_in, throttle_on):
    user = make.user()
    for _ in range(3):
        assert sign_in(user.email, "falsches-passwort").status_code == 200
    response = sign_in(user.email, PASSWORD)
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    page = response.get_data(as_text=True)
    assert "Too many failed sign-in attempts" in page and 'name="password"' in page
    assert client.get("/profile").status_code == 302


def test_login_and_logout_need_the_csrf_token_when_enabled(client, make, login_as, csrf_on):
    user = make.user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    login_as(user)
    assert client.post("/logout").status_code == 400
    assert client.get("/profile").status_code == 200


def test_login_with_csrf_token_works_when_enabled(client, make, csrf_on):
    user = make.user()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


def test_logins_and_denials_are_logged_without_secrets(client, make, sign_in, caplog):
    user = make.user(email="greta@example.org")
    caplog.set_level(logging.INFO, logger="marketplace.auth")
    sign_in(user.email, "falsches-passwort")
    sign_in(user.email)
    messages = [r.getMessage() for r in caplog.records if r.name == "marketplace.auth"]
    assert any("refused" in m for m in messages)
    assert any(f"User {user.id} signed in" in m for m in messages)
    text = "\n".join(messages)
    assert PASSWORD not in text and "falsches-passwort" not in text
    assert "greta@example.org" not in text


# -- lockouts nobody else can trigger (issue 16, point 2) ----------------------------------------


def test_a_device_that_signed_in_before_keeps_signing_in_while_others_guess(
    app, client, make, sign_in, throttle_on
):
    """Ten wrong passwords from anywhere locked the owner out, even with the right one."""
    owner = make.user()
    assert sign_in(owner.email).status_code == 302  # this browser now carries a device cookie
    client.post("/logout")
    attacker = app.test_client()
    for _ in range(6):  # past the account's and the address's limits
        attacker.post("/login", data={"email": owner.email, "password": "geraten"})
    refused = attacker.post("/login", data={"email": owner.email, "password": PASSWORD})
    assert refused.status_code == 429  # an unknown device stays throttled
    assert sign_in(owner.email).status_code == 302  # the owner's own browser is not
    assert client.get("/profile").status_code == 200


def test_a_trusted_device_is_throttled_on_its_own(app, client, make, sign_in, throttle_on):
    app.config["LOGIN_FAILURES_PER_DEVICE"] = 3
    try:
        owner = make.user()
        sign_in(owner.email)
        client.post("/logout")
        for _ in range(3):
            assert sign_in(owner.email, "vertippt").status_code == 200
        assert sign_in(owner.email).status_code == 429
        # the device's failures do not lock the account elsewhere
        other = app.test_client()
        assert (
            other.post("/login", data={"email": owner.email, "password": PASSWORD}).status_code
            == 302
        )
    finally:
        app.config["LOGIN_FAILURES_PER_DEVICE"] = 10


def test_a_device_cookie_of_another_account_or_forged_is_not_trusted(
    app, client, make, sign_in, throttle_on
):
    first, second = make.user(), make.user()
    sign_in(first.email)  # a cookie for the first account only
    client.post("/logout")
    for _ in range(3):
        sign_in(second.email, "geraten")
    assert sign_in(second.email).status_code == 429
    client.set_cookie("device", "forged.value", path="/login")
    for _ in range(3):
        sign_in(second.email, "geraten")
    assert sign_in(second.email).status_code == 429  # a forged cookie trusts nothing


@pytest.mark.parametrize("path", ["/login", "/api/v1/tokens"])
def test_sign_in_routes_have_a_limit_per_address(limited_app, path):
    """Guessing across many accounts from one address meets a route limit of its own."""
    client = limited_app.test_client()
    answers = []
    for n in range(5):
        body = {"email": f"person{n}@example.org", "password": "geraten"}
        answer = client.post(path, json=body) if "api" in path else client.post(path, data=body)
        answers.append(answer.status_code)
    assert answers[-1] == 429 and 429 not in answers[:4], answers
