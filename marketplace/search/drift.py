"""Drift: the index left behind the database (a crashed or killed writer, a lock never had, a
bulk UPDATE) is found and healed without anybody noticing first.

Each generation keeps a watermark: the updated_at up to which it was verified against the
database. A check reads the database's (id, updated_at) for everything changed after the
watermark minus a margin (late commits stamp updated_at before they commit) and compares them
with the version stamps the index holds; when the counts differ it also compares the full id
sets (missing and ghost documents). Small differences are healed at once; large ones (an empty
or lost index) in a background thread of one process, which rebuilds when the index is empty.
"""

import bisect
import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta

from marketplace.core.clock import utcnow
from marketplace.search import documents
from marketplace.search.schema import stamp_of

log = logging.getLogger(__name__)

#: Differences up to this size are healed inside the check; larger ones in the background.
INLINE_LIMIT = 2000
BATCH = 1000


@dataclass
class DriftReport:
    db_count: int = 0
    index_count: int = 0
    checked: int = 0
    stale: list[int] = field(default_factory=list)  # missing or older in the index
    ghosts: list[int] = field(default_factory=list)  # in the index, not in the database
    healed: int = 0
    background: bool = False

    @property
    def in_step(self) -> bool:
        return not self.stale and not self.ghosts


def _index_state(store):
    """(doc count, id -> stamp lookup, a function giving {id: stamp} of every live document)."""
    searcher = store.searcher()
    leaves = [(off, sub.reader()) for sub, off in searcher.leaf_searchers() if sub.doc_count_all()]
    offsets = [off for off, _ in leaves]
    arrays = [store.arrays(reader) for _, reader in leaves]

    def stamp(listing_id: int) -> int | None:
        docnum = searcher.document_number(id=str(listing_id))
        if docnum is None:
            return None
        i = bisect.bisect_right(offsets, docnum) - 1
        return arrays[i].ints["stamp"][docnum - offsets[i]]

    def live_stamps() -> dict[int, int]:
        out: dict[int, int] = {}
        for (_, reader), a in zip(leaves, arrays, strict=True):
            ids, stamps = a.ints["listing_id"], a.ints["stamp"]
            deleted = reader.has_deletions()
            for d in range(a.size):
                if not deleted or not reader.is_deleted(d):
                    out[ids[d]] = stamps[d]
        return out

    return searcher.doc_count(), stamp, live_stamps


def check(backend, *, heal: bool = True) -> DriftReport:
    """Compare the index with the database and heal what differs (see the module docstring)."""
    store, margin = backend.store, timedelta(seconds=backend.drift_margin_s)
    watermark = store.read_watermark()
    since = watermark - margin if watermark is not None else None
    with backend.connection() as conn:
        db_count = documents.listing_total(conn)
        versions = documents.versions_since(conn, since)
        with store.lock:
            index_count, stamp, live_stamps = _index_state(store)
            report = DriftReport(db_count=db_count, index_count=index_count, checked=len(versions))
            if db_count != index_count or since is None:
                indexed = live_stamps()
                in_db = documents.all_ids(conn) if since is not None else {i for i, _ in versions}
                report.stale = sorted(
                    {i for i, ts in versions if indexed.get(i) != stamp_of(ts)}
                    | (in_db - indexed.keys())
                )
                report.ghosts = sorted(indexed.keys() - in_db)
            else:
                report.stale = [i for i, ts in versions if stamp(i) != stamp_of(ts)]
    newest = max((ts for _, ts in versions), default=None)
    if newest is not None:
        newest = min(newest, utcnow())  # a stamp from the future must not hide later changes
    if report.in_step:
        store.write_watermark(newest)
        return report
    if not heal:
        return report
    if len(report.stale) + len(report.ghosts) <= INLINE_LIMIT:
        backend.write_listings(report.stale, report.ghosts)
        report.healed = len(report.stale) + len(report.ghosts)
        store.write_watermark(newest)
        log.warning(
            "search: healed drift (%d re-indexed, %d removed)",
            len(report.stale),
            len(report.ghosts),
        )
    else:
        report.background = start_background_heal(backend)
    return report


_running: set[int] = set()
_running_lock = threading.Lock()


def start_background_heal(backend) -> bool:
    """Heal a large drift in a daemon thread (one per process; one process at a time)."""
    with _running_lock:
        if id(backend) in _running:
            return True
        _running.add(id(backend))
    thread = threading.Thread(target=_heal_loop, args=(backend,), daemon=True, name="search-heal")
    thread.start()
    return True


def _heal_in_batches(backend) -> None:
    for _ in range(10_000):
        report = check(backend, heal=False)
        if report.in_step:
            return
        backend.write_listings(report.stale[:BATCH], report.ghosts[:BATCH])
        if len(report.stale) <= BATCH and len(report.ghosts) <= BATCH:
            check(backend)
            return
        time.sleep(0.05)


def _heal_loop(backend) -> None:
    try:
        with backend.store.exclusive("HEAL.lock", blocking=False) as mine:
            if not mine:
                return
            with backend.store.lock:
                empty = backend.store.searcher().doc_count() == 0
            if empty:
                log.warning("search: the index is empty; rebuilding it in the background")
                backend.rebuild(procs=1)  # no fork from a thread of a web worker
                return
            # Never heal into a generation that a rebuild is about to switch out and delete: while
            # one runs, step aside (the fresh index is the truth; the next drift check looks again),
            # and a rebuild that starts meanwhile waits for this heal.
            with backend.store.exclusive("REBUILD.lock", blocking=False) as no_rebuild:
                if not no_rebuild:
                    return
                _heal_in_batches(backend)
    except Exception:
        log.exception("search: background heal failed; the next drift check retries")
    finally:
        with _running_lock:
            _running.discard(id(backend))
