"""Template helpers of the local currency: whether one is set up, and its amounts in the
reader's number format with the currency's symbol ("1.234,50 T" in German, "1,234.50 T")."""

from decimal import Decimal

from flask import Flask
from flask_babel import format_currency
from flask_babel import gettext as _

from marketplace.core.numbers import format_number
from marketplace.ledger.services import get_currency


def local_amount(value: Decimal | int | None, signed: bool = False) -> str:
    """An amount of the local currency; empty before a currency is set up."""
    currency = get_currency()
    if currency is None or value is None:
        return ""
    text = format_number(Decimal(value), format="+#,##0.00;-#,##0.00" if signed else "#,##0.00")
    return f"{text}\u00a0{currency.symbol}"


def listing_price(listing) -> str:
    """Price in euro and in the local currency, whichever the listing carries; else "free"."""
    parts = []
    if listing.price_eur:
        parts.append(format_currency(listing.price_eur, "EUR"))
    if listing.price_local and get_currency() is not None:
        parts.append(local_amount(listing.price_local))
    return " + ".join(parts) if parts else _("free")


def register_ledger_templating(app: Flask) -> None:
    app.jinja_env.globals.update(local_currency=get_currency)
    app.jinja_env.filters.update(local_amount=local_amount, listing_price=listing_price)
