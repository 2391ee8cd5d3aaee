"""A per-process cache of report summaries: the dashboard, its exports and API polls of the same
filters reuse one computation while the data under it is unchanged.

An entry is valid while the data stamp is the same (number and latest completion of completed
exchanges, their highest id, the latest change and highest id of listings, today's date: all read
from indexes in a few milliseconds) and for at most REPORTS_CACHE_SECONDS (default 60; 0 turns
the cache off), which bounds how long a rename or a factor update can go unseen."""

import copy
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from flask import current_app
from sqlalchemy import func, select

from marketplace.core.clock import today
from marketplace.core.i18n import current_language
from marketplace.exchanges.models import Exchange
from marketplace.extensions import db
from marketplace.listings.models import Listing

MAX_ENTRIES = 64
_entries: OrderedDict = OrderedDict()
_lock = threading.Lock()


def cache_seconds() -> float:
    default = 0 if current_app.testing else 60
    return float(current_app.config.get("REPORTS_CACHE_SECONDS", default))


def data_stamp() -> tuple:
    """What a summary depends on that changes with every write that matters to it."""
    completed = db.session.execute(
        select(func.count(), func.max(Exchange.completed_at)).where(Exchange.status == "completed")
    ).one()
    exchanges_max_id = db.session.execute(select(func.max(Exchange.id))).scalar()
    listings = db.session.execute(select(func.max(Listing.updated_at), func.max(Listing.id))).one()
    return (*completed, exchanges_max_id, *listings, today())


def cached(filters, compute: Callable):
    """compute(filters), or a copy of the result of an earlier call that is still valid."""
    ttl = cache_seconds()
    if ttl <= 0:
        return compute(filters)
    key = (filters, current_language(), current_app.config.get("SQLALCHEMY_DATABASE_URI"))
    stamp = data_stamp()
    now = time.monotonic()
    with _lock:
        entry = _entries.get(key)
        if entry is not None and entry[0] == stamp and entry[1] > now:
            _entries.move_to_end(key)
            return copy.deepcopy(entry[2])
    result = compute(filters)
    with _lock:
        _entries[key] = (stamp, now + ttl, copy.deepcopy(result))
        _entries.move_to_end(key)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return result


def clear() -> None:
    with _lock:
        _entries.clear()
