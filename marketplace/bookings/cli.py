"""`flask --app wsgi bookings sweep`: send due booking reminders and overdue notices now."""

import click
from flask.cli import AppGroup

from marketplace.bookings.sweep import send_booking_notices
from marketplace.extensions import db

bookings_cli = AppGroup("bookings", help="Bookings: reminders and overdue notices.")


@bookings_cli.command("sweep")
def sweep() -> None:
    """Send pick-up and return reminders and overdue notices that are due (each only once)."""
    result = send_booking_notices()
    db.session.commit()
    click.echo(
        f"Sent {result.pickup_reminders} pick-up reminder(s), "
        f"{result.return_reminders} return reminder(s), "
        f"{result.overdue_notices} overdue notice(s)."
    )
