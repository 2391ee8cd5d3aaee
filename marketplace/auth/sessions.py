"""Flask-Login's user loader backed by server-side session rows."""

import hashlib
from functools import cache

from sqlalchemy import bindparam, inspect, select
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from marketplace.auth.models import User, UserSession
from marketplace.core.kept_reads import kept_cache, request_stamp
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
    ident = (hash_secret(key), int(user_id))
    cache = kept_cache("session_users")
    stamp = request_stamp() if cache is not None else None
    kept = cache.get(ident, stamp) if stamp is not None else None
    if kept is not None:
        # No statement: the row and its organisation as they were at the last write anywhere,
        # as this request's own instances (merge without load, the pattern for cached objects).
        user = db.session.merge(kept, load=False)
    else:
        user = db.session.execute(
            _session_user_statement(), {"key_hash": ident[0], "user_id": ident[1]}
        ).scalar_one_or_none()
        if user is not None and stamp is not None:
            cache.put(ident, stamp, _detached_copy(user))
    if user is None or not user.active:
        return None
    user.login_key = key
    return user


def _detached_copy(obj):
    """A copy of a loaded row that belongs to no session (to keep across requests), with its
    loaded many-to-one relationships copied the same way."""
    state = inspect(obj)
    copy = state.mapper.class_manager.new_instance()
    for attr in state.mapper.column_attrs:
        if attr.key in state.dict:  # an unloaded column stays unloaded (it loads when asked)
            set_committed_value(copy, attr.key, state.dict[attr.key])
    for rel in state.mapper.relationships:
        if rel.key in state.dict and not rel.uselist:
            related = state.dict[rel.key]
            set_committed_value(copy, rel.key, _detached_copy(related) if related else None)
    make_transient_to_detached(copy)
    return copy
