"""Bearer-token authentication for the API; the session cookie is never accepted here."""

from functools import wraps

from flask import g, request

from marketplace.auth.models import User
from marketplace.auth.tokens import find_token
from marketplace.core.errors import DomainError


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def load_api_user() -> None:
    """Before each API request: set g.api_user and g.api_token from a valid bearer token."""
    g.api_user = None
    g.api_token = None
    token = _bearer()
    if token:
        row = find_token(token)
        if row is not None:
            g.api_token = row
            g.api_user = row.user


def api_user() -> User | None:
    return g.get("api_user")


def token_required(view):
    """401 without a valid token (the rights themselves are checked by the services)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if g.get("api_user") is None:
            from flask_babel import gettext as _

            raise Unauthorized(_("A valid bearer token is required."))
        return view(*args, **kwargs)

    return wrapper
