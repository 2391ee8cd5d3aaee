"""Mail that leaves only after the transaction that caused it has committed: rendered in the web
process, sent by a background job (marketplace.jobs: the RQ worker, or right away without Redis)."""

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app, render_template
from flask_babel import force_locale
from flask_mailman import EmailMessage
from sqlalchemy import event
from sqlalchemy.orm import Session

from marketplace.jobs.queue import enqueue, mark_done, was_done

log = logging.getLogger("marketplace.mail")
_OUTBOX_KEY = "mail_outbox"


def queue_mail(
    session: Session,
    to: str,
    subject: str,
    template: str,
    locale: str = "de",
    *,
    render_after_commit: bool = False,
    **context,
) -> None:
    """Render the message (in the recipient's language) and send it after the commit.

    With render_after_commit the template is rendered after the commit too, outside the
    transaction (on SQLite: outside the write lock every other writer waits for), and not at all
    when it rolls back; the context must then hold plain values, not ORM objects (the commit
    expires them and no SQL may run at that point)."""
    if render_after_commit:
        session.info.setdefault(_OUTBOX_KEY, []).append(
            lambda: _message(to, subject, _render_plain(template, locale, context))
        )
        return
    with force_locale(locale):
        body = render_template(template, **context)
    session.info.setdefault(_OUTBOX_KEY, []).append(_message(to, subject, body))


def _render_plain(template: str, locale: str, context: dict) -> str:
    """The template with the app's filters and globals but without the request's context
    processors: after the commit they must not run (current_user, badge counts: SQL)."""
    with force_locale(locale):
        return current_app.jinja_env.get_template(template).render(context)


def _message(to: str, subject: str, body: str) -> EmailMessage:
    return EmailMessage(
        subject=subject, body=body, to=[to], from_email=current_app.config["MAIL_DEFAULT_SENDER"]
    )


@contextmanager
def mail_held_back(session: Session) -> Iterator[None]:
    """Drop mail queued meanwhile (e.g. while loading demo data); earlier mail stays queued."""
    queued = session.info.pop(_OUTBOX_KEY, None)
    try:
        yield
    finally:
        session.info.pop(_OUTBOX_KEY, None)
        if queued:
            session.info[_OUTBOX_KEY] = queued


@event.listens_for(Session, "after_commit")
def _send_after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released; the real commit is still to come
    for queued in session.info.pop(_OUTBOX_KEY, []):
        try:
            message = queued() if callable(queued) else queued
        except Exception:  # noqa: BLE001 - the action is committed; a broken notice must not undo it
            log.exception("Could not render a mail queued with render_after_commit")
            continue
        # Plain strings only: the job may run in another process.
        enqueue(
            deliver_mail,
            f"mail:{uuid.uuid4().hex}",
            message.to,
            message.subject,
            message.body,
            message.from_email,
            detach=_mail_in_thread(),
        )


def _mail_in_thread() -> bool:
    setting = current_app.config.get("MAIL_IN_THREAD")
    return not current_app.testing if setting is None else bool(setting)


def deliver_mail(key: str, to: list[str], subject: str, body: str, from_email: str) -> None:
    """Job: send one rendered mail. Idempotent through `key` (one per message, chosen when it was
    queued): once sent it is never sent again, whether retried or re-queued by hand."""
    if was_done(key):
        return
    try:
        EmailMessage(subject=subject, body=body, to=to, from_email=from_email).send()
    except Exception:
        log.exception("Could not send mail %r to %s", subject, to)
        raise  # the worker retries it with backoff; without Redis it is only logged
    mark_done(key)


@event.listens_for(Session, "after_rollback")
def _drop_after_rollback(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint rolled back; mail queued before it still stands
    session.info.pop(_OUTBOX_KEY, None)
