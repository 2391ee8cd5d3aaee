"""`flask --app wsgi worker` and `flask --app wsgi scheduler`: RQ processes for the background
jobs (docs/jobs.md); both need MARKETPLACE_REDIS_URL."""

import click
from flask import current_app
from flask.cli import with_appcontext

from marketplace.jobs.queue import jobs_queued


def _require_redis() -> None:
    if not jobs_queued():
        raise click.ClickException(
            "MARKETPLACE_REDIS_URL is not set: without Redis every job runs in the web process "
            "and no worker is needed."
        )


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop once the queue is empty.")
@click.option("--name", default=None, help="The worker's name in Redis (default: host and pid).")
@with_appcontext
def worker_command(burst: bool, name: str | None) -> None:
    """Run an RQ worker for the app's job queue (retries with backoff need its scheduler part,
    which is on: several workers share it through a lock in Redis)."""
    from marketplace.jobs.worker import make_worker

    _require_redis()
    app = current_app._get_current_object()
    make_worker(app, name=name).work(burst=burst, with_scheduler=True)


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Enqueue the periodic jobs (expiry, digests, booking notices) at their intervals; run one
    in the whole installation."""
    from marketplace.jobs.schedule import make_scheduler

    _require_redis()
    scheduler = make_scheduler(current_app._get_current_object())
    for job in scheduler.get_jobs():
        click.echo(f"{job.name}: every {job.interval} s")
    scheduler.start()
