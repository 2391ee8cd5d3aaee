"""The index follows commits: session events collect the listings a transaction touched and,
once it committed, index them from the database (listings never import search).

- after_flush: ids of Listing rows inserted, changed or deleted, and organisations whose name
  or district changed (their listings show them);
- do_orm_execute: a bulk UPDATE/INSERT/DELETE on listings (expiry sweeps, reservations) marks
  the transaction, and after its commit the drift check re-reads what changed;
- after_commit: index with a writer that waits for the lock. If that fails (lock never had,
  process killed), nothing reaches the user: the drift check heals it on a later search.
"""

import logging
import re

from flask import current_app, has_app_context
from sqlalchemy import event, inspect
from sqlalchemy.sql.elements import TextClause

from marketplace.extensions import db
from marketplace.listings.models import Listing
from marketplace.orgs.models import Organisation

log = logging.getLogger(__name__)

_IDS = "search_listing_ids"
_ORGS = "search_organisation_ids"
_BULK = "search_bulk_change"
_TEXT_DML = re.compile(r"\b(update|insert\s+into|delete\s+from)\s+\"?listings\b", re.I)
_registered = False


def register() -> None:
    """Listen on Flask-SQLAlchemy's session (once per process, for every app)."""
    global _registered
    if _registered:
        return
    event.listen(db.session, "after_flush", _after_flush)
    event.listen(db.session, "do_orm_execute", _on_execute)
    event.listen(db.session, "after_commit", _after_commit)
    event.listen(db.session, "after_rollback", _after_rollback)
    _registered = True


def _after_flush(session, _flush_context) -> None:
    ids = session.info.setdefault(_IDS, set())
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Listing):
            if obj in session.dirty and not session.is_modified(obj):
                continue
            if obj.id is not None:
                ids.add(obj.id)
        elif isinstance(obj, Organisation) and obj in session.dirty:
            state = inspect(obj)
            if any(state.attrs[name].history.has_changes() for name in ("name", "district")):
                session.info.setdefault(_ORGS, set()).add(obj.id)


def _on_execute(state) -> None:
    stmt = state.statement
    if state.is_update or state.is_delete or state.is_insert:
        table = getattr(stmt, "table", None)
        if getattr(table, "name", None) == "listings":
            state.session.info[_BULK] = True
    elif isinstance(stmt, TextClause) and _TEXT_DML.search(stmt.text):
        state.session.info[_BULK] = True


def _after_rollback(session) -> None:
    for key in (_IDS, _ORGS, _BULK):
        session.info.pop(key, None)


def _after_commit(session) -> None:
    ids = session.info.pop(_IDS, None) or set()
    orgs = session.info.pop(_ORGS, None) or set()
    bulk = session.info.pop(_BULK, False)
    if not (ids or orgs or bulk) or not has_app_context():
        return
    backend = current_app.extensions.get("search")
    if backend is None:
        return
    follow_commit(backend, ids, orgs, bulk)


def follow_commit(backend, ids: set[int], orgs: set[int], bulk: bool) -> None:
    """Index what a committed transaction changed; never raises."""
    try:
        with backend.own_connections():
            if orgs:
                from marketplace.search.documents import listing_ids_of_organisations

                with backend.connection() as conn:
                    ids = ids | set(listing_ids_of_organisations(conn, orgs))
            if ids:
                backend.index_listings(ids)
            if bulk:
                backend.check_drift(force=True)
    except Exception:
        # The database is the truth and already committed; the next drift check catches up.
        log.exception("search: indexing after commit failed; the drift check will heal it")
        backend.request_drift_check()
