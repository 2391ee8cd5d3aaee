"""A real `make serve`-like server for tests that need several worker processes, and a tiny
JSON client for it (standard library only)."""

import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def call(base: str, method: str, path: str, token: str | None = None, body=None):
    """(status, decoded JSON body) of one request; HTTP errors are answers, not exceptions."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method)  # noqa: S310
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        payload = error.read()
        try:
            return error.code, json.loads(payload or b"null")
        except ValueError:
            return error.code, payload.decode(errors="replace")


@contextlib.contextmanager
def running_gunicorn(
    tmp_path: Path,
    database_uri: str | None = None,
    workers: int = 4,
    commands: tuple[tuple[str, ...], ...] = (),
    settings: dict[str, str] | None = None,
    migrate: bool = True,
) -> Iterator[tuple[str, Path]]:
    """Migrate a fresh database (unless `migrate` is False: a second server on the same one),
    run the operator's `commands` (flask CLI arguments), start gunicorn with sync workers and
    the MARKETPLACE_ `settings`, yield (base URL, log path)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MARKETPLACE_")}
    env.update(
        MARKETPLACE_INSTANCE_PATH=str(tmp_path / "instance"),
        MARKETPLACE_RATELIMIT_ENABLED="false",
        MARKETPLACE_SECRET_KEY=secrets.token_hex(32),
        MARKETPLACE_MAIL_BACKEND="locmem",
        # The servers' registrations are set-up, not the subject: argon2's real cost is asked
        # for by the tests about it (settings={"MARKETPLACE_PASSWORD_HASH_PROFILE": ...}).
        MARKETPLACE_PASSWORD_HASH_PROFILE="CHEAPEST",
    )
    if database_uri:
        env["MARKETPLACE_SQLALCHEMY_DATABASE_URI"] = database_uri
    env.update(settings or {})
    if migrate:
        subprocess.run(
            [str(BIN / "flask"), "--app", "wsgi", "db", "upgrade"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            timeout=120,
        )
    for command in commands:
        subprocess.run(
            [str(BIN / "flask"), "--app", "wsgi", *command],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            timeout=120,
        )
    port = free_port()
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "-w",
                str(workers),
                "--worker-class",
                "sync",
                "-b",
                f"127.0.0.1:{port}",
                "--timeout",
                "120",
                "--pid",
                str(tmp_path / "gunicorn.pid"),  # for tests that kill a worker
                "wsgi:app",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(base, process, log_path)
            yield base, log_path
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_up(base: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            if call(base, "GET", "/api/v1/categories")[0] == 200:
                return
        except OSError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            raise RuntimeError(log_path.read_text(errors="replace"))
        time.sleep(0.2)


def register_account(
    base: str, n: int, organisation_name: str | None = None
) -> tuple[str, str, str]:
    """Register an organisation with one member through the API; returns (email, password,
    the member's token)."""
    email = f"person{n}-{secrets.token_hex(3)}@example.org"
    password = "Lastenrad-Kiez-" + secrets.token_hex(4)
    organisation = {
        "name": organisation_name or f"Initiative {n}",
        "kind": "initiative",
        "postcode": "10115",
    }
    status, body = call(
        base,
        "POST",
        "/api/v1/register",
        body={
            "email": email,
            "password": password,
            "name": f"Person {n}",
            "organisation": organisation,
        },
    )
    assert status == 201, body
    status, body = call(base, "POST", "/api/v1/tokens", body={"email": email, "password": password})
    assert status == 201, body
    return email, password, body["token"]


def register(base: str, n: int) -> str:
    """Register an organisation with one member through the API; returns the member's token."""
    return register_account(base, n)[2]
