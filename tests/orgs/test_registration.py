"""Registering a person and their organisation through the web form."""

from sqlalchemy import func, select

from marketplace.auth.models import User, UserSession
from marketplace.extensions import db

PASSWORD = "Lastenrad-im-Hof-7"


def form(**changes) -> dict:
    data = {
        "name": "Greta Holz",
        "email": "Greta@Holzwerkstatt.example",
        "password": PASSWORD,
        "password_repeat": PASSWORD,
        "organisation_name": "Holzwerkstatt Kreuzberg",
        "kind": "project_centre",
        "postcode": "10115",
        "district": "Mitte",
        "locale": "en",
        "accept_terms": "y",
    }
    data.update(changes)
    return data


def _users() -> list[User]:
    db.session.expire_all()
    return list(db.session.execute(select(User)).scalars())


def test_register_page_offers_every_kind_of_organisation(client):
    page = client.get("/register").get_data(as_text=True)
    for kind in (
        "business",
        "project_centre",
        "social_enterprise",
        "association",
        "public_body",
        "initiative",
    ):
        assert f'value="{kind}"' in page
    for name in ("name", "email", "password", "password_repeat", "organisation_name", "postcode"):
        assert f'name="{name}"' in page


def test_registration_signs_the_person_in(app_ctx, client):
    response = client.post("/register", data=form())
    assert response.status_code == 302 and response.headers["Location"] == "/profile"
    [user] = _users()
    assert (user.email, user.role, user.locale) == ("greta@holzwerkstatt.example", "member", "en")
    assert user.organisation.kind == "project_centre" and user.organisation.lat is not None
    assert db.session.execute(select(func.count()).select_from(UserSession)).scalar_one() == 1
    page = client.get("/profile")
    assert page.status_code == 200 and "Holzwerkstatt Kreuzberg" in page.get_data(as_text=True)


def test_registration_form_cannot_choose_role_or_organisation(app_ctx, client, make):
    other = make.organisation()
    client.post("/register", data=form(role="admin", organisation_id=str(other.id)))
    [user] = _users()
    assert user.role == "member" and user.organisation_id != other.id


def test_unknown_postcode_shows_a_field_error(app_ctx, client):
    response = client.post("/register", data=form(postcode="00000"))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'id="postcode-error"' in page and "We do not know this postcode" in page
    assert _users() == []


def test_taken_address_shows_a_field_error_whatever_its_case(app_ctx, client, make):
    make.user(email="greta@holzwerkstatt.example")
    response = client.post("/register", data=form(email="GRETA@Holzwerkstatt.Example"))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'id="email-error"' in page and "already exists" in page
    assert len(_users()) == 1


def test_password_rules_on_the_form(app_ctx, client):
    mismatch = client.post("/register", data=form(password_repeat="Lastenrad-im-Hof-8"))
    assert "The two passwords do not match." in mismatch.get_data(as_text=True)
    common = client.post(
        "/register", data=form(password="passwort123", password_repeat="passwort123")
    )
    assert "among the most common" in common.get_data(as_text=True)
    assert _users() == []


def test_registration_needs_the_csrf_token_when_enabled(app_ctx, client, csrf_on):
    assert client.post("/register", data=form()).status_code == 400
    assert _users() == []


def test_signed_in_people_are_sent_to_their_profile(client, make, login_as):
    login_as(make.user())
    response = client.get("/register")
    assert response.status_code == 302 and response.headers["Location"] == "/profile"


def test_registration_needs_consent_and_stores_its_version_and_time(app, app_ctx, client):
    page = client.get("/register").get_data(as_text=True)
    assert 'name="accept_terms"' in page
    assert 'href="/datenschutz"' in page and 'href="/nutzungsbedingungen"' in page
    refused = client.post("/register", data=form(accept_terms=""))
    assert refused.status_code == 200 and _users() == []
    assert "Please accept the terms of use and the privacy notice." in refused.get_data(True)
    client.post("/register", data=form())
    [user] = _users()
    assert user.consent_version == app.config["CONSENT_VERSION"] and user.consent_at is not None


def test_registration_form_is_csrf_protected(app, app_ctx, client):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/register", data=form())
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code in (200, 400) and _users() == []


def test_one_submit_shows_every_problem_at_once(app_ctx, client, make):
    make.user(email="greta@holzwerkstatt.example")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.post(
        "/register",
        data=form(password="kurz", password_repeat="kurz", organisation_name=""),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "An account with this e-mail address already exists." in html  # address taken
    assert "Please enter the name of the organisation." in html  # missing organisation name
    assert "Use at least 10 characters." in html  # the weak password, in the same answer
    assert html.count('aria-invalid="true"') == 3
    assert len(_users()) == 1


def test_a_problem_is_not_said_twice_when_form_and_service_both_see_it(app_ctx, client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    html = client.post("/register", data=form(organisation_name="")).get_data(as_text=True)
    assert html.count("Please enter the name of the organisation.") == 1


def test_registration_placeholders_come_from_the_configured_region(app, client):
    app.config.update(REGION_EXAMPLE_POSTCODE="01067", REGION_EXAMPLE_DISTRICT="Neustadt")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    html = client.get("/register").get_data(as_text=True)
    assert 'placeholder="e.g. 01067"' in html
    assert 'placeholder="e.g. Neustadt"' in html
    assert "10115" not in html
