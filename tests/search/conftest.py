"""Search fixtures: a real whoosh index under the test instance, emptied for every test (the
app is shared by the session; each test starts with no listings in the database)."""

import time

import pytest


@pytest.fixture
def search(app_ctx):
    """The app's WhooshBackend with an empty index and no automatic drift checks (tests that
    are about drift switch them on), so that what a test sees comes from following commits."""
    backend = app_ctx.extensions["search"]
    backend.clear()
    interval = backend.drift_interval_s
    backend.drift_interval_s = 1e9
    backend._last_drift_check = time.monotonic()
    backend._drift_requested = (
        False  # an earlier test's failed write must not heal this one's index
    )
    yield backend
    backend.drift_interval_s = interval
    backend._last_drift_check = 0.0


@pytest.fixture
def listing(make):
    """Make a listing with a title (and optionally more fields) in one call; the category
    defaults to tools, whose names share no word with the test queries."""
    from tests.factories import category

    def _listing(title, description="", **kw):
        kw.setdefault("category", category("tools"))
        return make.listing(title=title, description=description, **kw)

    return _listing
