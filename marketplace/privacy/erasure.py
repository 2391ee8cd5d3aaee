"""Erasing a person's account (GDPR Art. 17). The user row stays, anonymised, because listings,
exchanges, messages and transfers of the organisation point to it: they remain the
organisation's, and name nobody. Flushes only; the caller commits."""

import logging
import secrets

from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from marketplace.auth.models import ApiToken, PasswordResetToken, User, UserSession
from marketplace.auth.passwords import verify_password
from marketplace.auth.throttle import clear_failures
from marketplace.core.clock import utcnow
from marketplace.core.errors import ValidationFailed
from marketplace.exchanges.models import ExchangeReadMark
from marketplace.extensions import db
from marketplace.listings.models import Listing
from marketplace.matching.models import MatchAlertSettings, SavedSearch

log = logging.getLogger("marketplace.privacy")

#: The name every erased account carries (stored data, not interface text: German, like the site).
ERASED_NAME = "Ehemaliges Mitglied"
#: What becomes of an organisation whose last member leaves.
ORGANISATION_CHOICES = ("keep", "withdraw")


def is_last_member(user: User) -> bool:
    """Whether nobody else is left to act for the user's organisation."""
    others = db.session.scalar(
        select(func.count())
        .select_from(User)
        .where(
            User.organisation_id == user.organisation_id,
            User.id != user.id,
            User.active.is_(True),
        )
    )
    return others == 0


def erase_account(user: User, password: str | None, organisation_choice: str = "keep") -> None:
    """Anonymise the person after checking their password: name, e-mail and password go, every
    session, API token and reset link ends, their saved searches and settings are deleted.
    The organisation's records stay; with `withdraw` its open listings are withdrawn too."""
    # Verified before any write (security.md 21), and a wrong password changes nothing.
    if not verify_password(user.password_hash, password or ""):
        log.info("Account erasure refused for user %s: wrong password", user.id)
        raise ValidationFailed({"password": [_("The password is not correct.")]})
    if organisation_choice not in ORGANISATION_CHOICES:
        raise ValidationFailed(
            {"organisation_choice": [_("Please choose what becomes of your organisation.")]}
        )
    now = utcnow()
    if organisation_choice == "withdraw":
        for listing in db.session.scalars(
            select(Listing).where(
                Listing.organisation_id == user.organisation_id, Listing.status == "open"
            )
        ):
            listing.status = "withdrawn"
            listing.ended_at = now
    clear_failures(user.email)
    for model in (UserSession, ApiToken, PasswordResetToken, SavedSearch, ExchangeReadMark):
        db.session.execute(delete(model).where(model.user_id == user.id))
    db.session.execute(delete(MatchAlertSettings).where(MatchAlertSettings.user_id == user.id))
    user.name = ERASED_NAME
    # A unique address that can receive nothing (.invalid is reserved, RFC 2606).
    user.email = f"erased-{secrets.token_hex(16)}@erased.invalid"
    # Not a hash the hasher accepts: no password, the old one included, ever verifies.
    user.password_hash = "!erased"  # noqa: S105 - a marker that is no hash, not a password
    user.role = "member"
    user.active = False
    user.erased_at = now
    user.login_key = None
    db.session.flush()
    log.info("User %s erased their account (organisation: %s)", user.id, organisation_choice)
