"""Locale choice and locale-aware formatting helpers shared by all features."""

from decimal import Decimal

from flask import current_app, g, has_request_context, request, session
from flask_babel import format_decimal, get_locale
from flask_login import current_user


def select_locale() -> str:
    """The user's choice, then the session's (anonymous switch), then Accept-Language, then German."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]  # CLI and jobs choose with force_locale
    if request.path.startswith("/api/"):
        # The API never reads the session cookie: the token's user, then Accept-Language.
        api_user = g.get("api_user")
        if api_user is not None and api_user.locale in languages:
            return api_user.locale
        return request.accept_languages.best_match(languages) or "en"
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def current_language() -> str:
    return str(get_locale() or "de")[:2]


def format_quantity(value: Decimal | float | int | None) -> str:
    """1.234,5 in German, 1,234.5 in English; no trailing zeros."""
    if value is None:
        return ""
    return format_decimal(
        Decimal(value).normalize() if isinstance(value, Decimal) else value, format="#,##0.###"
    )
