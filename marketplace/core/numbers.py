"""Numbers in the reader's locale, at a cost a page can afford.

flask_babel's format_decimal looks the locale up, parses the pattern and runs babel's general
formatter on every call: about 100 us, and a browse page formats some 50 numbers. Patterns and
locale symbols are parsed once here; the plain patterns the app uses ("#,##0.###", "0.00")
take a short exact path, everything else (signs, percent, exponents) goes to babel with the
parsed pattern. tests/core/test_numbers.py holds both paths equal to babel.
"""

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from functools import lru_cache

from babel import Locale
from babel.numbers import (
    NumberPattern,
    get_decimal_symbol,
    get_group_symbol,
    get_minus_sign_symbol,
    parse_pattern,
)
from flask_babel import get_locale


@lru_cache(maxsize=64)
def _pattern(pattern: str) -> tuple[NumberPattern, tuple[bool, int, int] | None]:
    """The parsed pattern and, when it is plain, (grouped, min fraction, max fraction)."""
    parsed = parse_pattern(pattern)
    plain = (
        parsed.prefix == ("", "-")
        and parsed.suffix == ("", "")
        and parsed.exp_prec is None
        and parsed.scale == 0
        and parsed.int_prec[0] == 1
        and parsed.grouping in ((3, 3), (1000, 1000))
    )
    fast = (parsed.grouping == (3, 3), *parsed.frac_prec) if plain else None
    return parsed, fast


@lru_cache(maxsize=16)
def _symbols(locale: str) -> tuple[Locale, str, str, str]:
    parsed = Locale.parse(locale)
    return (
        parsed,
        get_group_symbol(parsed),
        get_decimal_symbol(parsed),
        get_minus_sign_symbol(parsed),
    )


def format_number(number, format: str = "#,##0.###", locale: str | None = None) -> str:  # noqa: A002 - flask_babel's name
    """`number` (int, float, Decimal) by a CLDR pattern in the current (or given) locale."""
    locale_obj, group, decimal_sign, minus = _symbols(locale or str(get_locale() or "de"))
    parsed, fast = _pattern(format)
    if fast is not None:
        text = _plain(number, *fast, group, decimal_sign, minus)
        if text is not None:
            return text
    return parsed.apply(number, locale_obj)


def _plain(number, grouped, min_frac, max_frac, group, decimal_sign, minus) -> str | None:
    if isinstance(number, float):
        number = Decimal(str(number))  # as babel reads a float
    elif isinstance(number, int):
        number = Decimal(number)
    elif not isinstance(number, Decimal):
        return None
    if not number.is_finite():
        return None
    try:
        rounded = number.quantize(Decimal(1).scaleb(-max_frac), rounding=ROUND_HALF_EVEN)
    except InvalidOperation:
        return None  # more digits than the context holds: babel knows what to do
    if rounded.is_zero() and rounded.is_signed():
        return None
    whole, _, fraction = f"{abs(rounded):f}".partition(".")
    fraction = fraction.rstrip("0").ljust(min_frac, "0")
    if grouped:
        whole = f"{int(whole):,}".replace(",", group)
    sign = minus if rounded < 0 else ""
    return f"{sign}{whole}{decimal_sign}{fraction}" if fraction else f"{sign}{whole}"


class NotANumber(ValueError):
    """What was typed or sent is no finite number, in German or in English notation."""


def parse_decimal(value) -> Decimal:
    """A finite Decimal from a number or from text typed either way: "2,5" and "2.5"; with
    thousands "1.234,5" and "1,234.5" (of two separators the last is the decimal one); spaces
    ignored. NotANumber for booleans, None, words, NaN and infinity. Callers check the range
    and the places, each with its own message."""
    if isinstance(value, bool) or value is None:
        raise NotANumber(repr(value))
    if isinstance(value, float):
        value = repr(value)  # as typed: 0.1, not its binary expansion
    if isinstance(value, str):
        text = value.strip().replace(" ", "").replace("\u00a0", "")
        if "," in text and "." in text:
            text = text.replace("." if text.rfind(",") > text.rfind(".") else ",", "")
        value = text.replace(",", ".")
    try:
        number = value if isinstance(value, Decimal) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise NotANumber(repr(value)) from None
    if not number.is_finite():
        raise NotANumber(repr(value))
    return number
