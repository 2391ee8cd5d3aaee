"""Figures in matching texts at honest precision (issue 13, point 10)."""

from decimal import Decimal

import pytest
from flask_babel import force_locale

from marketplace.core.units import round_significant
from marketplace.matching.figures import approx, approx_co2e, ratio


@pytest.mark.parametrize(
    ("value", "digits", "expected"),
    [
        (1234, 2, Decimal(1200)),
        (69.3, 2, Decimal(69)),
        (0.04567, 2, Decimal("0.046")),
        (Decimal("1.25"), 2, Decimal("1.3")),
        (987654, 3, Decimal(988000)),
        (0, 2, Decimal(0)),
        (-1234, 2, Decimal(-1200)),
    ],
)
def test_round_significant(value, digits, expected):
    assert round_significant(value, digits) == expected


def test_estimates_are_marked_and_locale_formatted(app_ctx):
    with force_locale("de"):
        assert approx(12345.6) == "≈\u00a012.300"
        assert approx_co2e(69.3) == "≈\u00a069"
        assert approx_co2e(0.0467) == "≈\u00a00,047"
        assert ratio(1.0333) == "1,03"
    with force_locale("en"):
        assert approx(12345.6) == "≈\u00a012,300" and ratio(1.0333) == "1.03"
    assert approx(None) == "–" and approx(0) == "0"
