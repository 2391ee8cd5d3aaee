"""One live/expired rule: the Python check, the SQL condition and the search filter agree."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace.core.clock import today
from marketplace.extensions import db
from marketplace.listings import liveness
from marketplace.listings.models import Listing
from marketplace.search.engine import _EXPIRED, _LIVE

STATUSES = ("open", "reserved", "closed", "expired", "withdrawn")


def test_search_reads_the_same_statuses():
    assert tuple(s.encode() for s in liveness.LIVE_STATUSES) == _LIVE
    assert liveness.EXPIRED.encode() == _EXPIRED


@pytest.mark.parametrize("days", [None, -1, 0, 1])
def test_python_and_sql_agree_on_every_status(make, days):
    until = None if days is None else today() + timedelta(days=days)
    listings = {s: make.listing(status=s, available_until=until) for s in STATUSES}
    db.session.flush()
    for shown in STATUSES:
        found = set(
            db.session.scalars(
                select(Listing.id).where(
                    Listing.id.in_([x.id for x in listings.values()]),
                    liveness.effective_status_is(shown),
                )
            )
        )
        expected = {x.id for x in listings.values() if liveness.effective_status(x) == shown}
        assert found == expected, (shown, days)
    overdue = set(db.session.scalars(select(Listing.id).where(liveness.overdue(today()))))
    assert overdue == {
        x.id
        for s, x in listings.items()
        if s in liveness.LIVE_STATUSES and liveness.is_past_due(until, today())
    }
