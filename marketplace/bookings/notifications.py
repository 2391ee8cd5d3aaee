"""E-mail about a booking to the members of one side, each in their own language, sent only
after the transaction that caused it commits (core.mail)."""

from types import SimpleNamespace

from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.routing import BuildError

from marketplace.auth.models import User
from marketplace.bookings.models import Booking
from marketplace.core.mail import queue_mail
from marketplace.extensions import db

#: Kinds of notice: templates/email/booking_notice.txt says each in a sentence.
KINDS = (
    "requested",
    "accepted",
    "declined",
    "cancelled",
    "checked_out",
    "returned",
    "extension_requested",
    "extension_accepted",
    "extension_declined",
    "pickup_reminder",
    "return_reminder",
    "overdue",
)


#: One subject per kind, translated when used: only the one a notice needs.
_SUBJECTS = {
    "requested": lambda title: _("New booking request for “%(title)s”", title=title),
    "accepted": lambda title: _("Your booking of “%(title)s” was accepted", title=title),
    "declined": lambda title: _("Your booking of “%(title)s” was declined", title=title),
    "cancelled": lambda title: _("The booking of “%(title)s” was cancelled", title=title),
    "checked_out": lambda title: _("“%(title)s” was handed out", title=title),
    "returned": lambda title: _("“%(title)s” is back", title=title),
    "extension_requested": lambda title: _(
        "Request to extend the booking of “%(title)s”", title=title
    ),
    "extension_accepted": lambda title: _("The booking of “%(title)s” was extended", title=title),
    "extension_declined": lambda title: _("No extension for “%(title)s”", title=title),
    "pickup_reminder": lambda title: _("Reminder: “%(title)s” starts soon", title=title),
    "return_reminder": lambda title: _("Reminder: “%(title)s” is due back soon", title=title),
    "overdue": lambda title: _("Overdue: “%(title)s” has not been returned", title=title),
}


def _subject(kind: str, title: str) -> str:
    return _SUBJECTS[kind](title)


def _snapshot(booking: Booking) -> SimpleNamespace:
    """What templates/email/booking_notice.txt reads of a booking, as plain values: the notice
    is rendered after the commit, when the ORM objects are expired."""
    return SimpleNamespace(
        id=booking.id,
        listing=SimpleNamespace(title=booking.listing.title),
        provider=SimpleNamespace(name=booking.provider.name),
        borrower=SimpleNamespace(name=booking.borrower.name),
        start_at=booking.start_at,
        end_at=booking.end_at,
        extension_end_at=booking.extension_end_at,
        units=booking.units,
    )


def booking_url(booking: Booking) -> str:
    """Absolute link to the booking page; a path when no server name is known (CLI, threads)."""
    try:
        return url_for("bookings.detail", booking_id=booking.id, _external=True)
    except (RuntimeError, BuildError):
        return f"/bookings/{booking.id}"


def notify(booking: Booking, organisation_id: int, kind: str, **context) -> int:
    """Queue one mail per active member of the organisation; returns how many."""
    recipients = db.session.execute(
        select(User).where(User.organisation_id == organisation_id, User.active.is_(True))
    ).scalars()
    url = booking_url(booking)
    plain = None
    sent = 0
    for recipient in recipients:
        plain = plain or _snapshot(booking)
        locale = recipient.locale or "de"
        with force_locale(locale):
            subject = _subject(kind, plain.listing.title)
        queue_mail(
            db.session,
            recipient.email,
            subject,
            "email/booking_notice.txt",
            locale,
            render_after_commit=True,
            recipient=SimpleNamespace(name=recipient.name),
            booking=plain,
            kind=kind,
            url=url,
            **context,
        )
        sent += 1
    return sent


def notify_other_side(booking: Booking, actor_organisation_id: int, kind: str, **context) -> int:
    other = (
        booking.borrower_id if actor_organisation_id == booking.provider_id else booking.provider_id
    )
    return notify(booking, other, kind, **context)
