"""Jobs tests: `queued` switches the app to a Redis database of this xdist worker's own (flushed
before and after), with immediate retries; those tests skip when Redis does not answer."""

import os

import pytest
import redis
from flask import has_app_context

from marketplace.extensions import db
from marketplace.jobs.worker import make_worker

#: Another Redis for these tests: MARKETPLACE_TEST_REDIS=redis://host:port
REDIS_HOST = os.environ.get("MARKETPLACE_TEST_REDIS", "redis://127.0.0.1:6379")


def _database_number(worker_id: str) -> int:
    # 13 for the main process and gw0, 14 for gw1 ...: never a database another suite uses.
    index = int(worker_id[2:]) if worker_id.startswith("gw") else 0
    return 13 + index % 3


@pytest.fixture
def redis_url(worker_id):
    url = f"{REDIS_HOST}/{_database_number(worker_id)}"
    client = redis.Redis.from_url(url, socket_timeout=2)
    try:
        client.ping()
    except redis.exceptions.RedisError as error:
        pytest.skip(f"Redis not reachable at {url} ({error}): RQ tests skipped")
    client.flushdb()
    yield url
    client.flushdb()
    client.close()


@pytest.fixture
def queued(app, redis_url):
    """The app with jobs going to Redis (as with MARKETPLACE_REDIS_URL), retried at once."""
    saved = {key: app.config.get(key) for key in ("REDIS_URL", "JOB_RETRY_INTERVALS")}
    app.config.update(REDIS_URL=redis_url, JOB_RETRY_INTERVALS=(0, 0))
    yield app
    app.config.update(saved)


@pytest.fixture
def work(queued):
    """Run a real RQ worker (in this process) until the queue is empty."""

    def _work() -> None:
        if has_app_context():
            db.session.commit()  # as the test client does: free SQLite's write lock for the jobs
        make_worker(queued, simple=True).work(burst=True, with_scheduler=False)

    return _work
