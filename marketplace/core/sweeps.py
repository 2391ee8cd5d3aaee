"""Periodic work a running app does by itself when no Redis is configured (no cron for the
embedded default), at most once per interval per process and application. With Redis the
sweeps' hooks step aside and `flask --app wsgi scheduler` enqueues the same jobs
(marketplace/jobs/schedule.py)."""

import threading
import time

from flask import current_app


class SweepClock:
    """When this process last swept, per application (tests create several apps)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.next_at = 0.0

    def due(self, interval: float) -> bool:
        now = time.monotonic()
        with self.lock:
            if now < self.next_at:
                return False
            # Set before sweeping: a failing sweep must not be retried on every request.
            self.next_at = now + interval
            return True


def sweep_clock(name: str) -> SweepClock:
    """The current app's clock for the sweep `name`."""
    return current_app.extensions.setdefault(f"sweep:{name}", SweepClock())
