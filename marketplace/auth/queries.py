"""Reads for accounts: users by address, password-reset tokens by their clear value."""

from sqlalchemy import select

from marketplace.auth.models import PasswordResetToken, User
from marketplace.auth.sessions import hash_secret
from marketplace.auth.throttle import normalise_email
from marketplace.extensions import db


def get_user_by_email(email: str | None) -> User | None:
    """The account for an address, compared case-insensitively (addresses are stored lower-cased)."""
    address = normalise_email(email)
    if not address:
        return None
    return db.session.execute(select(User).where(User.email == address)).scalar_one_or_none()


def find_reset_token(token: str | None) -> PasswordResetToken | None:
    """The reset-token row for a clear token, used or not; None when there is no such token."""
    if not token or len(token) > 200:
        return None
    return db.session.execute(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == hash_secret(token))
    ).scalar_one_or_none()
