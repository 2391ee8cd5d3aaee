"""Flask-Login's user loader backed by server-side session rows."""

import hashlib

from sqlalchemy import select

from marketplace.auth.models import User, UserSession
from marketplace.extensions import db


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def load_user_from_session(session_id: str) -> User | None:
    """The cookie names "user_id:key"; the key must match a live session row of that user."""
    user_id, _, key = (session_id or "").partition(":")
    if not user_id.isdigit() or not key:
        return None
    # One statement for the session row and its user (every signed-in request pays it).
    user = db.session.execute(
        select(User)
        .join(UserSession, UserSession.user_id == User.id)
        .where(UserSession.key_hash == hash_secret(key), User.id == int(user_id))
    ).scalar_one_or_none()
    if user is None or not user.active:
        return None
    user.login_key = key
    return user
