"""The signed CSRF token is kept per process and reader (core/csrf_tokens.py): every page of a
reader carries one that the forms accept, no two readers share one, and with a time limit each
page signs afresh."""

import re
from datetime import timedelta

import time_machine

_TOKEN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def _tokens(client, path="/profile") -> set[str]:
    page = client.get(path)
    assert page.status_code == 200
    return set(_TOKEN.findall(page.text))


def test_a_readers_pages_carry_one_token_that_the_forms_accept(
    app, make, client, login_as, csrf_on
):
    login_as(make.user())
    first = _tokens(client)
    with time_machine.travel(timedelta(seconds=5)):
        again = _tokens(client, "/listings/mine")
    assert len(first) == 1 and again == first
    assert client.post("/logout", data={"csrf_token": first.pop()}).status_code == 302
    assert client.get("/profile").status_code == 302  # signed out


def test_two_readers_never_share_a_token(app, make, client, login_as, csrf_on):
    login_as(make.user())
    other = app.test_client()
    login_as(make.user(), browser=other)
    mine, theirs = _tokens(client), _tokens(other)
    assert mine and theirs and mine.isdisjoint(theirs)
    assert client.post("/logout", data={"csrf_token": theirs.pop()}).status_code == 400


def test_with_a_time_limit_each_page_signs_afresh(app, make, client, login_as, csrf_on):
    app.config["WTF_CSRF_TIME_LIMIT"] = 3600
    try:
        login_as(make.user())
        first = _tokens(client)
        with time_machine.travel(timedelta(seconds=5)):
            later = _tokens(client)
            assert later != first
            assert client.post("/logout", data={"csrf_token": later.pop()}).status_code == 302
    finally:
        app.config["WTF_CSRF_TIME_LIMIT"] = None
