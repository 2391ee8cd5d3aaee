"""Accounts: signing in and out, profiles, passwords and their reset, and account e-mails.

Services flush only; the calling view, API endpoint or CLI command commits once. Mail is queued
on the session and leaves after that commit (core.mail), so nobody gets a link to a rolled-back row.
"""

import logging
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app, render_template, session, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import login_user, logout_user
from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError

from marketplace.auth.models import ROLES, ApiToken, PasswordResetToken, User, UserSession
from marketplace.auth.passwords import (
    MAX_LENGTH,
    hash_password,
    needs_rehash,
    password_problems,
    verify_password,
)
from marketplace.auth.queries import find_reset_token, get_user_by_email
from marketplace.auth.sessions import hash_secret
from marketplace.auth.throttle import (
    account_key,
    check_login_allowed,
    clear_failures,
    normalise_email,
    record_failure,
)
from marketplace.core.clock import utcnow
from marketplace.core.database import reads_before_writing
from marketplace.core.errors import (
    Conflict,
    DomainError,
    NotFound,
    TooManyAttempts,
    ValidationFailed,
)
from marketplace.core.mail import queue_mail
from marketplace.extensions import db

log = logging.getLogger("marketplace.auth")

NAME_MAX = 120
EMAIL_MAX = 254


class EmailTaken(Conflict):
    """Registration with an address that already has an account (409 `email_taken` in the API)."""

    code = "email_taken"


class InvalidCredentials(DomainError):
    """Unknown address or wrong password: one answer for both, so accounts cannot be probed."""

    status = 401
    code = "invalid_credentials"


class LinkExpired(DomainError):
    """A reset or invitation link that was used already or is past its lifetime."""

    status = 410
    code = "link_expired"


# --- validation shared by registration, invitations and the CLI ---------------------------------


def clean_line(value: str | None) -> str:
    """One line of text: surrounding space trimmed, inner runs of whitespace (and newlines) collapsed."""
    return " ".join((value or "").split())


def email_problems(email: str | None) -> list[str]:
    address = normalise_email(email)
    if not address:
        return [_("Please enter an e-mail address.")]
    if len(address) > EMAIL_MAX:
        return [_("This e-mail address is too long.")]
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return [_("This is not a valid e-mail address.")]
    return []


def name_problems(name: str | None) -> list[str]:
    name = clean_line(name)
    if not name:
        return [_("Please enter your name.")]
    if len(name) > NAME_MAX:
        return [_("Use at most %(n)d characters.", n=NAME_MAX)]
    return []


def locale_problems(locale: str | None) -> list[str]:
    if locale not in current_app.config["LANGUAGES"]:
        return [_("Please choose German or English.")]
    return []


def account_problems(
    email: str | None, password: str | None, name: str | None, locale: str | None
) -> dict[str, list[str]]:
    """Everything wrong with the data of a new account, by field (empty when all is fine)."""
    problems = {
        "email": email_problems(email),
        "password": password_problems(password or ""),
        "name": name_problems(name),
        "locale": locale_problems(locale),
    }
    return {field: found for field, found in problems.items() if found}


def build_user(organisation, email: str, password: str, name: str, locale: str, role: str) -> User:
    """A new, not yet flushed account in an organisation; validate with account_problems() first."""
    user = User(
        email=normalise_email(email),
        name=clean_line(name),
        password_hash=hash_password(password),
        role=role,
        locale=locale,
        organisation=organisation,
    )
    db.session.add(user)
    return user


def consent_problems(accepted_terms: bool) -> list[str]:
    if not accepted_terms:
        return [_("Please accept the terms of use and the privacy notice.")]
    return []


def record_consent(user: User) -> None:
    """Store that the person accepted the current terms and privacy notice, and when."""
    user.consent_version = str(current_app.config["CONSENT_VERSION"])
    user.consent_at = utcnow()


def _email_taken() -> EmailTaken:
    return EmailTaken(_("An account with this e-mail address already exists."))


@contextmanager
def unique_email(email: str) -> Iterator[None]:
    """Create an account inside this block; a taken address (even one taken by a concurrent
    request a moment ago, caught by the unique index) raises EmailTaken and undoes the block."""
    if get_user_by_email(email) is not None:
        raise _email_taken()
    try:
        with db.session.begin_nested():
            yield
            db.session.flush()
    except IntegrityError:
        if get_user_by_email(email) is None:
            raise
        log.info("Registration lost a race for account %s", account_key(email)[:12])
        raise _email_taken() from None


# --- signing in and out ---------------------------------------------------------------------------


def authenticate(
    email: str | None, password: str | None, address: str, device: str | None = None
) -> User:
    """The active user with these credentials; InvalidCredentials (identical for unknown addresses
    and wrong passwords) or TooManyAttempts otherwise. Failures are flushed: commit them too.
    The password is checked before any write transaction begins. `device`: the id of a device
    cookie issued for this account (auth/devices.py), whose attempts count only against it."""
    with reads_before_writing():
        try:
            check_login_allowed(email or "", address, device)
        except TooManyAttempts:
            log.warning(
                "Sign-in throttled for account %s from %s", account_key(email)[:12], address
            )
            raise
        user = get_user_by_email(email)
        password = password or ""
        # An over-long password is refused without hashing it (no CPU for an attacker's MB).
        ok = len(password) <= 8 * MAX_LENGTH and verify_password(
            user.password_hash if user is not None else None, password
        )
        ok = ok and user is not None and user.active
    if not ok:
        record_failure(email or "", address, device)
        log.info("Sign-in refused for account %s from %s", account_key(email)[:12], address)
        raise InvalidCredentials(_("The e-mail address or the password is not correct."))
    clear_failures(user.email)  # user is reloaded in the write transaction
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    log.info("User %s signed in from %s", user.id, address)
    return user


