"""How a backend reads the database: inside the app session's transaction when there is one,
else on a short connection of its own (both backends)."""

import contextlib
import threading

from flask import current_app, has_app_context

_local = threading.local()


class SessionReads:
    """Mixed into a backend that has an `engine`."""

    engine = None

    @contextlib.contextmanager
    def connection(self):
        """A connection to read the database with. When the app's session is inside a
        transaction, reads join it: on SQLite a second connection would wait for the write
        lock such a transaction holds outside GET requests. Otherwise (and right after a commit,
        in session events) a short connection of its own, so that no lock outlives the read."""
        session = self._session()
        if session is not None and session().in_transaction():
            yield session.connection()
        else:
            with self.engine.connect() as conn:
                yield conn

    def _session(self):
        if getattr(_local, "own_connections", False) or not has_app_context():
            return None
        if current_app.extensions.get("search") is not self:
            return None
        from marketplace.extensions import db

        return db.session

    @contextlib.contextmanager
    def own_connections(self):
        """Read with connections of its own (inside session events: the session is done)."""
        previous = getattr(_local, "own_connections", False)
        _local.own_connections = True
        try:
            yield
        finally:
            _local.own_connections = previous
