"""`flask --app wsgi matching ...`: send the daily digests of match alerts now."""

import click
from flask.cli import AppGroup

from marketplace.extensions import db
from marketplace.matching.notifications import send_digests

matching_cli = AppGroup("matching", help="Matching: alerts and their e-mail digests.")


@matching_cli.command("digest")
@click.option(
    "--due-only",
    is_flag=True,
    help="Only alerts of earlier days, to people not mailed today (what the automatic sweep does).",
)
def digest(due_only: bool) -> None:
    """E-mail everyone on the daily digest the alerts not yet mailed, seen or dismissed."""
    sent = send_digests(due_only=due_only)
    db.session.commit()
    click.echo(f"Sent {sent} digest e-mail(s).")
