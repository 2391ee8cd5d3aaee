"""E-mail about a booking to the members of one side, each in their own language, sent only
after the transaction that caused it commits (core.mail)."""

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


def _subject(kind: str, title: str) -> str:
    subjects = {
        "requested": _("New booking request for “%(title)s”", title=title),
        "accepted": _("Your booking of “%(title)s” was accepted", title=title),
        "declined": _("Your booking of “%(title)s” was declined", title=title),
        "cancelled": _("The booking of “%(title)s” was cancelled", title=title),
        "checked_out": _("“%(title)s” was handed out", title=title),
        "returned": _("“%(title)s” is back", title=title),
        "extension_requested": _("Request to extend the booking of “%(title)s”", title=title),
        "extension_accepted": _("The booking of “%(title)s” was extended", title=title),
        "extension_declined": _("No extension for “%(title)s”", title=title),
        "pickup_reminder": _("Reminder: “%(title)s” starts soon", title=title),
        "return_reminder": _("Reminder: “%(title)s” is due back soon", title=title),
        "overdue": _("Overdue: “%(title)s” has not been returned", title=title),
    }
    return subjects[kind]


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
    sent = 0
    for recipient in recipients:
        locale = recipient.locale or "de"
        with force_locale(locale):
            subject = _subject(kind, booking.listing.title)
        queue_mail(
            db.session,
            recipient.email,
            subject,
            "email/booking_notice.txt",
            locale,
            recipient=recipient,
            booking=booking,
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
