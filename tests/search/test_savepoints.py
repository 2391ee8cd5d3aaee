"""The index follows real commits only: a released SAVEPOINT (the ledger's transfers use them)
also fires after_commit, and indexing then would wait on the transaction's own write lock and
read rows that are not committed yet."""

import pytest

from marketplace.extensions import db
from tests import factories


@pytest.mark.whoosh_only  # after_commit indexing; PostgreSQL documents share the savepoint
def test_a_released_savepoint_is_not_the_commit_the_index_follows(search, app_ctx):
    offer = factories.ListingFactory.build(
        title="Hobelbank aus Buche",
        organisation=factories.organisation(),
        category=factories.category("tools"),
    )
    db.session.add(offer)
    db.session.flush()
    with db.session.begin_nested():
        pass
    assert search.search("Hobelbank").total == 0
    db.session.commit()
    assert search.search("Hobelbank").ids == [offer.id]
