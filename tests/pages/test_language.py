"""Switching the language is a POST with CSRF protection and stays on this site."""

import re

import pytest

from marketplace.auth.models import User
from marketplace.extensions import db

pytestmark = pytest.mark.usefixtures("german_by_default")


def _lang(html: str) -> str:
    return re.search(r'<html lang="(\w+)">', html).group(1)


def test_switch_to_english_and_back(client):
    assert _lang(client.get("/").get_data(as_text=True)) == "de"

    response = client.post("/language", data={"language": "en", "next": "/orgs/1?x=1"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/orgs/1?x=1"
    assert _lang(client.get("/").get_data(as_text=True)) == "en"

    client.post("/language", data={"language": "de", "next": "/"})
    assert _lang(client.get("/").get_data(as_text=True)) == "de"


def test_unknown_language_changes_nothing(client):
    client.post("/language", data={"language": "fr", "next": "/"})
    assert _lang(client.get("/").get_data(as_text=True)) == "de"


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example", "\\\\evil", "///evil"]
)
def test_off_site_next_is_refused(client, target):
    response = client.post("/language", data={"language": "en", "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_choice_is_saved_on_the_signed_in_users_profile(client, make, login_as):
    user_id = login_as(make.user(locale="de")).id
    client.post("/language", data={"language": "en", "next": "/"})
    db.session.expire_all()
    assert db.session.get(User, user_id).locale == "en"
    assert _lang(client.get("/").get_data(as_text=True)) == "en"


def test_language_switch_needs_a_csrf_token(app, client):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/language", data={"language": "en", "next": "/"})
        assert response.status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert _lang(client.get("/").get_data(as_text=True)) == "de"


def test_the_switch_is_a_post_form_with_a_csrf_token(app, client):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        html = client.get("/").get_data(as_text=True)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    form = re.search(r'<form class="language-switch"[^>]*>(.*?)</form>', html, re.S)
    assert form and 'method="post"' in form.group(0)
    assert re.search(r'name="csrf_token" value="[^"]+"', form.group(1))
