"""API v1 accounts, against the contract (shared/api-v1.md "Accounts")."""

# ruff: noqa: F811 - fixtures imported from tests.auth.conftest are used as test arguments

from datetime import datetime

import pytest
from sqlalchemy import select

from marketplace.auth.models import ApiToken, User
from marketplace.extensions import db
from tests.auth.conftest import bearer, throttle_on  # noqa: F401
from tests.factories import PASSWORD

NEW_PASSWORD = "Lastenrad-im-Hof-7"


def registration(**changes) -> dict:
    data = {
        "email": "Greta@Holzwerkstatt.example",
        "password": NEW_PASSWORD,
        "name": "Greta Holz",
        "organisation": {
            "name": "Holzwerkstatt Kreuzberg",
            "kind": "initiative",
            "postcode": "10115",
            "district": "Mitte",
        },
        "locale": "en",
    }
    data.update(changes)
    return data


def assert_error(response, status: int, code: str, with_fields: bool = False) -> dict:
    """The contract's error body, exactly: {"error": {"code", "message"[, "fields"]}}."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    body = response.get_json()
    assert set(body) == {"error"}
    error = body["error"]
    expected = {"code", "message", "fields"} if with_fields else {"code", "message"}
    assert set(error) == expected
    assert error["code"] == code and isinstance(error["message"], str) and error["message"]
    if with_fields:
        assert all(
            isinstance(problems, list) and all(isinstance(p, str) for p in problems)
            for problems in error["fields"].values()
        )
    return error


# --- POST /api/v1/register ------------------------------------------------------------------------


def test_register_answers_201_with_user_and_organisation(app_ctx, client):
    response = client.post("/api/v1/register", json=registration())
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == {"user", "organisation"}
    assert body["user"]["email"] == "greta@holzwerkstatt.example"
    assert body["user"]["role"] == "member" and body["user"]["name"] == "Greta Holz"
    assert "password" not in body["user"] and "password_hash" not in body["user"]
    org = body["organisation"]
    assert {k: org[k] for k in ("name", "kind", "postcode", "district")} == {
        "name": "Holzwerkstatt Kreuzberg",
        "kind": "initiative",
        "postcode": "10115",
        "district": "Mitte",
    }
    assert isinstance(org["id"], int) and body["user"]["id"] > 0


def test_register_refuses_unknown_fields_and_never_sets_role_or_organisation(app_ctx, client, make):
    other = make.organisation()
    data = registration(role="admin", organisation_id=other.id, is_admin=True)
    data["organisation"]["id"] = other.id
    response = client.post("/api/v1/register", json=data)
    assert response.status_code == 422
    assert set(response.json["error"]["fields"]) == {
        "role",
        "organisation_id",
        "is_admin",
        "organisation.id",
    }
    assert db.session.execute(select(User).where(User.email.like("greta%"))).first() is None


def test_register_optional_fields_may_be_omitted_or_null(app_ctx, client):
    data = registration(locale=None)
    data["organisation"]["district"] = None
    assert client.post("/api/v1/register", json=data).status_code == 201
    data = registration(email="nils@example.org")
    del data["locale"], data["organisation"]["district"]
    assert client.post("/api/v1/register", json=data).status_code == 201


def test_register_with_a_taken_address_is_409_email_taken(app_ctx, client, make):
    make.user(email="greta@holzwerkstatt.example")
    response = client.post(
        "/api/v1/register", json=registration(email="GRETA@holzwerkstatt.example")
    )
    assert_error(response, 409, "email_taken")


def test_register_missing_and_wrong_fields_are_422_with_fields(app_ctx, client):
    response = client.post(
        "/api/v1/register",
        json={"email": "no-address", "password": "short", "organisation": {"kind": "company"}},
    )
    error = assert_error(response, 422, "validation_failed", with_fields=True)
    assert {"email", "password", "name", "organisation.name", "organisation.kind"} <= set(
        error["fields"]
    )


def test_register_rules_of_the_service_are_422_with_fields(app_ctx, client):
    data = registration(password="passwort1234")
    data["organisation"]["postcode"] = "00000"
    error = assert_error(
        client.post("/api/v1/register", json=data), 422, "validation_failed", with_fields=True
    )
    assert set(error["fields"]) == {"password", "organisation.postcode"}


def test_register_wrong_types_are_422_not_500(app_ctx, client):
    data = registration(name=42, organisation="Holzwerkstatt")
    error = assert_error(
        client.post("/api/v1/register", json=data), 422, "validation_failed", with_fields=True
    )
    assert {"name", "organisation"} <= set(error["fields"])
    assert_error(client.post("/api/v1/register", json=[1, 2]), 422, "validation_failed", True)


def test_malformed_json_is_400(client):
    response = client.post(
        "/api/v1/register", data='{"email": "greta@', content_type="application/json"
    )
    assert_error(response, 400, "malformed_json")


def test_body_that_is_not_json_is_415(client):
    response = client.post(
        "/api/v1/register",
        data="email=greta%40example.org",
        content_type="application/x-www-form-urlencoded",
    )
    assert_error(response, 415, "unsupported_media_type")


# --- POST /api/v1/tokens --------------------------------------------------------------------------


def test_token_is_issued_for_right_credentials_and_works(app_ctx, client, make):
    user = make.user(email="greta@example.org")
    response = client.post(
        "/api/v1/tokens", json={"email": "Greta@Example.org", "password": PASSWORD}
    )
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == {"token", "expires_at"}
    expires = datetime.fromisoformat(body["expires_at"])
    assert expires.utcoffset() is not None
    assert len(body["token"]) >= 32
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200 and me.get_json()["id"] == user.id


def test_wrong_password_and_unknown_address_get_the_same_401(app_ctx, client, make):
    make.user(email="greta@example.org")
    wrong = client.post(
        "/api/v1/tokens", json={"email": "greta@example.org", "password": "falsch-falsch"}
    )
    unknown = client.post(
        "/api/v1/tokens", json={"email": "niemand@example.org", "password": "falsch-falsch"}
    )
    assert_error(wrong, 401, "invalid_credentials")
    assert wrong.get_json() == unknown.get_json() and unknown.status_code == 401


def test_token_request_without_fields_is_422(client):
    assert_error(client.post("/api/v1/tokens", json={}), 422, "validation_failed", True)


def test_token_requests_are_throttled_like_the_login(app_ctx, client, make, throttle_on):
    user = make.user()
    for _ in range(3):
        client.post("/api/v1/tokens", json={"email": user.email, "password": "falsch-falsch"})
    response = client.post("/api/v1/tokens", json={"email": user.email, "password": PASSWORD})
    assert_error(response, 429, "too_many_requests")
    assert int(response.headers["Retry-After"]) > 0


# --- DELETE /api/v1/tokens/current ----------------------------------------------------------------


def test_deleting_the_current_token_revokes_it(app_ctx, client, make, bearer):
    user = make.user()
    headers = bearer(user)
    other = bearer(user)
    response = client.delete("/api/v1/tokens/current", headers=headers)
    assert response.status_code == 204 and response.get_data() == b""
    assert_error(client.get("/api/v1/me", headers=headers), 401, "unauthorized")
    assert client.get("/api/v1/me", headers=other).status_code == 200
    db.session.expire_all()
    assert db.session.execute(select(ApiToken).where(ApiToken.revoked_at.is_not(None))).scalar()


def test_deleting_without_a_token_is_401(client):
    assert_error(client.delete("/api/v1/tokens/current"), 401, "unauthorized")
    bogus = {"Authorization": "Bearer not-a-real-token"}
    assert_error(client.delete("/api/v1/tokens/current", headers=bogus), 401, "unauthorized")


# --- GET /api/v1/me -------------------------------------------------------------------------------


def test_me_describes_the_user_and_organisation(app_ctx, client, make, bearer):
    user = make.user(name="Greta Holz", role="coordinator")
    org = user.organisation
    body = client.get("/api/v1/me", headers=bearer(user)).get_json()
    assert {k: body[k] for k in ("id", "email", "name", "role")} == {
        "id": user.id,
        "email": user.email,
        "name": "Greta Holz",
        "role": "coordinator",
    }
    assert body["organisation"] == {
        "id": org.id,
        "name": org.name,
        "kind": org.kind,
        "postcode": org.postcode,
        "district": org.district,
    }


def test_me_without_a_token_is_401(client):
    assert_error(client.get("/api/v1/me"), 401, "unauthorized")


def test_api_never_accepts_the_session_cookie(app_ctx, client, make):
    user = make.user()
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert client.get("/profile").status_code == 200
    assert_error(client.get("/api/v1/me"), 401, "unauthorized")


# --- OpenAPI --------------------------------------------------------------------------------------


@pytest.fixture
def spec(client):
    return client.get("/api/v1/openapi.json").get_json()


def test_openapi_documents_the_accounts_endpoints_and_their_answers(spec):
    paths = spec["paths"]
    assert {"201", "409", "422"} <= set(paths["/api/v1/register"]["post"]["responses"])
    assert {"201", "401", "429"} <= set(paths["/api/v1/tokens"]["post"]["responses"])
    assert {"204", "401"} <= set(paths["/api/v1/tokens/current"]["delete"]["responses"])
    assert {"200", "401"} <= set(paths["/api/v1/me"]["get"]["responses"])
    assert "requestBody" in paths["/api/v1/register"]["post"]


def test_openapi_marks_the_endpoints_that_need_a_token(spec):
    paths = spec["paths"]
    assert paths["/api/v1/me"]["get"]["security"] == [{"bearerAuth": []}]
    assert paths["/api/v1/tokens/current"]["delete"]["security"] == [{"bearerAuth": []}]
    assert "security" not in paths["/api/v1/register"]["post"]
    assert "security" not in paths["/api/v1/tokens"]["post"]
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_register_records_consent_by_default_and_refuses_accept_terms_false(app, app_ctx, client):
    from marketplace.auth.models import User

    assert client.post("/api/v1/register", json=registration()).status_code == 201
    user = db.session.execute(select(User)).scalar_one()
    assert user.consent_version == app.config["CONSENT_VERSION"] and user.consent_at is not None
    refused = client.post(
        "/api/v1/register", json=registration(email="b@example.org", accept_terms=False)
    )
    error = assert_error(refused, 422, "validation_failed", with_fields=True)
    assert set(error["fields"]) == {"accept_terms"}
