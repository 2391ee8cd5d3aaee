"""Rebuilding every document: batches of listing ids, each analysed and written in a
transaction of its own, in `procs` worker processes (the analysis is Python and the larger
part of the work). Searches go on with the documents as they are meanwhile; a row changed
during the rebuild keeps the newer document its own transaction wrote."""

import multiprocessing
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

import sqlalchemy as sa

from marketplace.search import documents
from marketplace.search.postgres import writes
from marketplace.search.rebuild import RebuildReport

#: Listings analysed and written per transaction.
BATCH = 1000

_worker_engine: sa.Engine | None = None


def _start_worker(url: str) -> None:
    global _worker_engine
    _worker_engine = sa.create_engine(url, pool_size=1)


def _write_ids(ids: list[int]) -> None:
    with _worker_engine.begin() as conn:
        writes.write_listings(conn, ids)


def _id_batches(engine: sa.Engine):
    last = 0
    with engine.connect() as conn:
        while True:
            stmt = (
                sa.select(documents.listings.c.id)
                .where(documents.listings.c.id > last)
                .order_by(documents.listings.c.id)
                .limit(BATCH)
            )
            ids = list(conn.execute(stmt).scalars())
            if not ids:
                return
            yield ids
            last = ids[-1]


def rebuild_documents(
    engine: sa.Engine, *, procs: int = 2, progress: Callable[[int], None] | None = None
) -> RebuildReport:
    """Re-write every listing's and organisation's document."""
    started, count = time.monotonic(), 0
    url = engine.url.render_as_string(hide_password=False)
    # forkserver, not fork: a fork while another thread holds a lock left a child waiting.
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(procs, context, initializer=_start_worker, initargs=(url,)) as pool:
        pending: dict = {}
        for ids in _id_batches(engine):
            if len(pending) >= 2 * procs:  # bounded: the ids are not all read ahead
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                count += _collect(done, pending, progress)
            pending[pool.submit(_write_ids, ids)] = len(ids)
        count += _collect(list(pending), pending, progress)
    with engine.begin() as conn:
        writes.write_organisation_ids(conn)
    # Every row was rewritten: VACUUM makes the old versions' space reusable (a searched table
    # twice its size read twice the pages: 265 MB for 138 MB of documents where autovacuum was
    # off) and marks the pages all-visible, so that counting spellings reads the index only;
    # ANALYZE gives fresh statistics, the planner picks the GIN index by the lexemes'
    # frequencies. VACUUM runs outside a transaction.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in ("search_listing_documents", "search_spellings"):
            conn.execute(sa.text(f"VACUUM (ANALYZE) {table}"))
    return RebuildReport("postgres", count, time.monotonic() - started, procs)


def _collect(done, pending: dict, progress) -> int:
    n = 0
    for future in done:
        future.result()  # a failed batch fails the rebuild
        n += pending.pop(future)
    if progress and n:
        progress(n)
    return n
