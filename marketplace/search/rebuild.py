"""Full rebuild from the database into a new generation, in parallel, then switched in.

Each worker process reads its share of the listings (id % procs) on its own connection and
writes one segment; the parent commits a table of contents naming all segments, records the
watermark, points CURRENT at the new generation and catches up with what changed meanwhile.
Searches use the old generation until the switch."""

import contextlib
import logging
import multiprocessing
import os
import queue
import time
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from whoosh.writing import PostingPool, SegmentWriter

from marketplace.core.clock import utcnow
from marketplace.search import documents
from marketplace.search.schema import listing_document
from marketplace.search.store import make_codec

log = logging.getLogger(__name__)

_PROGRESS_EVERY = 250


@dataclass
class RebuildReport:
    generation: str
    documents: int
    seconds: float
    procs: int


def build_generation(
    store,
    engine: sa.Engine,
    *,
    procs: int = 2,
    progress: Callable[[int], None] | None = None,
) -> tuple[str, int, object]:
    """Fill a new generation with every listing; returns (name, documents, max updated_at)."""
    name = store.create_generation()
    path = str(store.path(name))
    with engine.connect() as conn:
        expected, max_updated = documents.listing_count(conn)
    url = engine.url.render_as_string(hide_password=False)
    procs = max(1, min(procs, (expected // 2000) + 1))
    if procs == 1:
        segment, count = _build_share(url, path, 0, 1, None, engine=engine, progress=progress)
        segments = [segment] if segment is not None else []
    else:
        segments, count = _build_parallel(url, path, procs, progress)
    _commit(store, name, segments)
    return name, count, max_updated


def _build_parallel(url: str, path: str, procs: int, progress) -> tuple[list, int]:
    # forkserver, not fork: a fork while another thread holds a lock (a search running beside
    # the rebuild, SQLite's mutex in a connect) left a child waiting on it for ever.
    ctx = multiprocessing.get_context("forkserver")
    messages = ctx.Queue()
    workers = [
        ctx.Process(target=_worker, args=(url, path, k, procs, messages), daemon=True)
        for k in range(procs)
    ]
    for w in workers:
        w.start()
    segments, count, done = [], 0, 0
    try:
        while done < procs:
            try:
                kind, value = messages.get(timeout=1.0)
            except queue.Empty:
                if any(w.exitcode not in (None, 0) for w in workers):
                    raise RuntimeError("a search index build worker failed") from None
                continue
            if kind == "progress":
                if progress:
                    progress(value)
            elif kind == "done":
                segment, share = value
                if segment is not None:
                    segments.append(segment)
                count += share
                done += 1
            else:
                raise RuntimeError(f"search index build worker failed: {value}")
    finally:
        for w in workers:
            w.join(timeout=5)
            if w.is_alive():
                w.kill()
    return segments, count


def _worker(url: str, path: str, k: int, n: int, messages) -> None:
    try:
        segment, count = _build_share(url, path, k, n, messages)
        messages.put(("done", (segment, count)))
    except BaseException as exc:  # reported to the parent, which fails the rebuild
        messages.put(("error", repr(exc)))
        raise


def _build_share(url, path, k, n, messages, *, engine=None, progress=None):
    from whoosh import index as whoosh_index

    ix = whoosh_index.open_dir(path)
    writer = SegmentWriter(ix, _lk=False, limitmb=256, codec=make_codec())
    # Each share gets its own temporary directory (whoosh names it after the index).
    writer._tempstorage = writer.storage.temp_storage(f"build-{k}-{os.getpid()}.tmp")
    writer.pool = PostingPool(writer._tempstorage, writer.newsegment, limitmb=256)
    own_engine = engine is None
    engine = engine or sa.create_engine(url)
    count = pending = 0
    try:
        with engine.connect() as conn:
            for row in documents.iter_rows(conn, id_modulo=(k, n) if n > 1 else None):
                writer.add_document(**listing_document(row))
                count += 1
                pending += 1
                if pending >= _PROGRESS_EVERY:
                    _report(messages, progress, pending)
                    pending = 0
        _report(messages, progress, pending)
        segment = writer._finalize_segment() if count else None
        if not count:
            writer._close_segment()
        return segment, count
    finally:
        writer._tempstorage.destroy()
        if own_engine:
            engine.dispose()


def _report(messages, progress, n: int) -> None:
    if not n:
        return
    if messages is not None:
        messages.put(("progress", n))
    elif progress:
        progress(n)


def _commit(store, name: str, segments: list) -> None:
    ix = store.open_index(name)
    writer = ix.writer(timeout=30.0)
    writer._close_segment()
    writer._commit_toc(segments)
    writer._finish()


def rebuild(backend, *, procs: int = 2, progress=None) -> RebuildReport:
    """Build aside, switch in, catch up; one rebuild at a time across processes."""
    store, engine = backend.store, backend.engine
    started = time.monotonic()
    with store.exclusive("REBUILD.lock"):
        name, count, max_updated = build_generation(store, engine, procs=procs, progress=progress)
        if max_updated is not None:
            store.write_watermark(min(max_updated, utcnow()), name)
        store.switch_to(name)
        # Changes committed while the build ran went to the old generation or nowhere: the
        # drift check re-reads everything updated after the build's watermark minus a margin.
        with contextlib.suppress(Exception), backend.own_connections():
            backend.check_drift(force=True)
        store.remove_generations(keep={name})
    log.info("search: rebuilt %d listings into %s", count, name)
    return RebuildReport(name, count, time.monotonic() - started, procs)
