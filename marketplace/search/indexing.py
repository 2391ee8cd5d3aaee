"""The index follows commits: session events collect the listings a transaction touched and,
once it committed, index them from the database (listings never import search).

- after_flush: ids of Listing rows inserted, changed or deleted, and organisations whose name
  or district changed (their listings show them), and organisations created, changed or
  deleted (the directory's own index, search/organisations.py);
- do_orm_execute: a bulk UPDATE/INSERT/DELETE on listings (expiry sweeps, reservations) marks
  the transaction, and after its commit the drift check re-reads what changed;
- after_commit: index with a writer that waits for the lock. If that fails (lock never had,
  process killed), nothing reaches the user: the drift check heals it on a later search.

A backend with `writes_in_transaction` (PostgresBackend: documents are rows of the same
database) is written from after_flush instead, on the session's connection, and after a bulk
statement from before_commit: its documents commit and roll back with the rows. After the
commit it is only told (`committed()`), so that cached pages are dropped.
"""

import logging
import re
from types import SimpleNamespace

from flask import current_app, has_app_context
from sqlalchemy import inspect
from sqlalchemy.sql.elements import TextClause

from marketplace.core.session_hooks import (
    forget_on_rollback,
    listen_once,
    outer_transaction,
    touched,
)
from marketplace.listings.models import Listing
from marketplace.orgs.models import Organisation

log = logging.getLogger(__name__)

_IDS = "search_listing_ids"
_ORGS = "search_organisation_ids"
_ORG_DOCS = "search_organisation_docs"
#: Organisation fields the directory's index holds.
_ORG_FIELDS = ("name", "kind", "postcode", "district", "description")
_BULK = "search_bulk_change"
_CHANGED = "search_documents_changed"
_TEXT_DML = re.compile(r"\b(update|insert\s+into|delete\s+from)\s+\"?listings\b", re.I)


def register() -> None:
    """Follow the session's commits (once per process, for every app)."""
    listen_once(
        "search",
        after_flush=_after_flush,
        do_orm_execute=_on_execute,
        before_commit=_before_commit,
        after_commit=_after_commit,
        after_rollback=forget_on_rollback(_IDS, _ORGS, _ORG_DOCS, _BULK, _CHANGED),
    )


def _after_flush(session, _flush_context) -> None:
    ids: set[int] = set()
    renamed: set[int] = set()
    org_docs: dict = {}
    for obj in touched(session):
        if isinstance(obj, Listing):
            if obj in session.dirty and not session.is_modified(obj):
                continue
            if obj.id is not None:
                ids.add(obj.id)
        elif isinstance(obj, Organisation):
            if obj in session.dirty:
                state = inspect(obj)
                changed = {n for n in _ORG_FIELDS if state.attrs[n].history.has_changes()}
                if changed & {"name", "district"}:
                    renamed.add(obj.id)
                if not changed:
                    continue
            if obj.id is not None:
                # A snapshot of what the directory indexes (None: deleted), so that following
                # the commit needs no database read while other transactions wait for the lock.
                snapshot = None
                if obj not in session.deleted:
                    snapshot = SimpleNamespace(
                        id=obj.id, **{n: getattr(obj, n) for n in _ORG_FIELDS}
                    )
                org_docs[obj.id] = snapshot
    if not (ids or renamed or org_docs):
        return
    backend = _backend()
    if getattr(backend, "writes_in_transaction", False):
        # The documents are rows of the same database: written now, they commit or roll back
        # with the rows they describe.
        backend.write_flushed(session.connection(), ids, org_docs, renamed)
        session.info[_CHANGED] = True
        return
    session.info.setdefault(_IDS, set()).update(ids)
    session.info.setdefault(_ORGS, set()).update(renamed)
    session.info.setdefault(_ORG_DOCS, {}).update(org_docs)


def _backend():
    return current_app.extensions.get("search") if has_app_context() else None


def _before_commit(session) -> None:
    if not outer_transaction(session) or not session.info.get(_BULK):
        return
    backend = _backend()
    if getattr(backend, "writes_in_transaction", False):
        # A bulk statement names no rows: bring the documents it left behind up to date, still
        # inside the transaction.
        session.info.pop(_BULK)
        backend.write_stale(session.connection())
        session.info[_CHANGED] = True


def _on_execute(state) -> None:
    stmt = state.statement
    if state.is_update or state.is_delete or state.is_insert:
        table = getattr(stmt, "table", None)
        if getattr(table, "name", None) == "listings":
            state.session.info[_BULK] = True
    elif isinstance(stmt, TextClause) and _TEXT_DML.search(stmt.text):
        state.session.info[_BULK] = True


def _after_commit(session) -> None:
    if not outer_transaction(session):
        # A savepoint was released: the transaction still holds the write lock, and its rows are
        # not committed yet; indexing now would wait on that lock and read uncommitted state.
        return
    if session.info.pop(_CHANGED, False):
        backend = _backend()
        if backend is not None and hasattr(backend, "committed"):
            backend.committed()
    ids = session.info.pop(_IDS, None) or set()
    orgs = session.info.pop(_ORGS, None) or set()
    bulk = session.info.pop(_BULK, False)
    org_docs = session.info.pop(_ORG_DOCS, None) or {}
    if not (ids or orgs or bulk or org_docs) or not has_app_context():
        return
    backend = current_app.extensions.get("search")
    if backend is None:
        return
    follow_commit(backend, ids, orgs, bulk, org_docs)


def follow_commit(
    backend, ids: set[int], orgs: set[int], bulk: bool, org_docs: dict | None = None
) -> None:
    """Index what a committed transaction changed; never raises."""
    try:
        with backend.own_connections():
            if org_docs and hasattr(backend, "organisations"):
                try:
                    backend.organisations.write_rows(
                        [row for row in org_docs.values() if row is not None],
                        [i for i, row in org_docs.items() if row is None],
                    )
                except Exception:
                    log.exception("search: indexing organisations failed; the drift check heals")
                    backend.organisations.request_check()
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
