"""Engine set-up: SQLite pragmas and write transactions that take the lock up front."""

from collections.abc import Iterator
from contextlib import contextmanager

from flask import g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def configure_engine(engine: Engine) -> None:
    """Make SQLite safe under several worker processes (security.md 17)."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" event issue BEGIN itself instead of pysqlite's deferred BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Reads of a viewport or a report touch tens of MB of index pages: keep them in each
        # connection's cache (32 MB) and read the file through memory mapping (up to 256 MB).
        cursor.execute("PRAGMA cache_size=-32000")
        cursor.execute("PRAGMA mmap_size=268435456")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # A deferred transaction that upgrades from read to write fails at once, ignoring the busy
        # timeout; so every transaction that may write takes the write lock when it begins. Reads
        # (GET pages) stay deferred so that they never wait for writers in WAL mode.
        reading = has_request_context() and (
            request.method in _READ_METHODS and not g.get("write_intent") or g.get("reads_only")
        )
        if reading:
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def declare_write_intent() -> None:
    """Call in a GET request that will write (e.g. marks something read): its next transaction
    takes the write lock when it begins, waiting for it up to the busy timeout. The read
    transaction the request may have begun already (loading the signed-in user) ends here: a
    deferred transaction that upgrades to a write fails at once when another holds the lock."""
    from marketplace.extensions import db

    g.write_intent = True
    session = db.session()
    if session.in_transaction() and not (session.new or session.dirty or session.deleted):
        session.commit()  # nothing written yet: only ends the deferred read


def end_write_intent() -> None:
    """The GET request's writes are done: its later transactions begin deferred again."""
    g.pop("write_intent", None)


@contextmanager
def reads_before_writing() -> Iterator[None]:
    """Reads of a write request that must not hold the write lock: on SQLite every transaction
    of a POST takes it when it begins (see configure_engine), so a sign-in that checks a password
    (argon2, about 200 ms) inside it made concurrent sign-ins queue past the busy timeout. The
    block reads in a deferred transaction of its own and ends it; what follows writes in a short
    one. Nothing may be written inside the block (it is rolled back)."""
    from marketplace.extensions import db

    if db.session().in_transaction():
        db.session.commit()  # a transaction begun with the lock (nothing written yet)
    outer = g.get("reads_only") if has_request_context() else None
    if has_request_context():
        g.reads_only = True
    try:
        yield
    finally:
        db.session.rollback()
        if has_request_context():
            g.reads_only = outer


def declare_reads_only() -> None:
    """Call after a write request's commit when all it still does is read its answer back: the
    read then need not queue for the write lock behind every other writer (under a burst of
    writes that wait once more could outlast the busy timeout)."""
    g.reads_only = True
