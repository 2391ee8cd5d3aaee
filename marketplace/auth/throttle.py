"""Failed-login throttling per account and per client address, counted in the database so that
every worker process sees the same numbers (security.md 3)."""

import hashlib
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from marketplace.auth.models import LoginAttempt
from marketplace.core.clock import utcnow
from marketplace.core.errors import TooManyAttempts
from marketplace.extensions import db


def normalise_email(email: str | None) -> str:
    """The form every address is stored and compared in: trimmed and lower-cased."""
    return (email or "").strip().lower()


def account_key(email: str | None) -> str:
    """SHA-256 of the normalised address: the throttle table holds no addresses in clear."""
    return hashlib.sha256(normalise_email(email).encode()).hexdigest()


def throttle_enabled() -> bool:
    """Tests and benchmarks switch every limit off with RATELIMIT_ENABLED = False."""
    return bool(current_app.config.get("RATELIMIT_ENABLED", True))


def _window() -> timedelta:
    return timedelta(seconds=int(current_app.config["LOGIN_FAILURE_WINDOW_S"]))


def _device_key(device: str) -> str:
    return "device:" + device


def check_login_allowed(email: str, address: str, device: str | None = None) -> None:
    """Raise TooManyAttempts when the account or the address has failed too often recently; for
    a trusted device (auth/devices.py) only that device's own failures count."""
    if not throttle_enabled():
        return
    since = utcnow() - _window()
    if device is not None:
        limits = ((LoginAttempt.account_key, _device_key(device), "LOGIN_FAILURES_PER_DEVICE"),)
    else:
        limits = (
            (LoginAttempt.account_key, account_key(email), "LOGIN_FAILURES_PER_ACCOUNT"),
            (LoginAttempt.address, address or "", "LOGIN_FAILURES_PER_ADDRESS"),
        )
    for column, value, setting in limits:
        count, oldest = db.session.execute(
            select(func.count(LoginAttempt.id), func.min(LoginAttempt.created_at)).where(
                column == value, LoginAttempt.created_at > since
            )
        ).one()
        if count >= int(current_app.config[setting]):
            retry_after = max(1, int((oldest + _window() - utcnow()).total_seconds()) + 1)
            raise TooManyAttempts(
                _(
                    "Too many failed sign-in attempts. For your safety, please wait about "
                    "%(minutes)d minutes and try again, or reset your password.",
                    minutes=max(1, -(-retry_after // 60)),
                ),
                retry_after=retry_after,
            )


def record_failure(email: str, address: str, device: str | None = None) -> None:
    """Count one failed attempt (and drop rows that have left the window): a trusted device's
    against that device only, so that it never locks the account or the address for others."""
    if not throttle_enabled():
        return
    now = utcnow()
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.created_at <= now - _window()))
    if device is not None:
        key, address = _device_key(device), ""
    else:
        key = account_key(email)
    db.session.add(LoginAttempt(account_key=key, address=(address or "")[:64], created_at=now))
    db.session.flush()


def clear_failures(email: str) -> None:
    """A successful sign-in (or a password reset) forgives the account's earlier failures."""
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.account_key == account_key(email)))
    db.session.flush()
