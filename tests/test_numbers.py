"""Numbers format as babel formats them, through the short path and the general one alike; typed
numbers are read in German and English notation by one parser."""

from decimal import Decimal

import pytest
from babel.numbers import format_decimal
from hypothesis import given, settings
from hypothesis import strategies as st

from marketplace.core.numbers import NotANumber, format_number, parse_decimal

PATTERNS = ["#,##0.###", "0.###", "0.00", "#,##0.0", "#,##0", "#,##0.00", "0.####", "#,##0.0###"]
numbers = st.one_of(
    st.integers(min_value=-(10**15), max_value=10**15),
    st.decimals(min_value=-(10**12), max_value=10**12, allow_nan=False, places=6),
    st.floats(min_value=-1e9, max_value=1e9, allow_nan=False),
)


@settings(max_examples=400, deadline=None)
@given(number=numbers, pattern=st.sampled_from(PATTERNS), locale=st.sampled_from(["de", "en"]))
def test_plain_patterns_equal_babel(number, pattern, locale):
    assert format_number(number, pattern, locale=locale) == format_decimal(
        number, format=pattern, locale=locale
    )


@pytest.mark.parametrize(
    ("number", "pattern", "locale", "expected"),
    [
        (Decimal("1234.5"), "#,##0.###", "de", "1.234,5"),
        (Decimal("1234.5"), "#,##0.###", "en", "1,234.5"),
        (Decimal("0.0005"), "#,##0.###", "de", "0"),  # half to even
        (Decimal("2.0015"), "#,##0.###", "de", "2,002"),
        (Decimal("-12.30"), "0.00", "de", "-12,30"),
        (Decimal("-0.0001"), "#,##0.###", "de", format_decimal(Decimal("-0.0001"), locale="de")),
        (Decimal("7.5"), "+#,##0.00;-#,##0.00", "de", "+7,50"),  # signed: babel's own path
    ],
)
def test_edge_cases(number, pattern, locale, expected):
    assert format_number(number, pattern, locale=locale) == expected


def test_follows_the_request_locale(app):
    with app.test_request_context("/", headers={"Accept-Language": "de"}):
        assert format_number(Decimal("1500.25")) == "1.500,25"
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert format_number(Decimal("1500.25")) == "1,500.25"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2,5", "2.5"),
        ("2.5", "2.5"),
        (" 1.234,5 ", "1234.5"),
        ("1,234.5", "1234.5"),
        ("1\u00a0234,50", "1234.50"),
        ("-3", "-3"),
        (7, "7"),
        (0.1, "0.1"),
        (Decimal("4.20"), "4.20"),
    ],
)
def test_parse_decimal_reads_german_and_english(typed, expected):
    parsed = parse_decimal(typed)
    assert parsed == Decimal(expected) and str(parsed) == expected


@pytest.mark.parametrize("typed", ["", "zwei", "1,2,3.4.5", "NaN", "inf", None, True, [1]])
def test_parse_decimal_refuses_what_is_no_number(typed):
    with pytest.raises(NotANumber):
        parse_decimal(typed)
