"""Command-line interface: `flask --app wsgi ...` (contract in shared/api-v1.md)."""

from flask import Flask


def register_commands(app: Flask) -> None:
    """Attach every command group; each feature's commands live beside it in this package."""
    from marketplace.backup.cli import backup_cli
    from marketplace.bookings.cli import bookings_cli
    from marketplace.cli.report import report_cli
    from marketplace.cli.seed import seed_demo_command
    from marketplace.cli.translate import translate_cli
    from marketplace.cli.users import user_cli
    from marketplace.cli.worker import scheduler_command, worker_command
    from marketplace.ledger.cli import currency_cli
    from marketplace.matching.cli import matching_cli
    from marketplace.search.cli import search_cli

    app.cli.add_command(user_cli)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(translate_cli)
    app.cli.add_command(search_cli)
    app.cli.add_command(matching_cli)
    app.cli.add_command(report_cli)
    app.cli.add_command(bookings_cli)
    app.cli.add_command(currency_cli)
    app.cli.add_command(backup_cli)
    app.cli.add_command(worker_command)
    app.cli.add_command(scheduler_command)
