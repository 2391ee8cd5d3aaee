"""Amounts of the local currency: `Decimal` with two places at the edges, integer cents inside."""

from decimal import ROUND_HALF_UP, Decimal

from marketplace.core.numbers import NotANumber, parse_decimal

CENT = Decimal("0.01")
#: Far beyond any regional balance, and within a 64-bit integer of cents.
LIMIT = Decimal("1000000000")


class BadAmount(ValueError):
    """Not a number, more than two decimals, or out of range; `reason` says which."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def parse_amount(value, *, positive: bool = True) -> Decimal:
    """A Decimal with at most two places from a JSON number or a text ("12,50" and "12.50")."""
    try:
        amount = parse_decimal(value)
    except NotANumber:
        raise BadAmount("number") from None
    if amount != amount.quantize(CENT, rounding=ROUND_HALF_UP):
        raise BadAmount("places")
    if abs(amount) >= LIMIT:
        raise BadAmount("range")
    if positive and amount <= 0:
        raise BadAmount("positive")
    return amount.quantize(CENT)


def to_cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value(rounding=ROUND_HALF_UP))


def from_cents(cents: int | None) -> Decimal | None:
    if cents is None:
        return None
    return (Decimal(cents) / 100).quantize(CENT)


def price_times(price: Decimal, quantity: Decimal) -> Decimal:
    """What `quantity` units at `price` cost, rounded to the cent (half up, as a till does)."""
    return (Decimal(price) * Decimal(quantity)).quantize(CENT, rounding=ROUND_HALF_UP)
