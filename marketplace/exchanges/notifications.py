"""E-mail to the other organisation's members about an exchange, each in their own language,
sent only after the transaction that caused it commits (core.mail)."""

from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.routing import BuildError

from marketplace.auth.models import User
from marketplace.core.mail import queue_mail
from marketplace.exchanges.models import Exchange
from marketplace.extensions import db

#: The kinds of notice, each with a template templates/email/exchange_<kind>.txt.
KINDS = ("proposed", "accepted", "declined", "cancelled", "completed", "message", "brokered")


def _subject(kind: str, title: str) -> str:
    subjects = {
        "proposed": _("New proposal for “%(title)s”", title=title),
        "accepted": _("Your proposal for “%(title)s” was accepted", title=title),
        "declined": _("Your proposal for “%(title)s” was declined", title=title),
        "cancelled": _("The exchange for “%(title)s” was cancelled", title=title),
        "completed": _("Hand-over of “%(title)s” confirmed", title=title),
        "message": _("New message about “%(title)s”", title=title),
        "brokered": _("The network office suggests “%(title)s” for you", title=title),
    }
    return subjects[kind]


def exchange_url(exchange: Exchange) -> str:
    """Absolute link to the exchange page; a path when no server name is known (CLI, threads)."""
    try:
        return url_for("exchanges.detail", exchange_id=exchange.id, _external=True)
    except (RuntimeError, BuildError):
        return f"/exchanges/{exchange.id}"


def notify_other_side(
    exchange: Exchange, actor_organisation_id: int, kind: str, actor: User | None, **context
) -> int:
    """Queue one mail per active member of the organisation that did not act; returns how many."""
    recipient_org_id = (
        exchange.receiver_id
        if actor_organisation_id == exchange.provider_id
        else exchange.provider_id
    )
    recipients = db.session.execute(
        select(User).where(User.organisation_id == recipient_org_id, User.active.is_(True))
    ).scalars()
    url = exchange_url(exchange)
    sent = 0
    for recipient in recipients:
        with force_locale(recipient.locale or "de"):
            subject = _subject(kind, exchange.offer.title)
        queue_mail(
            db.session,
            recipient.email,
            subject,
            f"email/exchange_{kind}.txt",
            recipient.locale or "de",
            recipient=recipient,
            exchange=exchange,
            actor=actor,
            url=url,
            **context,
        )
        sent += 1
    return sent