def start_browser_session(user: User, user_agent: str | None = None) -> None:
    """Renew the session: forget everything in the old cookie, bind it to a new server-side row."""
    session.clear()
    key = secrets.token_urlsafe(32)
    db.session.add(
        UserSession(user_id=user.id, key_hash=hash_secret(key), user_agent=(user_agent or "")[:200])
    )
    db.session.flush()
    user.login_key = key
    login_user(user)


def end_browser_session(user: User) -> None:
    """Sign out: the server-side row goes, so a replayed copy of the cookie no longer works."""
    if user.login_key:
        db.session.execute(
            delete(UserSession).where(UserSession.key_hash == hash_secret(user.login_key))
        )
        db.session.flush()
    locale = user.locale
    logout_user()
    session.clear()
    session["locale"] = locale
    log.info("User %s signed out", user.id)


def end_other_sessions(user: User) -> None:
    """End every browser session of the user except the one making this request."""
    statement = delete(UserSession).where(UserSession.user_id == user.id)
    if user.login_key:
        statement = statement.where(UserSession.key_hash != hash_secret(user.login_key))
    db.session.execute(statement)
    db.session.flush()


# --- profile and password -------------------------------------------------------------------------


def update_profile(user: User, name: str | None, locale: str | None) -> None:
    """Change the user's own name and language (nothing else is writable here)."""
    problems = {"name": name_problems(name), "locale": locale_problems(locale)}
    problems = {field: found for field, found in problems.items() if found}
    if problems:
        raise ValidationFailed(problems)
    user.name = clean_line(name)
    user.locale = locale
    db.session.flush()


def change_password(user: User, current_password: str | None, new_password: str | None) -> None:
    """Set a new password after checking the current one; the user's other sessions end."""
    if not verify_password(user.password_hash, current_password or ""):
        log.info("Password change refused for user %s: wrong current password", user.id)
        raise ValidationFailed({"current_password": [_("The current password is not correct.")]})
    problems = password_problems(new_password or "")
    if problems:
        raise ValidationFailed({"new_password": problems})
    user.password_hash = hash_password(new_password)
    end_other_sessions(user)
    log.info("User %s changed their password", user.id)


def set_role(user: User, role: str) -> None:
    """Make a user member, coordinator or admin (only the CLI and admins call this)."""
    if role not in ROLES:
        raise ValidationFailed({"role": [_("Choose one of: %(roles)s.", roles=", ".join(ROLES))]})
    user.role = role
    db.session.flush()
    log.info("User %s now has the role %s", user.id, role)


# --- password reset -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _StandIn:
    """What the reset mail reads of a user, for the mail that is rendered and dropped."""

    name: str
    email: str


def request_password_reset(email: str | None) -> User | None:
    """Mail a single-use reset link (after the commit) to an active account; returns the user or
    None, and the caller gives the same answer either way. An unknown address costs the same
    work (a token, its hash, the mail rendered and dropped): the answer's time told who has an
    account (about 5 ms apart)."""
    user = get_user_by_email(email)
    token = secrets.token_urlsafe(32)
    token_hash = hash_secret(token)
    lifetime = timedelta(seconds=int(current_app.config["PASSWORD_RESET_LIFETIME_S"]))
    known = user is not None and user.active
    now = utcnow()
    if known:
        db.session.add(
            PasswordResetToken(
                user_id=user.id, token_hash=token_hash, created_at=now, expires_at=now + lifetime
            )
        )
        db.session.flush()
    locale = user.locale if known else current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        mail = {
            "user": user if known else _StandIn(name="", email=email or ""),
            "link": absolute_url("auth.reset_password", token=token),
            "minutes": lifetime // timedelta(minutes=1),
        }
        subject = _("Reset your Stoffwechsel password")
        if not known:
            render_template("email/password_reset.txt", **mail)
            log.info("Password reset requested for unknown account %s", account_key(email)[:12])
            return None
        queue_mail(
            db.session,
            user.email,
            subject,
            "email/password_reset.txt",
            locale=user.locale,
            **mail,
        )
    log.info("Password reset requested for user %s", user.id)
    return user


def usable_reset_token(token: str | None) -> PasswordResetToken:
    """The token's row while it can still be used; NotFound or LinkExpired otherwise."""
    row = find_reset_token(token)
    if row is None:
        raise NotFound(_("This link is not valid. Please request a new one."))
    if row.used_at is not None or row.expires_at <= utcnow() or not row.user.active:
        raise LinkExpired(
            _("This link has expired or has been used already. Please request a new one.")
        )
    return row


def reset_password(token: str | None, new_password: str | None) -> User:
    """Set a new password through a reset link (once); every session and API token of the user
    ends, because a reset is how people take back an account someone else may have used."""
    row = usable_reset_token(token)
    problems = password_problems(new_password or "")
    if problems:
        raise ValidationFailed({"password": problems})
    now = utcnow()
    claimed = db.session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.id == row.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:  # a concurrent request used the same link a moment ago
        raise LinkExpired(_("This link has been used already. Please request a new one."))
    user = row.user
    user.password_hash = hash_password(new_password)
    db.session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    clear_failures(user.email)
    db.session.flush()
    log.info("User %s reset their password; all sessions and API tokens ended", user.id)
    return user


# --- links in e-mails ----------------------------------------------------------------------------


def absolute_url(endpoint: str, **values) -> str:
    """An absolute link for e-mails; PUBLIC_BASE_URL (when configured) beats the request's Host."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)
