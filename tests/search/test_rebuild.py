"""`flask --app wsgi search reindex` rebuilds aside and switches in; searches keep working and
other processes follow the switch."""

import threading

import pytest
import sqlalchemy as sa

from marketplace.core.clock import utcnow
from marketplace.extensions import db
from marketplace.listings.models import Listing
from marketplace.search.backend import WhooshBackend
from tests.factories import category


def bulk_listings(make, n: int, word: str) -> None:
    org_id, category_id = make.organisation().id, category("tools").id
    now = utcnow()
    db.session.commit()  # end the session's transaction (on SQLite it holds the write lock)
    rows = [
        {
            "kind": "offer",
            "title": f"{word} {i}",
            "description": "Gut erhalten.",
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
        for i in range(n)
    ]
    with db.engine.begin() as conn:
        conn.execute(sa.insert(Listing.__table__), rows)


def test_reindex_command_rebuilds_from_the_database(search, runner, listing, make):
    listing("Europaletten")
    bulk_listings(make, 30, "Werkbank")  # not indexed: written without the session
    assert search.search("Werkbank").total == 0
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "Indexing listings" in result.output and "Indexed 31 listings" in result.output
    assert search.search("Werkbank").total == 30
    assert search.search("Palette").total == 1
    checked = runner.invoke(args=["search", "check"])
    assert checked.exit_code == 0 and "in step" in checked.output


@pytest.mark.whoosh_only  # generations and build processes of the index folder
def test_parallel_rebuild_is_switched_in_while_searches_go_on(search, app, make, listing):
    first = listing("Europaletten").id
    bulk_listings(make, 4100, "Kisten")  # enough for two build processes
    other_process = WhooshBackend(search.store.root, search.engine)
    assert other_process.search("Palette").ids == [first]
    old_generation = search.store.generation()

    answers, failures = [], []

    def keep_searching():
        while not done.is_set():
            try:
                answers.append(other_process.search("Palette").ids)
            except Exception as error:  # noqa: BLE001 - the test reports any failure
                failures.append(error)

    done = threading.Event()
    thread = threading.Thread(target=keep_searching)
    thread.start()
    try:
        report = search.rebuild(procs=2)
    finally:
        done.set()
        thread.join()
    assert report.procs == 2 and report.documents == 4101
    assert not failures and answers and all(a == [first] for a in answers)
    assert search.store.generation() != old_generation
    assert not (search.store.root / old_generation).exists()
    assert other_process.search("Kisten").total == 4100  # the other process followed
    other_process.close()
