"""The application starts, refuses known keys and answers unknown addresses with a friendly 404."""

import pytest

from marketplace import create_app


def test_home_page_answers_in_german_by_default(client, german_by_default):
    response = client.get("/")
    assert response.status_code == 200
    assert b'<html lang="de">' in response.data


def test_unknown_address_is_a_friendly_404_page(client):
    response = client.get("/does-not-exist")
    assert response.status_code == 404
    assert b"<html" in response.data


def test_unknown_api_address_is_json(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"


@pytest.mark.parametrize("key", ["dev", "changeme", "secret"])
def test_known_default_secret_key_is_refused(tmp_path, key):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(
            {
                "INSTANCE_PATH": str(tmp_path),
                "SECRET_KEY": key,
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db",
            }
        )


def test_secret_key_is_generated_once_into_instance(tmp_path):
    config = {
        "INSTANCE_PATH": str(tmp_path),
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db",
    }
    first = create_app(dict(config)).config["SECRET_KEY"]
    second = create_app(dict(config)).config["SECRET_KEY"]
    assert first == second and len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_security_headers_on_html(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "object-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Referrer-Policy" in response.headers


@pytest.mark.parametrize(
    "path",
    [
        "/listings/99999999999999999999",
        "/orgs/99999999999999999999",
        "/api/v1/listings/99999999999999999999",
        "/api/v1/listings/99999999999999999999/matches",
    ],
)
def test_an_id_beyond_64_bits_is_not_found(client, path):
    response = client.get(path)
    assert response.status_code == 404
    if path.startswith("/api/"):
        assert response.get_json()["error"]["code"] == "not_found"
