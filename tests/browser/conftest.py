"""Browser journeys: the app served on a free local port, driven by Playwright in Debian's Chromium."""

import shutil
import threading

import pytest
from werkzeug.serving import make_server

from marketplace import create_app
from marketplace.extensions import db

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            if CHROMIUM is None:
                item.add_marker(pytest.mark.skip(reason="Debian's chromium is not installed"))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """A real server on its own migrated SQLite database, like a fresh `make run`."""
    instance = tmp_path_factory.mktemp("live")
    app = create_app(
        {
            "INSTANCE_PATH": str(instance),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'live.db'}",
            "MAIL_BACKEND": "locmem",
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config["LIVE_URL"] = f"http://127.0.0.1:{server.server_port}"
    yield app
    server.shutdown()


@pytest.fixture(scope="session")
def base_url(live_server):
    return live_server.config["LIVE_URL"]


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """A German user's browser: Accept-Language de-DE."""
    return {**browser_context_args, "locale": "de-DE"}
