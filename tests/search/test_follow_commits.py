"""The index follows commits: created, edited and withdrawn listings through the ORM, bulk
UPDATEs (expiry sweeps, reservations), organisation renames, and changes made behind the
session's back, which the drift check heals before the next search."""

import pytest
import sqlalchemy as sa

from marketplace.core.clock import utcnow
from marketplace.extensions import db
from marketplace.listings.models import Listing


def test_create_edit_withdraw_through_the_orm(search, listing):
    created = listing("Europaletten")
    assert search.search("Palette").ids == [created.id]
    created.title = "Gitterboxen"
    db.session.commit()
    assert search.search("Palette").ids == []
    assert search.search("Gitterbox").ids == [created.id]
    created.status = "withdrawn"
    db.session.commit()
    assert search.search("Gitterbox").ids == []


def test_rollback_indexes_nothing(search, listing):
    db.session.add(
        Listing(
            kind="offer",
            title="Nie gespeichert",
            description="",
            category_id=listing("Anderes").category_id,
            quantity=1,
            quantity_remaining=1,
            unit="piece",
            postcode="04109",
            organisation_id=listing("Noch etwas").organisation_id,
        )
    )
    db.session.flush()
    db.session.rollback()
    assert search.search("gespeichert").total == 0


def test_bulk_update_through_the_session_is_followed(search, listing):
    """Like the expiry sweep: a conditional UPDATE that bumps updated_at."""
    first, second = listing("Kisten eins"), listing("Kisten zwei")
    db.session.execute(
        sa.update(Listing)
        .where(Listing.id == first.id)
        .values(status="expired", updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    assert search.search("Kisten").ids == [second.id]


@pytest.mark.whoosh_only  # the periodic drift check of the index folder
def test_changes_behind_the_sessions_back_are_healed_by_the_drift_check(search, listing):
    gone, changed = listing("Kisten eins").id, listing("Kisten zwei").id
    db.session.commit()  # end the session's transaction (on SQLite it holds the write lock)
    with db.engine.begin() as conn:  # no session, no events
        table = Listing.__table__
        conn.execute(
            sa.update(table)
            .where(table.c.id == changed)
            .values(title="Regale", updated_at=utcnow())
        )
        conn.execute(sa.delete(table).where(table.c.id == gone))
    assert search.search("Regal").ids == []  # the index is behind the database
    search.drift_interval_s = 0  # the next search checks
    assert search.search("Kisten").ids == []
    assert search.search("Regal").ids == [changed]
    assert search.check_drift(force=True).in_step


def test_organisation_rename_reaches_its_listings(search, listing, make):
    org = make.organisation(name="Theater am Park")
    hit = listing("Scheinwerfer", organisation=org)
    assert search.search("Theater").ids == [hit.id]
    org.name = "Spinnerei Werkhalle"
    db.session.commit()
    assert search.search("Theater").ids == []
    assert search.search("Spinnerei").ids == [hit.id]


@pytest.mark.whoosh_only  # whoosh writes after the commit; documents on PostgreSQL fail with their transaction
def test_failed_indexing_never_reaches_the_user_and_heals(search, listing, monkeypatch):
    from marketplace.search.store import IndexBusy

    def busy(*args, **kwargs):
        raise IndexBusy("the search index stayed locked")

    monkeypatch.setattr(search.store, "write", busy)
    hidden = listing("Werkbank")  # the commit succeeds although indexing failed
    monkeypatch.undo()
    assert search.search("Werkbank").ids == [hidden.id]  # failure asked for a drift check


def test_textual_update_through_the_session_is_followed(search, listing):
    changed = listing("Kisten")
    db.session.execute(
        sa.text("UPDATE listings SET title = :title, updated_at = :now WHERE id = :id"),
        {"title": "Gitterboxen", "now": utcnow(), "id": changed.id},
    )
    db.session.commit()
    assert search.search("Gitterbox").ids == [changed.id]
