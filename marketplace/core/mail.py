"""Mail that leaves only after the transaction that caused it has committed."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app, render_template
from flask_babel import force_locale
from flask_mailman import EmailMessage
from sqlalchemy import event
from sqlalchemy.orm import Session

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
        try:
            message.send()
        except Exception:  # noqa: BLE001 - a mail server hiccup must not fail the user's action
            log.exception("Could not send mail %r to %s", message.subject, message.to)


@event.listens_for(Session, "after_rollback")
def _drop_after_rollback(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint rolled back; mail queued before it still stands
    session.info.pop(_OUTBOX_KEY, None)
