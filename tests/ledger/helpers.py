"""Builders shared by the ledger tests: a currency and organisations with members."""

from decimal import Decimal

from marketplace.extensions import db
from marketplace.ledger import services
from tests import factories


def taler(min_balance="-300", max_balance="3000"):
    """The demo region's currency, set up as the operator would."""
    currency = services.setup_currency(
        "LTA", "Leipziger Taler", "T", "money", Decimal(min_balance), Decimal(max_balance)
    )
    db.session.commit()
    return currency


def member(name: str, **kw):
    """A member of a new organisation called `name`."""
    return factories.user(organisation=factories.organisation(name=name), **kw)


def balance(user) -> Decimal:
    return services.account_of(user.organisation_id).balance_cents / Decimal(100)
