"""Jinja filters and globals: locale-aware dates, numbers and money, and labels."""

import threading
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from babel.dates import format_date as babel_format_date
from cachetools import LRUCache
from flask import Flask, request, url_for
from flask_babel import format_currency, format_date, format_time, get_locale
from flask_babel import gettext as _

from marketplace.core.clock import as_aware
from marketplace.core.i18n import current_language, format_quantity
from marketplace.core.numbers import format_number
from marketplace.core.unit_labels import UNIT_LABELS, UNIT_LABELS_ONE
from marketplace.core.units import ESTIMATE_DIGITS, round_significant


def money(value: Decimal | None) -> str:
    if value is None:
        return ""
    if not value:
        return _("free")
    return format_currency(value, "EUR")


def localdate(value: date | datetime | None, fmt: str = "medium") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        # The locale's date-and-time pattern, but always the short clock: hours and minutes,
        # never seconds ("02.12.2026, 19:50", "Dec 2, 2026, 7:50 PM").
        moment = as_aware(value)
        pattern = get_locale().datetime_formats.get(fmt) or "{1}, {0}"
        return pattern.format(format_time(moment, "short"), format_date(moment, fmt))
    return _calendar_day(value, fmt, str(get_locale()))


@lru_cache(maxsize=4096)
def _calendar_day(value: date, fmt: str, locale: str) -> str:
    """A calendar day has no time zone to convert: formatted once per day, pattern and locale
    (cards repeat the same few end dates; babel takes some 25 us each time)."""
    return babel_format_date(value, fmt, locale=locale)


def unit_label(unit: str, count: Decimal | int | None = None) -> str:
    """The unit's label; singular when `count` is exactly one ("1 piece", "40 pieces")."""
    if count is not None and count == 1 and unit in UNIT_LABELS_ONE:
        return str(UNIT_LABELS_ONE[unit])
    return str(UNIT_LABELS.get(unit, unit))


def approx(value: Decimal | int | None, digits: int = ESTIMATE_DIGITS) -> str:
    """An estimated headline at the precision its evidence carries: "≈ 1.300" (German), exact
    figures such as 0 or 40 without the sign. Exports and tables keep every digit."""
    if value is None:
        return ""
    rounded = round_significant(Decimal(value), digits)
    text = format_number(rounded, format="#,##0.###")
    return text if rounded == value else f"≈\u00a0{text}"


def url_with(**changes) -> str:
    """The current page's address with some query arguments changed (None removes one)."""
    args = request.args.to_dict(flat=True)
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    return url_for(request.endpoint or "pages.home", **(request.view_args or {}), **args)


_urls: LRUCache = LRUCache(maxsize=8192)
_urls_lock = threading.Lock()


def cached_url_for(endpoint: str, **values) -> str:
    """url_for for templates, built once per address: a path is a pure function of the endpoint,
    its arguments and the script root (the app has no url_defaults), and Werkzeug's builder costs
    about 10 us where a page asks for some 30 addresses. External, anchored and blueprint-relative
    addresses are built each time."""
    if endpoint.startswith(".") or any(name.startswith("_") for name in values):
        return url_for(endpoint, **values)
    try:
        key = (request.script_root, endpoint, *sorted(values.items()))
        hash(key)
    except TypeError:  # an unhashable argument (a list of values)
        return url_for(endpoint, **values)
    with _urls_lock:
        url = _urls.get(key)
    if url is None:
        url = url_for(endpoint, **values)
        with _urls_lock:
            _urls[key] = url
    return url


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.filters.update(
        quantity=format_quantity, money=money, localdate=localdate, unit=unit_label, approx=approx
    )
    app.jinja_env.globals.update(
        current_language=current_language, url_with=url_with, url_for=cached_url_for
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
