"""Pages that write a little and read a lot (/matches marks alerts seen, an exchange's page marks
it read) end their write before computing the page: on SQLite the one write lock is free for
other requests while they render. With the single commit at the end of the request they held
it through the candidates' scoring and the rendering."""

import sqlite3

import pytest
from flask import before_render_template


@pytest.fixture
def lock_probe(app):
    """Whether another connection could take SQLite's write lock while the page rendered."""
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if not uri.startswith("sqlite:///"):
        pytest.skip("SQLite's write lock")
    seen: list[bool] = []

    def probe(sender, template, context, **extra):
        other = sqlite3.connect(uri.removeprefix("sqlite:///"), timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            seen.append(True)
        except sqlite3.OperationalError:
            seen.append(False)
        finally:
            other.close()

    before_render_template.connect(probe, app)
    yield seen
    before_render_template.disconnect(probe, app)


def test_the_matches_page_renders_without_the_write_lock(client, login_as, make, lock_probe):
    login_as(make.user())
    assert client.get("/matches").status_code == 200
    assert lock_probe and all(lock_probe)


def test_marking_alerts_seen_waits_for_another_writer_instead_of_failing(
    app, client, login_as, make, lock_probe
):
    """The signed-in user is loaded in a deferred read transaction before the view runs; marking
    the alerts seen upgraded it to a write, which SQLite refuses at once while another
    connection writes ("database is locked", a 503). The page now waits for the lock."""
    import threading
    import time

    from marketplace.extensions import db
    from marketplace.matching.models import MatchAlert

    user = make.user()
    listing = make.listing()
    db.session.add(MatchAlert(organisation_id=user.organisation_id, listing_id=listing.id))
    db.session.commit()
    login_as(user)
    db.session.commit()  # outside a request the test's own session begins with the write lock
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    writer = sqlite3.connect(path, timeout=5, isolation_level=None, check_same_thread=False)
    writer.execute("BEGIN IMMEDIATE")
    holding = threading.Timer(0.3, lambda: writer.execute("COMMIT"))
    holding.start()
    started = time.monotonic()
    try:
        response = client.get("/matches")
    finally:
        holding.join()
        writer.close()
    assert response.status_code == 200, response.status_code
    assert time.monotonic() - started >= 0.3  # it waited for the other writer
    db.session.expire_all()
    assert db.session.scalars(db.select(MatchAlert)).one().seen_at is not None
