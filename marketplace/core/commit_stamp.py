"""A token that changes after every transaction that wrote, in any process of this machine.

What every signed-in page asks first (the session's user and organisation, the header's counts)
costs three statements and a transaction, about 0.5 ms of the 1.4 ms a cached browse page
takes. Kept per process under this token, it is read again only after a write somewhere.

The embedded default keeps its data in one SQLite file, so every writer runs on this machine:
the token is a small file beside the database, replaced (atomically) when a connection that
changed rows is handed back to the pool, which is after its COMMIT. A reader reads the token
before its own transaction begins, so what it keeps is never older than the token it keeps it
under. Writes that bypass this app's engine (the sqlite3 shell) are not seen: after those,
delete the file or restart. On PostgreSQL several machines may write, so there is no token
(None) and nothing is kept (docs/decisions.md).
"""

import os
import threading
import uuid
from pathlib import Path

from flask import current_app, g, has_request_context
from sqlalchemy import event
from sqlalchemy.engine import Engine

_EXTENSION = "commit_stamp"


class FileStamp:
    """The token in a file; replaced whole, so a reader sees the old token or the new one."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._name = os.fspath(path)
        self._lock = threading.Lock()

    def read(self) -> bytes:
        # os-level calls: every request reads the token, and Path.read_bytes builds a buffered
        # file object around the same three system calls
        try:
            descriptor = os.open(self._name, os.O_RDONLY)
        except FileNotFoundError:
            return self.bump()
        try:
            return os.read(descriptor, 64)
        finally:
            os.close(descriptor)

    def bump(self) -> bytes:
        token = uuid.uuid4().hex.encode()
        with self._lock:
            writer = f"{os.getpid()}.{threading.get_ident()}"  # apps of one process share the file
            scratch = self.path.with_name(f"{self.path.name}.{writer}.tmp")
            scratch.write_bytes(token)
            os.replace(scratch, self.path)
        return token


def follow_commits(app, engine: Engine) -> None:
    """Give an app on a SQLite file its token and replace it after each writing transaction."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return
    stamp = app.extensions[_EXTENSION] = FileStamp(Path(f"{database}-stamp"))

    @event.listens_for(engine, "begin")
    def _count_at_begin(connection):
        pooled = connection.connection
        pooled.info["changes_at_begin"] = pooled.dbapi_connection.total_changes

    @event.listens_for(engine, "commit")
    def _mark_if_written(connection):
        pooled = connection.connection
        if pooled.dbapi_connection.total_changes != pooled.info.get("changes_at_begin"):
            pooled.info["stamp_due"] = True

    @event.listens_for(engine, "checkin")
    def _bump_after_commit(_dbapi_connection, record):
        if record.info.pop("stamp_due", False):
            stamp.bump()
            if has_request_context():
                g.request_wrote = True  # what was kept before must not answer its reads now


def commit_stamp() -> bytes | None:
    """The current app's token; None where there is none (nothing may then be kept)."""
    stamp = current_app.extensions.get(_EXTENSION)
    return stamp.read() if stamp is not None else None
