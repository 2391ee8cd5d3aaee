"""The map's version: a token in map_versions that every transaction writing what the map shows
(listings, organisations, their sites and functions, categories) replaces before it commits,
so that each worker knows when the points it holds in memory (points.py) are stale.

- after_flush: a flushed Listing, Organisation, OrganisationSite, OrganisationFunction or
  Category marks the transaction; do_orm_execute: so does bulk DML on their tables that
  touched a row;
- before_commit: a marked transaction writes a new token, as its last statement, so that on
  PostgreSQL the row's lock is held from there to the commit only and is never waited for
  while holding another (no deadlock with listing row locks);
- writes behind the session's back (bulk loads, test clean-ups) call bump_map_version or
  delete the row: without a row, the map reads from SQL.
"""

import uuid

import sqlalchemy as sa

from marketplace.categories.models import Category
from marketplace.core.session_hooks import forget_on_rollback, listen_once, touched
from marketplace.directory.models import MapVersion, OrganisationFunction, OrganisationSite
from marketplace.extensions import db
from marketplace.listings.models import Listing
from marketplace.orgs.models import Organisation

_MARK = "map_version_changed"
_MODELS = (Listing, Organisation, OrganisationSite, OrganisationFunction, Category)
_TABLES = {model.__tablename__ for model in _MODELS}


def follow_map_writes() -> None:
    """Follow the session's writes (once per process, for every app)."""
    listen_once(
        "map_version",
        after_flush=_after_flush,
        do_orm_execute=_on_execute,
        before_commit=_before_commit,
        after_rollback=forget_on_rollback(_MARK),
    )


def read_map_version() -> str | None:
    """The current token; None when no row holds one (the map then reads from SQL)."""
    return db.session.scalar(sa.select(MapVersion.token).where(MapVersion.id == 1))


def bump_map_version(connection: sa.Connection) -> None:
    """Write a new token on this connection (in its transaction)."""
    table = MapVersion.__table__
    token = uuid.uuid4().hex
    result = connection.execute(table.update().where(table.c.id == 1).values(token=token))
    if not result.rowcount:
        connection.execute(table.insert().values(id=1, token=token))


def has_unversioned_changes(session) -> bool:
    """True while this transaction changed the map and has not committed: its own reads must
    not come from (nor fill) the points other transactions share."""
    return bool(session.info.get(_MARK)) or any(
        isinstance(obj, _MODELS) for obj in touched(session)
    )


def _after_flush(session, _flush_context) -> None:
    if not session.info.get(_MARK) and any(isinstance(obj, _MODELS) for obj in touched(session)):
        session.info[_MARK] = True


def _on_execute(state):
    if not (state.is_update or state.is_delete or state.is_insert):
        return None
    if getattr(getattr(state.statement, "table", None), "name", None) not in _TABLES:
        return None
    if state.is_insert:
        state.session.info[_MARK] = True
        return None
    # An UPDATE that changed nothing leaves the map as it was: the expiry sweep runs every
    # minute in every worker and mostly finds nothing; a rebuild each time would cost more.
    result = state.invoke_statement()
    if result.rowcount != 0:
        state.session.info[_MARK] = True
    return result


def _before_commit(session) -> None:
    if session.new or session.dirty or session.deleted:
        session.flush()  # the commit would flush after this hook: mark what it holds now
    if session.info.pop(_MARK, False):
        bump_map_version(session.connection())
