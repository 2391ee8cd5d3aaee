"""The index is in step with every worker of a real server (issue 3, "Must hold").

Real gunicorn with 4 sync workers on a fresh migrated SQLite database: 16 clients post 80
listings at once, and a single search right after the last answer finds all 80; an edit is
found by the very next search.
"""

import os
import secrets
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.exchanges.test_concurrency import BIN, ROOT, _call, _free_port, _register

pytestmark = pytest.mark.slow

CLIENTS = 16
PER_CLIENT = 5


@pytest.fixture
def server(tmp_path):
    """gunicorn with 4 sync workers on a migrated SQLite database under a tmp instance dir."""
    instance = tmp_path / "instance"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MARKETPLACE_")}
    env.update(
        MARKETPLACE_INSTANCE_PATH=str(instance),
        MARKETPLACE_RATELIMIT_ENABLED="false",
        MARKETPLACE_SECRET_KEY=secrets.token_urlsafe(30)[:40],
        MARKETPLACE_MAIL_BACKEND="locmem",
    )
    subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    port = _free_port()
    log_path = tmp_path / "gunicorn.log"
    log = open(log_path, "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "-w", "4", "--worker-class", "sync"]
        + ["-b", f"127.0.0.1:{port}", "--timeout", "120", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if _call(base, "GET", "/api/v1/categories")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(log_path.read_text(errors="replace"))
            time.sleep(0.2)
        yield base
        assert "LockError" not in log_path.read_text(errors="replace")
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def test_eighty_listings_posted_at_once_are_all_found_and_an_edit_on_the_next_search(server):
    token = _register(server, 1)
    barrier = threading.Barrier(CLIENTS)

    def client(c: int) -> list[tuple[int, dict]]:
        barrier.wait()
        answers = []
        for k in range(PER_CLIENT):
            n = c * PER_CLIENT + k
            answers.append(
                _call(
                    server,
                    "POST",
                    "/api/v1/listings",
                    token,
                    {
                        "kind": "offer",
                        "title": f"Konsistenzprobe {n} Europaletten",
                        "description": "Gut erhalten, abzuholen im Lager.",
                        "category": "pallets",
                        "quantity": 10,
                        "unit": "piece",
                    },
                )
            )
        return answers

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        answers = [a for batch in pool.map(client, range(CLIENTS)) for a in batch]
    assert [status for status, _ in answers] == [201] * CLIENTS * PER_CLIENT, answers
    posted = {body["id"] for _, body in answers}
    assert len(posted) == CLIENTS * PER_CLIENT

    status, found = _call(server, "GET", "/api/v1/listings?q=Konsistenzprobe&per_page=100")
    assert status == 200, found
    assert found["total"] == CLIENTS * PER_CLIENT
    assert {item["id"] for item in found["items"]} == posted

    edited = min(posted)
    status, body = _call(
        server,
        "PATCH",
        f"/api/v1/listings/{edited}",
        token,
        {"title": "Konsistenzprobe Zwischenlagerkisten"},
    )
    assert status == 200, body
    status, found = _call(server, "GET", "/api/v1/listings?q=Zwischenlagerkisten")
    assert status == 200, found
    assert [item["id"] for item in found["items"]] == [edited]
    assert found["total"] == 1
