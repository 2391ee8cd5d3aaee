"""The region's own currency: accounts, transfers, payment requests and statements."""

from flask import Flask


def init_ledger(app: Flask) -> None:
    from marketplace.ledger.templating import register_ledger_templating

    register_ledger_templating(app)
