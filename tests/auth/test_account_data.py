"""The profile's "download my data" (the JSON of GET /api/v1/me/export) and "delete account"
(password confirmation, CSRF, and for the last member a choice about the organisation)."""

import json

from marketplace.auth.models import User
from marketplace.extensions import db
from marketplace.listings.models import Listing
from tests import factories
from tests.factories import PASSWORD


def test_profile_offers_download_and_deletion_in_both_languages(client, login_as, app_ctx):
    person = factories.user()
    db.session.commit()
    login_as(person)
    for language in ("de", "en"):
        page = client.get("/profile", headers={"Accept-Language": language})
        html = page.get_data(as_text=True)
        assert page.status_code == 200
        assert 'href="/profile/export.json"' in html and 'href="/profile/delete"' in html
        delete_page = client.get("/profile/delete", headers={"Accept-Language": language})
        assert delete_page.status_code == 200 and 'name="password"' in delete_page.get_data(True)


def test_the_download_holds_the_email_and_the_organisations_listings(
    api, client, login_as, app_ctx
):
    listing = factories.listing(title="Europaletten, gut erhalten")
    person = factories.user(organisation=listing.organisation, email="ida@kiezladen.example")
    factories.listing(title="Fremdes Angebot")
    db.session.commit()
    login_as(person)
    response = client.get("/profile/export.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment")
    body = json.loads(response.data)
    assert body["user"]["email"] == "ida@kiezladen.example"
    assert [item["title"] for item in body["listings"]] == ["Europaletten, gut erhalten"]
    assert body == api.get("/api/v1/me/export", as_=person).get_json()
    client.post("/logout")
    assert client.get("/profile/export.json").status_code == 302


def test_deleting_needs_the_password_and_signs_out(client, login_as, app_ctx):
    person = factories.user()
    colleague = factories.user(organisation=person.organisation)
    db.session.commit()
    login_as(person)
    page = client.get("/profile/delete").get_data(as_text=True)
    assert 'name="organisation_choice"' not in page  # a colleague is left
    wrong = client.post("/profile/delete", data={"password": "falsch-falsch"})
    assert wrong.status_code == 200 and "The password is not correct." in wrong.get_data(True)
    assert client.get("/profile").status_code == 200
    done = client.post("/profile/delete", data={"password": PASSWORD})
    assert done.status_code == 302 and client.get("/profile").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, person.id).name == "Ehemaliges Mitglied"
    assert db.session.get(User, colleague.id).active


def test_the_last_member_chooses_to_withdraw_the_open_listings(client, login_as, app_ctx):
    listing = factories.listing()
    person = factories.user(organisation=listing.organisation)
    db.session.commit()
    login_as(person)
    assert 'name="organisation_choice"' in client.get("/profile/delete").get_data(True)
    response = client.post(
        "/profile/delete", data={"password": PASSWORD, "organisation_choice": "withdraw"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Listing, listing.id).status == "withdrawn"


def test_the_last_member_may_keep_the_listings(client, login_as, app_ctx):
    listing = factories.listing()
    person = factories.user(organisation=listing.organisation)
    db.session.commit()
    login_as(person)
    client.post("/profile/delete", data={"password": PASSWORD, "organisation_choice": "keep"})
    db.session.expire_all()
    assert db.session.get(Listing, listing.id).status == "open"
    assert not db.session.get(User, person.id).active


def test_the_delete_form_is_csrf_protected(app, client, login_as, app_ctx):
    person = factories.user()
    db.session.commit()
    login_as(person)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/profile/delete", data={"password": PASSWORD})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code in (200, 400)
    db.session.expire_all()
    assert db.session.get(User, person.id).active
