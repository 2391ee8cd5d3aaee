"""Switching the language stays on this site: signed in, a POST with CSRF protection that also
saves the choice on the profile; anonymous, a link that remembers it for this browser only."""

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


def test_signed_in_the_switch_is_a_post_form_with_a_csrf_token(app, client, make, login_as):
    login_as(make.user(locale="de"))
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        html = client.get("/").get_data(as_text=True)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    form = re.search(r'<form class="language-switch"[^>]*>(.*?)</form>', html, re.S)
    assert form and 'method="post"' in form.group(0)
    assert re.search(r'name="csrf_token" value="[^"]+"', form.group(1))


def test_anonymous_visitors_switch_by_a_link_and_their_page_sets_no_cookie(app, client):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.get("/listings?kind=offer")
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    html = response.get_data(as_text=True)
    assert "Set-Cookie" not in response.headers  # nothing personal: the page can be shared
    link = re.search(r'<p class="language-switch">.*?<a href="([^"]+)"', html, re.S).group(1)
    assert link == "/language/en?next=/listings?kind%3Doffer"
    switched = client.get(link.replace("&amp;", "&"))
    assert switched.status_code == 302 and switched.headers["Location"] == "/listings?kind=offer"
    assert _lang(client.get("/").get_data(as_text=True)) == "en"


def test_a_language_link_never_writes_a_profile_nor_leaves_the_site(client, make, login_as):
    user_id = login_as(make.user(locale="de")).id
    response = client.get("/language/en?next=https://evil.example/")
    assert response.headers["Location"] == "/"
    db.session.expire_all()
    assert db.session.get(User, user_id).locale == "de"
    assert client.get("/language/fr").status_code == 302


def test_an_over_long_return_address_is_not_echoed(client):
    response = client.get("/language/en?next=/listings?q=" + "x" * 100_000)
    assert response.status_code == 302 and response.headers["Location"] == "/"
