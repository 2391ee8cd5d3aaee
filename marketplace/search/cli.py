"""`flask --app wsgi search ...`: rebuild the index from the database, check for drift."""

import click
from flask.cli import AppGroup

from marketplace.search import get_search_backend

search_cli = AppGroup("search", help="Full-text search index.")


@search_cli.command("reindex")
@click.option("--procs", type=click.IntRange(1, 16), default=None, help="Build processes.")
def reindex(procs: int | None) -> None:
    """Rebuild the configured backend's index from the database (searches keep working)."""
    backend = get_search_backend()
    total = backend.listing_count()
    label = f"Indexing listings ({backend.name})"
    with click.progressbar(length=total, label=label, show_pos=True) as bar:
        report = backend.rebuild(progress=bar.update, procs=procs)
    click.echo(
        f"Indexed {report.documents} listings in {report.seconds:.1f} s "
        f"({report.procs} processes) into {report.generation}."
    )


@search_cli.command("check")
@click.option("--heal/--no-heal", default=True, help="Re-index what differs.")
def check(heal: bool) -> None:
    """Compare the index with the database (and heal the difference)."""
    report = get_search_backend().check_drift(heal=heal, force=True)
    state = "in step" if report.in_step else "drifted"
    click.echo(
        f"Index {state}: {report.index_count} documents, database {report.db_count} listings, "
        f"{len(report.stale)} stale or missing, {len(report.ghosts)} removed from the database, "
        f"{report.healed} healed{' (continuing in the background)' if report.background else ''}."
    )
