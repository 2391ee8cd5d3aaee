"""Two app servers, one PostgreSQL database, one Redis (issue 15, point 5): whatever one server
writes, the other serves at once.

Each server is a real gunicorn with its own instance folder; they share the database, Redis (rate
limits), the secret key and the upload directory, with the search documents in PostgreSQL. The
test needs both services and is skipped (with the reason) without them.
"""

import contextlib
import http.cookiejar
import os
import re
import secrets
import urllib.error
import urllib.parse
import urllib.request
import uuid

import psycopg
import pytest

from tests.listings import images
from tests.serving import call, register_account, running_gunicorn

pytestmark = pytest.mark.slow

PG = os.environ.get("MARKETPLACE_TEST_DATABASE", "")
REDIS_URL = "redis://127.0.0.1:6379/12"


def _redis_answers() -> bool:
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping()
        return True
    except Exception:  # noqa: BLE001 - any failure means: not available here
        return False


@pytest.fixture
def database():
    """A schema of its own in the test database, dropped afterwards."""
    if not PG.startswith("postgresql"):
        pytest.skip("two app servers need PostgreSQL (MARKETPLACE_TEST_DATABASE)")
    if not _redis_answers():
        pytest.skip(f"two app servers need Redis at {REDIS_URL}")
    schema = f"two_servers_{secrets.token_hex(4)}"
    plain = PG.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in PG else "?"
    yield f"{PG}{separator}options=-csearch_path%3D{schema}"
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def servers(tmp_path, database):
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    shared = {
        "MARKETPLACE_SECRET_KEY": secrets.token_hex(32),
        "MARKETPLACE_SEARCH_BACKEND": "postgres",
        "MARKETPLACE_REDIS_URL": REDIS_URL,
        "MARKETPLACE_RATELIMIT_ENABLED": "true",
        "MARKETPLACE_RATELIMIT_STORAGE_URI": REDIS_URL,
        "MARKETPLACE_LOGIN_FAILURES_PER_ACCOUNT": "3",
        "MARKETPLACE_UPLOAD_DIR": str(tmp_path / "shared-uploads"),
    }
    with contextlib.ExitStack() as stack:
        bases = []
        for name in ("one", "two"):
            (tmp_path / name).mkdir()
            base, _log = stack.enter_context(
                running_gunicorn(
                    tmp_path / name,
                    database,
                    workers=2,
                    settings=shared,
                    migrate=name == "one",
                )
            )
            bases.append(base)
        yield bases
    redis.Redis.from_url(REDIS_URL).flushdb()


class Browser:
    """A person's browser: one cookie jar, whichever server it asks."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )

    def get(self, url: str) -> tuple[int, str, bytes]:
        return self._open(urllib.request.Request(url))  # noqa: S310 - http://127.0.0.1 only

    def post(self, url: str, fields: dict, files: dict | None = None) -> tuple[int, str, bytes]:
        if files:
            boundary = uuid.uuid4().hex
            body = _multipart(boundary, fields, files)
            request = urllib.request.Request(url, data=body, method="POST")  # noqa: S310
            request.add_header("Content-Type", f"multipart/form-data; boundary={boundary}")
        else:
            data = urllib.parse.urlencode(fields).encode()
            request = urllib.request.Request(url, data=data, method="POST")  # noqa: S310
        return self._open(request)

    def csrf(self, url: str) -> str:
        _, _, page = self.get(url)
        return re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page).group(1).decode()

    def _open(self, request):
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.headers.get("Location", ""), response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Location", ""), error.read()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer to look at, not to follow


def _multipart(boundary: str, fields: dict, files: dict) -> bytes:
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, (filename, content, mimetype) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {mimetype}\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
    return b"".join(parts) + f"--{boundary}--\r\n".encode()


def _titles(base: str, q: str) -> list[str]:
    status, body = call(base, "GET", "/api/v1/listings?" + urllib.parse.urlencode({"q": q}))
    assert status == 200, body
    return [item["title"] for item in body["items"]]


def test_what_one_server_writes_the_other_serves_at_once(servers):
    one, two = servers
    email, password, token = register_account(one, 1, "Werkhof Ost")
    # a listing written on one is found on the other at once
    status, listing = call(
        one,
        "POST",
        "/api/v1/listings",
        token,
        {
            "kind": "offer",
            "title": "Schwerlastregale aus dem Lager",
            "description": "Sechs Felder, verzinkt.",
            "category": "furniture",
            "quantity": 6,
            "unit": "piece",
        },
    )
    assert status == 201, listing
    assert _titles(two, "Regal") == ["Schwerlastregale aus dem Lager"]
    # an edit on the second is seen on the first
    status, _ = call(
        two, "PATCH", f"/api/v1/listings/{listing['id']}", token, {"title": "Gitterboxen"}
    )
    assert status == 200
    assert _titles(one, "Gitterboxen") == ["Gitterboxen"]
    assert _titles(one, "Regal") == []
    assert call(one, "GET", f"/api/v1/listings/{listing['id']}")[1]["title"] == "Gitterboxen"

    # a session begun on one survives a request to the other
    browser = Browser()
    token_field = browser.csrf(one + "/login")
    status, _, _ = browser.post(
        one + "/login", {"email": email, "password": password, "csrf_token": token_field}
    )
    assert status == 302
    status, _, page = browser.get(two + "/start")
    assert status == 200 and b"Werkhof Ost" in page

    # a photo uploaded through one is served by the other (one shared upload directory)
    form = {
        "csrf_token": browser.csrf(two + "/listings/new"),
        "kind": "offer",
        "title": "Eichenholz-Reste",
        "description": "Bretter, 2 m lang.",
        "category": "wood",
        "quantity": "120",
        "unit": "kg",
        "condition": "good",
        "price_eur": "0",
    }
    jpeg = images.jpeg(320, 240)
    status, location, _ = browser.post(
        two + "/listings/new", form, {"photos": ("hof.jpg", jpeg, "image/jpeg")}
    )
    assert status == 302, location
    _, _, page = browser.get(one + urllib.parse.urlsplit(location).path)
    photo = re.search(rb'src="(/photos/[^"]+\.jpg)"', page).group(1).decode()
    status, _, picture = browser.get(one + photo)
    assert status == 200 and picture.startswith(b"\xff\xd8")


def test_a_login_throttled_on_one_server_is_throttled_on_the_other(servers):
    one, two = servers
    email, _password, _token = register_account(one, 2)
    for _ in range(3):
        status, _ = call(one, "POST", "/api/v1/tokens", body={"email": email, "password": "x"})
        assert status == 401
    status, body = call(two, "POST", "/api/v1/tokens", body={"email": email, "password": "x"})
    assert status == 429, body
