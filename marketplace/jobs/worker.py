"""RQ workers that run each job inside an app context of the Flask app that started them."""

import os

from flask import Flask, g
from rq import SimpleWorker, Worker
from rq.job import Job
from rq.queue import Queue

from marketplace.extensions import db


class _AppContextMixin:
    """Push an app context (fresh `g`, fresh database session) around every job."""

    app: Flask
    _parent_pid: int

    def perform_job(self, job: Job, queue: Queue) -> bool:
        with self.app.app_context():
            if os.getpid() != self._parent_pid:
                # A forked work horse must not use the parent's pooled connections (PostgreSQL
                # sockets shared by two processes); close=False leaves them to the parent.
                db.engine.dispose(close=False)
            g.job = job.description or job.func_name  # flask_babel's force_locale needs a `g`
            return super().perform_job(job, queue)  # type: ignore[misc]


class AppWorker(_AppContextMixin, Worker):
    """Forks a work horse per job (RQ's default): a leaking or crashing job cannot harm the next."""


class AppSimpleWorker(_AppContextMixin, SimpleWorker):
    """Runs jobs in its own process (tests, and where fork is unwanted)."""


def make_worker(app: Flask, *, simple: bool = False, name: str | None = None) -> Worker:
    """A worker for the app's job queue, on the app's Redis."""
    from marketplace.jobs.queue import get_queue

    with app.app_context():
        queue = get_queue()
    worker = (AppSimpleWorker if simple else AppWorker)(
        [queue], connection=queue.connection, name=name
    )
    worker.app = app
    worker._parent_pid = os.getpid()
    return worker
