"""`flask --app wsgi backup create|restore` for the embedded default."""

from pathlib import Path

import click
from flask.cli import AppGroup

from marketplace.backup.archive import create_backup, restore_backup
from marketplace.core.errors import ValidationFailed

backup_cli = AppGroup("backup", help="Back up and restore the SQLite database and the uploads.")


def _fail(error: ValidationFailed):
    raise click.ClickException(" ".join(m for ms in error.fields.values() for m in ms))


@backup_cli.command("create")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
def create(output: Path | None) -> None:
    """Copy the database (consistent while the app runs) and the uploads into one file."""
    try:
        report = create_backup(output)
    except ValidationFailed as error:
        _fail(error)
    rows = sum(report.tables.values())
    click.echo(f"Backup written to {report.path}: {rows} rows, {report.files} upload files.")


@backup_cli.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the data.")
def restore(archive: Path, yes: bool) -> None:
    """Replace the database and the uploads by a backup's, then rebuild the search index.
    Stop the app first."""
    if not yes:
        click.confirm("This replaces the database and the uploads. Go on?", abort=True)
    try:
        report = restore_backup(archive)
    except ValidationFailed as error:
        _fail(error)
    from marketplace.search import get_search_backend

    with click.progressbar(length=report.tables.get("listings", 0), label="Indexing") as bar:
        get_search_backend().rebuild(progress=bar.update)
    rows = sum(report.tables.values())
    click.echo(f"Restored {rows} rows and {report.files} upload files from {archive}.")
