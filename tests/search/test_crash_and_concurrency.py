"""A writer killed mid-way leaves no stale lock and its documents re-appear through the drift
check; writers of several processes at once all get their turn (none loses an update)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from marketplace.core.clock import utcnow
from marketplace.extensions import db
from marketplace.listings.models import Listing

#: Writer processes and the write lock of the whoosh index folder.
pytestmark = pytest.mark.whoosh_only

ROOT = Path(__file__).resolve().parents[2]


def insert_listings(make, titles) -> list[int]:
    """Listings written to the database without the session (so nothing indexes them)."""
    from tests.factories import category

    org_id, category_id = make.organisation().id, category("tools").id
    db.session.commit()  # end the session's transaction (on SQLite it holds the write lock)
    now = utcnow()
    rows = [
        {
            "kind": "offer",
            "title": title,
            "description": "",
            "category_id": category_id,
            "quantity": 1,
            "quantity_remaining": 1,
            "unit": "piece",
            "postcode": "04109",
            "status": "open",
            "organisation_id": org_id,
            "created_at": now,
            "updated_at": now,
        }
        for title in titles
    ]
    with db.engine.begin() as conn:
        conn.execute(sa.insert(Listing.__table__), rows)
        return list(
            conn.execute(
                sa.select(Listing.id).where(Listing.title.in_(titles)).order_by(Listing.id)
            ).scalars()
        )


def writer(mode, search, app, ids, **kw):
    return subprocess.Popen(
        [sys.executable, "-m", "tests.search.writer_process", mode, str(search.store.root)]
        + [app.config["SQLALCHEMY_DATABASE_URI"], *map(str, ids)],
        cwd=ROOT,
        **kw,
    )


def test_killed_writer_leaves_no_stale_lock_and_drift_heals(search, app, make):
    ids = insert_listings(make, [f"Werkbank Nummer {i}" for i in range(5)])
    child = writer("hold", search, app, ids, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "holding"  # lock held, documents added
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
    assert child.returncode == -signal.SIGKILL

    # The lock died with the process: the next writer gets it at once.
    started = time.monotonic()
    search.store.write(lambda w: None, timeout=2.0, attempts=1)
    assert time.monotonic() - started < 1.5
    assert search.search("Werkbank").total == 0  # the killed writer committed nothing

    search.drift_interval_s = 0  # as the next search of any worker would within seconds
    result = search.search("Werkbank", per_page=10)
    assert sorted(result.ids) == ids
    assert search.check_drift(force=True).in_step


def test_writers_of_many_processes_all_get_their_turn(search, app, make):
    ids = insert_listings(make, [f"Lastenrad {i}" for i in range(40)])
    children = [writer("index", search, app, ids[k::8], stderr=subprocess.PIPE) for k in range(8)]
    for child in children:
        _, errors = child.communicate(timeout=120)
        assert child.returncode == 0, errors.decode()
    result = search.search("Lastenrad", per_page=100)
    assert sorted(result.ids) == ids  # every update arrived: none lost, no LockError
