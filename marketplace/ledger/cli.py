"""`flask --app wsgi currency setup ...`: the operator sets up the region's own currency."""

import click
from flask.cli import with_appcontext

from marketplace.core.errors import ValidationFailed
from marketplace.extensions import db
from marketplace.ledger.models import CURRENCY_KINDS
from marketplace.ledger.services import setup_currency


@click.group("currency", help="The region's own currency (a Taler, or time credits).")
def currency_cli():
    pass


@currency_cli.command("setup")
@click.option("--code", required=True, help="Short code, e.g. LTA.")
@click.option("--name", required=True, help='Name, e.g. "Leipziger Taler".')
@click.option("--symbol", required=True, help="Symbol shown beside amounts, e.g. T.")
@click.option("--kind", type=click.Choice(list(CURRENCY_KINDS)), required=True)
@click.option("--min-balance", required=True, help="Lowest balance of a new account, e.g. -300.")
@click.option("--max-balance", required=True, help="Highest balance of a new account, e.g. 3000.")
@with_appcontext
def setup_command(code, name, symbol, kind, min_balance, max_balance):
    """Create the currency, or change its definition (existing accounts keep their limits)."""
    try:
        currency = setup_currency(code, name, symbol, kind, min_balance, max_balance)
    except ValidationFailed as error:
        db.session.rollback()
        for field, problems in error.fields.items():
            click.echo(f"{field}: {'; '.join(problems)}", err=True)
        raise SystemExit(2) from None
    db.session.commit()
    click.echo(
        f"{currency.name} ({currency.code}, {currency.symbol}, {currency.kind}): new accounts "
        f"between {min_balance} and {max_balance}."
    )
