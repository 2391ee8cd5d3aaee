"""The reader's signed CSRF token, signed once per process rather than on every page.

Flask-WTF signs the session's random token with a timestamp on every request that shows a
form (the header's sign-out and language forms: every signed-in page), about 6 % of a cached
signed-in page. While tokens do not expire (WTF_CSRF_TIME_LIMIT None, the default here) a token
signed earlier is exactly as valid as a new one, so the signed form is kept per process under
the session's token and the secret, and handed to Flask-WTF before the view runs (forms take
their token when they are made). With a time limit, every page signs again.
"""

from collections.abc import Hashable

from flask import Flask, current_app, g, session
from flask_wtf.csrf import generate_csrf

from marketplace.core.versioned_cache import VersionedCache

#: Signed tokens kept per process (one per reader).
SIZE = 4096
_EXTENSION = "kept_csrf_tokens"


def kept_tokens(app: Flask) -> VersionedCache:
    """The app's signed tokens, under the session's token and the secret as their version (a
    new secret forgets them all)."""
    return app.extensions.setdefault(_EXTENSION, VersionedCache(SIZE))


def _slot() -> tuple[VersionedCache, str, Hashable, str] | None:
    """(kept tokens, the session's token, the secret, Flask-WTF's field name), or None when a
    token may not be kept (a time limit, no token in the session yet)."""
    app = current_app._get_current_object()  # one context lookup, not one per attribute
    config = app.config
    if config.get("WTF_CSRF_TIME_LIMIT") is not None:
        return None
    field = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    raw = session.get(field)
    if not isinstance(raw, str):
        return None
    secret = config.get("WTF_CSRF_SECRET_KEY") or app.secret_key
    return kept_tokens(app), raw, secret, field


def offer_kept_token() -> None:
    """before_request: a signed-in reader's kept token becomes this request's (generate_csrf
    reads g first), so that neither the forms nor the templates sign it again. Not for
    visitors: a token in g makes a page personal, and their pages are shared (page_cache)."""
    if "_user_id" not in session:  # Flask-Login's key of the signed-in user
        return
    slot = _slot()
    if slot is not None:
        kept, raw, secret, field = slot
        signed = kept.get(raw, secret)
        if signed is not None:
            setattr(g, field, signed)


def kept_csrf_token() -> str:
    """Template global csrf_token(): what generate_csrf() answers, kept for the next pages."""
    signed = generate_csrf()
    slot = _slot()
    if slot is not None:
        kept, raw, secret, _field = slot
        if kept.get(raw, secret) is None:
            kept.put(raw, secret, signed)
    return signed


def install_kept_csrf_tokens(app: Flask) -> None:
    """After CSRFProtect.init_app."""
    app.jinja_env.globals["csrf_token"] = kept_csrf_token
    app.before_request(offer_kept_token)
