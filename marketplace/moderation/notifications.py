"""E-mail to the members of a listing's organisation about a moderation decision, each in their
own language, sent only after the transaction commits (core.mail)."""

from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.routing import BuildError

from marketplace.auth.models import User
from marketplace.core.mail import queue_mail
from marketplace.extensions import db
from marketplace.listings.models import Listing

#: Each kind has a template templates/email/moderation_<kind>.txt.
KINDS = ("hidden", "restored", "upheld")


def _subject(kind: str, title: str) -> str:
    subjects = {
        "hidden": _("Your listing “%(title)s” has been hidden", title=title),
        "restored": _("Your listing “%(title)s” is visible again", title=title),
        "upheld": _("Your listing “%(title)s” stays hidden", title=title),
    }
    return subjects[kind]


def listing_url(listing_id: int) -> str:
    """Absolute link to the listing page; a path when no server name is known (CLI, threads)."""
    try:
        return url_for("listings.detail", listing_id=listing_id, _external=True)
    except (RuntimeError, BuildError):
        return f"/listings/{listing_id}"


def notify_organisation(listing: Listing, kind: str, **context) -> int:
    """Queue one mail per active member of the listing's organisation; returns how many."""
    title, organisation_id = db.session.execute(
        select(Listing.title, Listing.organisation_id).where(Listing.id == listing.id)
    ).one()
    recipients = db.session.execute(
        select(User).where(
            User.organisation_id == organisation_id,
            User.active.is_(True),
            User.erased_at.is_(None),
        )
    ).scalars()
    url = listing_url(listing.id)
    sent = 0
    for recipient in recipients:
        locale = recipient.locale or "de"
        with force_locale(locale):
            subject = _subject(kind, title)
        queue_mail(
            db.session,
            recipient.email,
            subject,
            f"email/moderation_{kind}.txt",
            locale,
            name=recipient.name,
            title=title,
            url=url,
            **context,
        )
        sent += 1
    return sent
