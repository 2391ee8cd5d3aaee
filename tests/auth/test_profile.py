"""The user's own profile: name, language, password, organisation."""

from marketplace.auth.models import User
from marketplace.extensions import db
from tests.factories import PASSWORD

NEW_PASSWORD = "Lastenrad-im-Hof-7"


def _user(app, user_id) -> User:
    db.session.expire_all()
    return db.session.get(User, user_id)


def test_profile_needs_sign_in(client):
    response = client.get("/profile")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_profile_shows_the_organisation_with_a_link(client, make, login_as):
    user = login_as(make.user())
    page = client.get("/profile").get_data(as_text=True)
    assert user.organisation.name in page
    assert f'href="/orgs/{user.organisation_id}"' in page
    assert f'href="/orgs/{user.organisation_id}/members"' in page


def test_change_name_and_language(app, client, make, login_as):
    user = login_as(make.user(name="Greta", locale="de"))
    response = client.post("/profile", data={"name": "Greta Holz", "locale": "en"})
    assert response.status_code == 302
    stored = _user(app, user.id)
    assert (stored.name, stored.locale) == ("Greta Holz", "en")
    assert '<html lang="en">' in client.get("/profile").get_data(as_text=True)


def test_profile_form_cannot_set_role_or_organisation(app, client, make, login_as):
    other = make.organisation()
    user = login_as(make.user())
    client.post(
        "/profile",
        data={"name": "Greta", "locale": "de", "role": "admin", "organisation_id": other.id},
    )
    stored = _user(app, user.id)
    assert (stored.role, stored.organisation_id) == ("member", user.organisation_id)


def test_profile_form_shows_problems(client, make, login_as):
    login_as(make.user())
    response = client.post("/profile", data={"name": "x" * 121, "locale": "de"})
    assert response.status_code == 200
    assert "Use at most 120 characters." in response.get_data(as_text=True)


def test_change_password_signs_out_other_devices_but_not_this_one(app, client, make, sign_in):
    user = make.user()
    sign_in(user.email)
    other_device = app.test_client()
    other_device.post("/login", data={"email": user.email, "password": PASSWORD})
    assert other_device.get("/profile").status_code == 200

    response = client.post(
        "/profile/password",
        data={
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "new_password_repeat": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert client.get("/profile").status_code == 200
    assert other_device.get("/profile").status_code == 302


def test_change_password_with_wrong_current_password_is_refused(app, client, make, login_as):
    user = login_as(make.user())
    response = client.post(
        "/profile/password",
        data={
            "current_password": "falsches-passwort",
            "new_password": NEW_PASSWORD,
            "new_password_repeat": NEW_PASSWORD,
        },
    )
    assert response.status_code == 200
    assert "The current password is not correct." in response.get_data(as_text=True)
    from marketplace.auth.passwords import verify_password

    assert verify_password(_user(app, user.id).password_hash, PASSWORD)
