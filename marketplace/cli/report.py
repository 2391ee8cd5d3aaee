"""`flask --app wsgi report export`: the report's exports from the command line (no rights check:
whoever runs the CLI operates the server)."""

import os
import sys
from contextlib import nullcontext

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import force_locale

from marketplace.core.errors import ValidationFailed
from marketplace.reports.downloads import csv_chunks, json_chunks, write_xlsx
from marketplace.reports.filters import parse_report_filters

report_cli = AppGroup("report", help="Export the circularity report.")

_OPTIONS = {
    "from": "--from",
    "to": "--to",
    "category": "--category",
    "district": "--district",
    "organisation_id": "--organisation-id",
    "side": "--side",
    "organisation_kind": "--organisation-kind",
    "factors": "--factors",
}


@report_cli.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "json"]), default="csv")
@click.option("--from", "date_from", metavar="YYYY-MM-DD", help="First day (inclusive).")
@click.option("--to", "date_to", metavar="YYYY-MM-DD", help="Last day (inclusive).")
@click.option("--category", help="Category slug; a parent includes its children.")
@click.option("--district", help="The offers' district.")
@click.option("--organisation-id", help="Exchanges where this organisation took part.")
@click.option("--side", help="given or received (with --organisation-id).")
@click.option("--organisation-kind", help="The providers' kind of organisation.")
@click.option("--factors", help="recorded (default) or current.")
@click.option("--rows", is_flag=True, help='JSON: add the exchanges under "rows".')
@click.option("-o", "--output", required=True, help="File to write; - for standard output.")
def export_command(fmt, date_from, date_to, output, rows, **options):
    """Write the report as CSV (one row per exchange), XLSX or JSON (the API's summary)."""
    args = {"from": date_from, "to": date_to, **options}
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        try:
            filters = parse_report_filters({k: v for k, v in args.items() if v is not None})
        except ValidationFailed as error:
            raise click.ClickException(
                "\n".join(
                    f"{_OPTIONS.get(field, field)}: {message}"
                    for field, messages in error.fields.items()
                    for message in messages
                )
            ) from None
        if fmt == "xlsx":
            if output == "-":
                raise click.ClickException("-o: XLSX needs a file name.")
            write_xlsx(filters, output)
        else:
            chunks = csv_chunks(filters) if fmt == "csv" else json_chunks(filters, rows=rows)
            _write_text(chunks, output)
    if output != "-":
        click.echo(f"Wrote {output} ({os.path.getsize(output)} bytes).", err=True)


def _write_text(chunks, output: str) -> None:
    target = (
        nullcontext(sys.stdout)
        if output == "-"
        else open(output, "w", encoding="utf-8", newline="")  # noqa: SIM115
    )
    with target as file:
        for chunk in chunks:
            file.write(chunk)
