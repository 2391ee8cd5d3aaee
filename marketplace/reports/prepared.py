"""Large report files as background jobs: with Redis, a big exchanges workbook or a PDF report is
not built while the asker's request waits (and holds a web worker) but by an RQ worker; the
asker follows it on /reports/files and downloads it from any app server (the bytes live in the
database). Without Redis nothing changes: the downloads are answered at once, as before.

The request does what needs the asker's rights and language (the filters are authorised, the
file named, the PDF's HTML rendered); the job does the heavy part (the rows into the workbook,
the HTML into a PDF)."""

import hashlib
import logging
from datetime import timedelta
from urllib.parse import parse_qsl

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from marketplace.auth.models import User
from marketplace.core.clock import utcnow
from marketplace.core.errors import NotFound
from marketplace.core.session_hooks import forget_on_rollback, listen_once, outer_transaction
from marketplace.extensions import db
from marketplace.jobs.queue import enqueue, jobs_queued
from marketplace.reports.filters import (
    ReportFilters,
    authorise_report_filters,
    parse_report_filters,
)
from marketplace.reports.prepared_models import (
    FAILED,
    PENDING,
    QUEUED,
    READY,
    RUNNING,
    PreparedFile,
)
from marketplace.reports.rows import count_exchange_rows

log = logging.getLogger("marketplace.reports")
_TO_ENQUEUE = "prepared_files_to_enqueue"
#: Files listed on /reports/files (the newest; older ones are purged anyway).
LISTED = 50


def xlsx_wants_job(filters: ReportFilters) -> bool:
    """With Redis, a workbook of at least EXPORT_JOB_MIN_ROWS exchanges (counted only then)."""
    if not jobs_queued():
        return False
    return count_exchange_rows(filters) >= int(current_app.config["EXPORT_JOB_MIN_ROWS"])


def pdf_wants_job() -> bool:
    return jobs_queued()


def request_file(user: User, kind: str, source: str, filename: str, language: str) -> PreparedFile:
    """The pending file for this request of `user`, or a new one queued after the commit."""
    key = hashlib.sha256(f"{kind}\0{language}\0{source}".encode()).hexdigest()
    pending = db.session.scalars(
        select(PreparedFile).where(
            PreparedFile.user_id == user.id,
            PreparedFile.request_key == key,
            PreparedFile.status.in_(PENDING),
        )
    ).first()
    if pending is not None:
        return pending
    prepared = PreparedFile(
        user_id=user.id,
        kind=kind,
        source=source,
        filename=filename,
        language=language,
        request_key=key,
        status=QUEUED,
        attempts=0,
        error="",
        size=0,
    )
    db.session.add(prepared)
    db.session.flush()
    db.session.info.setdefault(_TO_ENQUEUE, []).append(prepared.id)
    return prepared


def _enqueue_after_commit(session: Session) -> None:
    if outer_transaction(session):
        for file_id in session.info.pop(_TO_ENQUEUE, []):
            enqueue(build_prepared_file, file_id)


listen_once(
    "prepared-files",
    after_commit=_enqueue_after_commit,
    after_rollback=forget_on_rollback(_TO_ENQUEUE),
)


def build_prepared_file(file_id: int) -> None:
    """Job: build the file once. Claimed with a conditional UPDATE, so that a retry or a second
    worker never builds a file that is ready or being built (a build that outlived the job
    timeout counts as abandoned and is taken again)."""
    abandoned = utcnow() - timedelta(seconds=int(current_app.config["JOB_TIMEOUT_S"]))
    claimed = db.session.execute(
        update(PreparedFile)
        .where(
            PreparedFile.id == file_id,
            or_(
                PreparedFile.status == QUEUED,
                (PreparedFile.status == RUNNING) & (PreparedFile.started_at < abandoned),
            ),
        )
        .values(status=RUNNING, started_at=utcnow(), attempts=PreparedFile.attempts + 1)
    ).rowcount
    db.session.commit()
    if not claimed:
        return
    prepared = db.session.get(PreparedFile, file_id)
    try:
        with force_locale(prepared.language):
            content = _build(prepared)
    except Exception as error:
        db.session.rollback()
        _record_failure(file_id, error)
        raise  # RQ retries it with backoff; the file is shown as failed after the last attempt
    prepared.content = content
    prepared.size = len(content)
    prepared.status = READY
    prepared.finished_at = utcnow()
    prepared.source = ""  # a PDF's HTML is some 100 KB: not kept once the PDF is
    db.session.commit()


def _build(prepared: PreparedFile) -> bytes:
    if prepared.kind == "pdf":
        from marketplace.reports.pdf import render_pdf

        return render_pdf(prepared.source)
    if prepared.kind == "xlsx":
        import io

        from marketplace.reports.downloads import write_xlsx

        user = db.session.get(User, prepared.user_id)
        # Authorised again: the asker may have lost the right meanwhile.
        filters = authorise_report_filters(
            user, parse_report_filters(dict(parse_qsl(prepared.source)))
        )
        buffer = io.BytesIO()
        write_xlsx(filters, buffer)
        return buffer.getvalue()
    raise ValueError(f"unknown prepared file kind {prepared.kind!r}")


def _record_failure(file_id: int, error: Exception) -> None:
    log.exception("Could not prepare file %s", file_id)
    prepared = db.session.get(PreparedFile, file_id)
    if prepared is None:
        return
    prepared.error = f"{type(error).__name__}: {error}"[:500]
    # Queued again while RQ has retries left (the retry claims it), failed after the last one.
    retries = len(current_app.config["JOB_RETRY_INTERVALS"]) if jobs_queued() else 0
    prepared.status = FAILED if prepared.attempts > retries else QUEUED
    db.session.commit()


def list_prepared_files(user: User) -> list[PreparedFile]:
    return list(
        db.session.scalars(
            select(PreparedFile)
            .where(PreparedFile.user_id == user.id)
            .order_by(PreparedFile.created_at.desc(), PreparedFile.id.desc())
            .limit(LISTED)
        )
    )


def get_prepared_file(user: User, file_id: int) -> PreparedFile:
    """The file if it is `user`'s (anyone else's is "not found", not "forbidden")."""
    prepared = db.session.get(PreparedFile, file_id)
    if prepared is None or prepared.user_id != user.id:
        raise NotFound()
    return prepared


def purge_prepared_files() -> int:
    """Periodic job: delete files asked for longer ago than PREPARED_FILE_TTL_S."""
    cutoff = utcnow() - timedelta(seconds=int(current_app.config["PREPARED_FILE_TTL_S"]))
    removed = db.session.execute(
        delete(PreparedFile).where(PreparedFile.created_at < cutoff)
    ).rowcount
    db.session.commit()
    return removed
