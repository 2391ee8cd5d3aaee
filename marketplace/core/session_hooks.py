"""Work that follows a transaction, on Flask-SQLAlchemy's session: listeners collect what a flush
touched in session.info, act once the outermost transaction committed, and forget it when that
transaction rolls back. The search index (search/indexing.py), match alerts (matching/alerts.py)
and the map's version (directory/map_version.py) follow commits this way.

A savepoint's commit or rollback fires the same events inside a transaction that goes on: what
was collected belongs to the outer transaction and waits for its end."""

from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session

from marketplace.extensions import db

_listening: set[str] = set()


def listen_once(name: str, **listeners: Callable) -> None:
    """Attach `listeners` (session event name -> function) to the session, once per process for
    `name`: the session is shared by every app a process creates (tests create many)."""
    if name in _listening:
        return
    for event_name, listener in listeners.items():
        event.listen(db.session, event_name, listener)
    _listening.add(name)


def outer_transaction(session: Session) -> bool:
    """In a commit or rollback listener: the event is the transaction's own, not a savepoint's."""
    return not session.in_nested_transaction()


def forget_on_rollback(*keys: str) -> Callable[[Session], None]:
    """An after_rollback listener that drops `keys` from session.info when the transaction (not
    a savepoint) rolled back."""

    def after_rollback(session: Session) -> None:
        if outer_transaction(session):
            for key in keys:
                session.info.pop(key, None)

    return after_rollback


def touched(session: Session) -> tuple:
    """The objects a flush writes: new, changed and deleted."""
    return (*session.new, *session.dirty, *session.deleted)
