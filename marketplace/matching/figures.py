"""Figures in matching texts at the precision the evidence carries: kg and kg CO2e are estimates
from weights per unit and emission factors (2-3 significant digits, marked "≈"), ratios two
decimals. Locale-formatted for the reader."""

from decimal import Decimal

from marketplace.core.numbers import format_number
from marketplace.core.units import round_significant

#: Significant digits: masses rest on weights per unit (about 3), CO2e also on factors (about 2).
KG_DIGITS = 3
CO2E_DIGITS = 2


def approx(value, digits: int = KG_DIGITS) -> str:
    """`≈ 1.230` (de) / `≈ 1,230` (en); `0` without the sign; `–` for an unknown value."""
    if value is None:
        return "–"
    number = value if isinstance(value, Decimal) else Decimal(str(value))  # floats as shown
    rounded = round_significant(number, digits)
    if not rounded:
        return format_number(0)
    decimals = max(0, -rounded.as_tuple().exponent)
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return "≈\u00a0" + format_number(rounded, format=pattern)


def approx_co2e(value) -> str:
    return approx(value, CO2E_DIGITS)


def ratio(value: float | Decimal) -> str:
    """How many times as much, with two decimals: `1,03`."""
    return format_number(round(Decimal(str(value)), 2), format="#,##0.00")
