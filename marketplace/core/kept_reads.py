"""Reads every signed-in page repeats, kept per process until the next write anywhere.

A request takes the commit stamp (core/commit_stamp.py) once, before its first transaction,
and keeps and finds values only under it; once the request itself has written, it keeps and
finds nothing more, so that it always sees its own writes. Off in tests unless
READ_CACHE_SIZE is set; 0 turns it off; without a stamp (PostgreSQL) nothing is kept.
"""

from collections.abc import Callable, Hashable

from flask import current_app, g, has_request_context

from marketplace.core.commit_stamp import commit_stamp
from marketplace.core.versioned_cache import VersionedCache, app_cache
from marketplace.extensions import db

#: Entries kept per kind and process when READ_CACHE_SIZE is not configured.
DEFAULT_SIZE = 2048
_SPENT = object()


def request_stamp() -> bytes | None:
    """This request's stamp: read once, and only while no transaction is open (a transaction
    begun earlier may see data older than the stamp); None when nothing may be kept."""
    if not has_request_context() or g.get("request_wrote"):
        return None
    stamp = g.get("commit_stamp")
    if stamp is None:
        stamp = _SPENT
        if not db.session().in_transaction():
            stamp = commit_stamp() or _SPENT
        g.commit_stamp = stamp
    return None if stamp is _SPENT else stamp


def kept_cache(kind: str) -> VersionedCache | None:
    app = current_app._get_current_object()  # one context lookup, not one per attribute
    return app_cache(app, "kept_reads", "READ_CACHE_SIZE", DEFAULT_SIZE, kind)


def kept_read(kind: str, key: Hashable, read: Callable[[], object]):
    """read(), or what it returned for `key` since the last write anywhere (None is not kept)."""
    cache = kept_cache(kind)
    stamp = request_stamp() if cache is not None else None
    if stamp is None:
        return read()
    value = cache.get(key, stamp)
    if value is None:
        value = read()
        if value is not None:
            cache.put(key, stamp, value)
    return value
