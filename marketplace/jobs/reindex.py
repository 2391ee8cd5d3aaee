"""The search index rebuilt as a background job (the admin's button on /admin/jobs); the
command `flask --app wsgi search reindex` does the same in the foreground, with a progress bar."""

import logging

from marketplace.core.errors import PermissionDenied
from marketplace.jobs.queue import enqueue
from marketplace.search import get_search_backend

log = logging.getLogger("marketplace.jobs")


def rebuild_search_index() -> int:
    """Job: rebuild the whole index from the database; returns the documents indexed.
    Idempotent: the backend builds from the rows as they are and switches the result in."""
    report = get_search_backend().rebuild()
    log.info("Search index rebuilt: %s documents", getattr(report, "documents", "?"))
    return int(getattr(report, "documents", 0) or 0)


def request_reindex(viewer) -> None:
    """Queue the rebuild (without Redis: run it now); admins only."""
    if not getattr(viewer, "is_admin", False):
        raise PermissionDenied()
    enqueue(rebuild_search_index)
