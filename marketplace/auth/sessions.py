"""Flask-Login's user loader backed by server-side session rows."""

import hashlib
from functools import cache

from sqlalchemy import bindparam, select

from marketplace.auth.models import User, UserSession
from marketplace.extensions import db


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@cache
def _session_user_statement():
    """The session row's user in one statement, built once (every signed-in request asks)."""
    return (
        select(User)
        .join(UserSession, UserSession.user_id == User.id)
        .where(UserSession.key_hash == bindparam("key_hash"), User.id == bindparam("user_id"))
    )


def load_user_from_session(session_id: str) -> User | None:
    """The cookie names "user_id:key"; the key must match a live session row of that user."""
    user_id, _, key = (session_id or "").partition(":")
    if not user_id.isdigit() or not key:
        return None
    user = db.session.execute(
        _session_user_statement(), {"key_hash": hash_secret(key), "user_id": int(user_id)}
    ).scalar_one_or_none()
    if user is None or not user.active:
        return None
    user.login_key = key
    return user
