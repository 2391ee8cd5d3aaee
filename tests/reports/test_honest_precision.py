"""Headline kg and kg CO2e at the precision their evidence carries: two significant digits with
"≈" for estimates, the same rule on every page; exact small figures keep their digits."""

from datetime import datetime
from decimal import Decimal

import pytest
from flask_babel import force_locale

from marketplace.core.templating import approx, localdate
from marketplace.core.units import round_significant


@pytest.mark.parametrize(
    ("value", "rounded"),
    [("1284.5", "1300"), ("308.154", "310"), ("99.6", "100"), ("999.5", "1000"),
     ("23.1", "23"), ("0.04567", "0.046"), ("5", "5"), ("0", "0"), ("-1284.5", "-1300")],
)  # fmt: skip
def test_round_significant(value, rounded):
    assert round_significant(Decimal(value)) == Decimal(rounded)


def test_approx_marks_rounded_figures_and_follows_the_locale(app):
    with app.test_request_context(), force_locale("de"):
        assert approx(Decimal("1284.5")) == "≈\xa01.300"
        assert approx(Decimal("23.1")) == "≈\xa023"
        assert approx(Decimal("100.000")) == "100"  # exact: no sign
        assert approx(None) == ""
    with app.test_request_context(), force_locale("en"):
        assert approx(Decimal("1284.5")) == "≈\xa01,300"
        assert approx(Decimal("0.04567")) == "≈\xa00.046"


def test_times_are_shown_without_seconds_in_both_languages(app):
    moment = datetime(2026, 12, 2, 18, 50, 19)  # naive UTC: 19:50 in Berlin
    with app.test_request_context(headers={"Accept-Language": "de-DE"}):
        assert localdate(moment) == "02.12.2026, 19:50"
        assert localdate(moment, "short") == "02.12.26, 19:50"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert localdate(moment).startswith("Dec 2, 2026, 7:50")
        assert ":19" not in localdate(moment, "long")
