"""Sign a factory user in without the SQLite lock the shared login_as fixture can run into."""

from types import SimpleNamespace

from marketplace.extensions import db


def sign_in(login_as, user):
    """login_as() writes from its own app context; on SQLite the test's own session must not hold
    a (BEGIN IMMEDIATE) transaction then, or the write waits for the busy timeout and fails."""
    user_id = user.id
    db.session.rollback()
    login_as(SimpleNamespace(id=user_id))
    return user_id
