"""Periodic work a running app does by itself when no Redis is configured (no cron for the
embedded default), at most once per interval per process and application. With Redis the
sweeps' hooks step aside and `flask --app wsgi scheduler` enqueues the same jobs
(marketplace/jobs/schedule.py)."""

import logging
import threading
import time
from collections.abc import Callable

from flask import current_app, g

from marketplace.core.database import declare_write_intent
from marketplace.extensions import db


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


def sweep_due(name: str, interval: float) -> bool:
    """True at most once per `interval` seconds (0 or less: never) for the sweep `name`."""
    return interval > 0 and sweep_clock(name).due(interval)


def reset_sweep(name: str) -> None:
    """Let the next request sweep (tests, and after the interval is changed)."""
    sweep_clock(name).next_at = 0.0


def run_sweep(job: Callable[[], object], log: logging.Logger, failure: str) -> None:
    """Run a sweep's job from a request hook in a transaction of its own; a failure is logged
    with `failure` and rolled back, never breaking the request."""
    had_intent = g.get("write_intent")
    declare_write_intent()
    try:
        job()
    except Exception:  # noqa: BLE001 - the request must go on whatever the sweep met
        log.exception(failure)
        db.session.rollback()
    finally:
        # The rest of a GET request reads; let its transaction stay a deferred one.
        if not had_intent:
            g.pop("write_intent", None)
