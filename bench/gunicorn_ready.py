"""gunicorn config for the benches: each worker leaves a file once it has loaded the app, so that
a bench starts its load when every worker is ready (booting 4 workers at once on 2 cores takes
several seconds, and a load started earlier measures the boot)."""

import os
from pathlib import Path


def post_worker_init(worker):
    Path(os.environ["BENCH_READY_DIR"], str(worker.pid)).touch()
