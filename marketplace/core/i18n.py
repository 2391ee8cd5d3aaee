"""Locale choice and locale-aware formatting helpers shared by all features."""

from decimal import Decimal
from functools import lru_cache

from babel.support import NullTranslations
from flask import Flask, current_app, g, has_app_context, has_request_context, request, session
from flask_babel import get_locale, get_translations
from flask_login import current_user
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from marketplace.core.numbers import format_number


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
    return accepted_language(
        request.headers.get("Accept-Language"),
        tuple(languages),
        current_app.config["BABEL_DEFAULT_LOCALE"],
    )


@lru_cache(maxsize=512)
def accepted_language(header: str | None, languages: tuple[str, ...], default: str) -> str:
    """The best of `languages` for an Accept-Language header (browsers send few distinct ones),
    else `default`: the choice for visitors who made none."""
    return parse_accept_header(header, LanguageAccept).best_match(languages) or default


def _template_translations() -> NullTranslations:
    """The catalogue of the context's current locale, looked up once per locale and context.
    flask_babel's own template callables look it up anew for every string (about 13 us each: a
    listing page with its calendar translates some 90 strings). Keyed by the locale object, so a
    force_locale() block (mail in the recipient's language) gets its own catalogue and the
    request's is found again after it."""
    if not has_app_context():
        return get_translations()
    state = g.get("_flask_babel")  # flask_babel 4 keeps the context's locale here
    locale = getattr(state, "babel_locale", None)
    if locale is None:
        return get_translations()  # the first string: flask_babel chooses the locale
    cached = getattr(state, "template_translations", None)
    if cached is None or cached[0] is not locale:
        cached = state.template_translations = (locale, get_translations())
    return cached[1]


def install_template_gettext(app: Flask) -> None:
    """Replace flask_babel's gettext callables in templates by ones that reuse the catalogue."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _template_translations().ugettext(s),
        ngettext=lambda s, p, n: _template_translations().ungettext(s, p, n),
        pgettext=lambda c, s: _template_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _template_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )


def current_language() -> str:
    """The two-letter code of the context's locale. Pages ask it some ten times; once chosen,
    the locale is read where flask_babel keeps it (as _template_translations does), which also
    follows a force_locale() block."""
    state = g.get("_flask_babel") if has_app_context() else None
    locale = getattr(state, "babel_locale", None) or get_locale()
    return str(locale or "de")[:2]


def format_quantity(value: Decimal | float | int | None) -> str:
    """1.234,5 in German, 1,234.5 in English; no trailing zeros."""
    if value is None:
        return ""
    return format_number(
        Decimal(value).normalize() if isinstance(value, Decimal) else value, format="#,##0.###"
    )
