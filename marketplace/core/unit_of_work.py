"""One commit per request: services only flush; when a web or API request ends with a successful
answer (status < 400, a redirect after a POST included) its session commits what it holds, once;
any other answer rolls it back. The session's after-commit work (mail, search index, alerts,
photo files) therefore follows that single commit. CLI commands, sweeps and jobs are units of
work of their own and commit themselves.

A commit (or a flush in the view) that the database refuses rolls everything back and answers
409 (a unique index: a concurrent request got there first) or 503 with Retry-After (SQLite's
lock not had in time, a PostgreSQL serialization failure or deadlock), as JSON under /api/ and
as an error page elsewhere; any other failure is the logged 500 with its id. Never a stack trace,
and never half of the request's writes."""

import logging

from flask import Flask, Response, g, has_request_context
from flask import session as cookie_session
from flask_babel import gettext as _
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.sql.elements import TextClause

from marketplace.core.database import end_write_intent
from marketplace.core.errorpages import error_response, internal_error_response
from marketplace.extensions import db

log = logging.getLogger("marketplace.unit_of_work")

_WROTE = "unit_of_work_wrote"
#: PostgreSQL states worth a retry: serialization_failure, deadlock_detected, lock_not_available.
_RETRYABLE_PG = frozenset({"40001", "40P01", "55P03"})
_RETRY_AFTER_S = 2
_registered = False


def init_unit_of_work(app: Flask) -> None:
    """Register last in create_app: after_request functions run in reverse order, so the commit
    comes before the other after_request hooks (security headers) see the answer."""
    _follow_writes()
    app.after_request(_end_request)
    app.register_error_handler(IntegrityError, _refused)
    app.register_error_handler(OperationalError, _refused)


def commit_despite_refusal() -> None:
    """Keep this request's writes although its answer is a refusal (4xx): a failed sign-in counts
    towards the throttle even though it answers 401."""
    if has_request_context():
        g.commit_despite_refusal = True


def commit_before_reading() -> None:
    """End the request's transaction now, for a page that writes a little (marks something read
    or seen) and then reads a lot: on SQLite the write lock is then not held while the page is
    computed and rendered (/matches scores candidates for it). The one exception to the single
    commit, for GET pages; a refused commit answers as at the end of a request."""
    db.session.commit()
    end_write_intent()  # the page's reads begin deferred, without the lock


def read_back_writes() -> None:
    """Flush and let the session read its objects again, as the view's commit once made it do:
    an answer built after a write then shows what the database holds (server defaults, counters
    changed by UPDATE statements, collections grown through foreign keys)."""
    db.session.flush()
    db.session.expire_all()


def _follow_writes() -> None:
    """Note on the session that it wrote (a flush, or DML run through it), so that a request that
    only read ends with a rollback, not with a commit of nothing."""
    global _registered
    if _registered:
        return
    event.listen(db.session, "after_flush", _mark_written)
    event.listen(db.session, "do_orm_execute", _on_execute)
    event.listen(db.session, "after_commit", _forget)
    event.listen(db.session, "after_rollback", _forget)
    _registered = True


def _mark_written(session, _flush_context) -> None:
    session.info[_WROTE] = True


def _on_execute(state) -> None:
    statement = state.statement
    if (
        state.is_insert
        or state.is_update
        or state.is_delete
        or isinstance(statement, TextClause)
        and not statement.text.lstrip().lower().startswith("select")
    ):
        state.session.info[_WROTE] = True


def _forget(session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(_WROTE, None)


def _has_work(session) -> bool:
    return bool(session.new or session.dirty or session.deleted or session.info.get(_WROTE))


def _holds_connection(session) -> bool:
    """Whether the session's transaction has begun one in the database. A page whose reads all
    came from what was kept (core/kept_reads.py) began only the session's own bookkeeping (the
    signed-in user merged in), which the teardown's close ends; rolling it back cost 50 us.
    Unknown (another SQLAlchemy): true."""
    transaction = session.get_transaction()
    return transaction is None or bool(getattr(transaction, "_connections", True))


def _end_request(response: Response) -> Response:
    session = db.session()
    if not session.in_transaction():
        return response
    keep = response.status_code < 400 or (
        response.status_code < 500 and g.get("commit_despite_refusal")
    )
    if not (keep and _has_work(session)):
        if not response.is_streamed and _holds_connection(session):
            # A streamed export still reads from this transaction; the request's teardown closes it.
            session.rollback()
        return response
    try:
        session.commit()
    except (IntegrityError, OperationalError) as error:
        return _refused(error)
    except Exception:  # noqa: BLE001 - whatever failed, nothing of the request may stay
        return internal_error_response()
    return response


def _refused(error: IntegrityError | OperationalError) -> Response:
    """The database refused the request's writes: undo all of them and say so."""
    db.session.rollback()
    # The answer must not read under the write lock the refused transaction queued for.
    g.reads_only = True
    cookie_session.pop("_flashes", None)  # "saved" would be a lie
    if isinstance(error, IntegrityError):
        log.info("Commit refused by a constraint: %s", error.orig)
        return error_response(
            409,
            _("Someone changed this at the same moment, so nothing was saved. Please try again."),
            "conflict",
        )
    if not _retryable(error):
        return internal_error_response(error)
    log.warning("Commit refused for now (lock, serialization, deadlock): %s", error.orig)
    return error_response(
        503,
        _("The marketplace is very busy right now, so nothing was saved. Please try again."),
        "busy",
        headers={"Retry-After": str(_RETRY_AFTER_S)},
    )


def _retryable(error: OperationalError) -> bool:
    code = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
    if code in _RETRYABLE_PG:
        return True
    message = str(error.orig).lower()
    return "database is locked" in message or "database table is locked" in message
