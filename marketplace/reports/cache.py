"""A per-process cache of report figures: the dashboard, its exports and API polls of the same
filters reuse one computation while the data under it is unchanged.

An entry is valid while the data stamp is the same and for at most REPORTS_CACHE_SECONDS (default
60; 0 turns the cache off), which bounds how long a rename can go unseen. The stamp is read in
two index look-ups, under a millisecond at 100k exchanges, and once per request: the latest
completion, the number of completions in the WINDOW before it (a completion committed late, or
at the same instant, changes it), the highest exchange id, the latest change and highest id of
listings, the categories' version and the sums of their factors and weights, and today's date."""

import copy
import threading
import time
from collections.abc import Callable
from datetime import timedelta

from cachetools import LRUCache
from flask import current_app, g, has_request_context, request
from sqlalchemy import func, select

from marketplace.categories.models import Category
from marketplace.core.clock import today
from marketplace.core.i18n import current_language
from marketplace.exchanges.models import Exchange
from marketplace.extensions import db
from marketplace.listings.models import Listing

MAX_ENTRIES = 64
#: Completions this long before the latest one are counted in the stamp: a transaction that
#: completes an exchange commits well within it.
WINDOW = timedelta(minutes=10)
_entries: LRUCache = LRUCache(maxsize=MAX_ENTRIES)
_lock = threading.Lock()


def cache_seconds() -> float:
    default = 0 if current_app.testing else 60
    return float(current_app.config.get("REPORTS_CACHE_SECONDS", default))


def _scalar(stmt):
    return stmt.scalar_subquery()


def read_data_stamp() -> tuple:
    """What report figures depend on that changes with every write that matters to them."""
    completed = Exchange.status == "completed"
    row = db.session.execute(
        select(
            _scalar(select(func.max(Exchange.completed_at)).where(completed)),
            _scalar(select(func.max(Exchange.id))),
            _scalar(select(func.max(Listing.updated_at))),
            _scalar(select(func.max(Listing.id))),
            _scalar(select(func.max(Category.taxonomy_version))),
            _scalar(select(func.sum(Category.co2e_factor))),
            _scalar(select(func.sum(Category.kg_per_unit))),
        )
    ).one()
    latest = row[0]
    recent = 0
    if latest is not None:
        recent = db.session.execute(
            select(func.count()).where(completed, Exchange.completed_at >= latest - WINDOW)
        ).scalar_one()
    return (*row, recent, today())


def data_stamp() -> tuple:
    """read_data_stamp(), read once per GET request (a report page caches several figures)."""
    if not has_request_context() or request.method != "GET":
        return read_data_stamp()
    stamp = g.get("_report_data_stamp")
    if stamp is None:
        stamp = g._report_data_stamp = read_data_stamp()
    return stamp


def cached(filters, compute: Callable, *args):
    """compute(filters, *args), or a copy of the result of an earlier call that is still valid."""
    ttl = cache_seconds()
    if ttl <= 0:
        return compute(filters, *args)
    key = (
        compute.__module__,
        compute.__qualname__,
        filters,
        args,
        current_language(),
        current_app.config.get("SQLALCHEMY_DATABASE_URI"),
    )
    stamp = data_stamp()
    now = time.monotonic()
    with _lock:
        entry = _entries.get(key)
        if entry is not None and entry[0] == stamp and entry[1] > now:
            return copy.deepcopy(entry[2])
    result = compute(filters, *args)
    with _lock:
        _entries[key] = (stamp, now + ttl, copy.deepcopy(result))
    return result


def clear() -> None:
    with _lock:
        _entries.clear()
