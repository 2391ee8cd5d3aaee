"""Jobs the worker tests enqueue (importable by name, as RQ requires)."""

from marketplace.jobs.queue import redis_connection


def always_fails(counter: str) -> None:
    """Count the attempt, then fail."""
    redis_connection().incr(counter)
    raise RuntimeError("the mail server said no")
