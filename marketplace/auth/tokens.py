"""API bearer tokens: 256 random bits, stored hashed, expiring, revocable."""

import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from marketplace.auth.models import ApiToken, User
from marketplace.auth.sessions import hash_secret
from marketplace.core.clock import utcnow
from marketplace.extensions import db


def issue_api_token(user: User) -> tuple[str, datetime]:
    """Create a token for the user; the clear token is returned once and never stored."""
    token = secrets.token_urlsafe(32)
    expires_at = utcnow() + timedelta(days=current_app.config["API_TOKEN_LIFETIME_DAYS"])
    db.session.add(ApiToken(user_id=user.id, token_hash=hash_secret(token), expires_at=expires_at))
    db.session.flush()
    return token, expires_at


def find_token(token: str) -> ApiToken | None:
    """The live token row for a clear token, or None (unknown, expired, revoked, inactive user)."""
    if not token or len(token) > 200:
        return None
    row = db.session.execute(
        select(ApiToken).where(ApiToken.token_hash == hash_secret(token))
    ).scalar_one_or_none()
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
        return None
    if not row.user.active:
        return None
    return row


def revoke_api_token(row: ApiToken) -> None:
    row.revoked_at = utcnow()
    db.session.flush()
