"""The index on disk: generations switched through a pointer file, writers that wait for the
lock, and one searcher per process that is refreshed when the index changes.

    SEARCH_INDEX_DIR/CURRENT        names the generation in use (replaced atomically)
    SEARCH_INDEX_DIR/g-.../         a whoosh index, plus meta.json and watermark.json
    SEARCH_INDEX_DIR/REBUILD.lock   one rebuild at a time

A rebuild writes a new generation aside and then points CURRENT at it, so searches keep
working meanwhile. Searchers notice the switch with one stat() of CURRENT per search.
"""

import contextlib
import fcntl
import json
import logging
import os
import secrets
import shutil
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError
from whoosh.scoring import BM25F
from whoosh.searching import Searcher

from marketplace.search.schema import SCHEMA_VERSION, build_schema
from marketplace.search.segments import SegmentArrays

#: How often opening an index is retried when a concurrent commit removed what it was reading.
TOC_RACE_RETRIES = 20

log = logging.getLogger(__name__)

POINTER = "CURRENT"
META = "meta.json"
WATERMARK = "watermark.json"


def make_codec():
    """whoosh's codec without per-block length statistics: it would look up every posting's
    document length while writing (a third of the build time) for a block-skipping
    optimisation the engine does not use (it scores with cached impacts)."""
    from whoosh.codec import default_codec

    codec = default_codec()
    codec.length_stats = False
    return codec


class IndexBusy(RuntimeError):
    """The write lock could not be had in time; the drift check will index the change later."""


class IndexStore:
    """One per app per process. Thread-safe: a lock guards the searcher and segment caches."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)
        self.lock = threading.RLock()
        self._pointer_sig = None
        self._generation: str | None = None
        self._searcher: Searcher | None = None
        self._searcher_generation: str | None = None
        self._toc_generation = -1
        self._ix = None
        self._arrays: dict[str, SegmentArrays] = {}

    # ---- generations -------------------------------------------------------------------

    def generation(self) -> str:
        """Name of the generation in use; creates an empty index on first use."""
        path = self.root / POINTER
        try:
            st = path.stat()
            sig = (st.st_ino, st.st_mtime_ns, st.st_size)
            if sig != self._pointer_sig or self._generation is None:
                name = path.read_text().strip()
                if not name or not self._valid(name):
                    raise FileNotFoundError(name)
                self._pointer_sig, self._generation = sig, name
            return self._generation
        except (FileNotFoundError, NotADirectoryError):
            return self._create_first()

    def _valid(self, name: str) -> bool:
        try:
            meta = json.loads((self.root / name / META).read_text())
        except (OSError, ValueError):
            return False
        if meta.get("schema_version") != SCHEMA_VERSION:
            return False
        try:
            names = set(_open_dir(self.root / name).schema.names())
        except Exception:  # missing or unreadable: a new generation is made
            return False
        return names == set(build_schema().names())

    def _create_first(self) -> str:
        self.root.mkdir(parents=True, exist_ok=True)
        with self.exclusive("CREATE.lock"):
            pointer = self.root / POINTER
            with contextlib.suppress(OSError):
                name = pointer.read_text().strip()
                if name and self._valid(name):
                    self._pointer_sig = None
                    return self.generation()
            name = self.create_generation()
            self.switch_to(name)
            log.info("search: created an empty index %s", name)
            return self.generation()

    def create_generation(self) -> str:
        """A new, empty index directory beside the current one (not yet in use)."""
        self.root.mkdir(parents=True, exist_ok=True)
        name = f"g-{time.strftime('%Y%m%d%H%M%S')}-{secrets.token_hex(4)}"
        path = self.root / name
        path.mkdir()
        whoosh_index.create_in(str(path), build_schema())
        _write_json(path / META, {"schema_version": SCHEMA_VERSION, "created": time.time()})
        return name

    def switch_to(self, name: str) -> None:
        """Point CURRENT at another generation atomically; searchers follow on their next use."""
        tmp = self.root / f".{POINTER}.{os.getpid()}.{secrets.token_hex(4)}"
        tmp.write_text(name)
        os.replace(tmp, self.root / POINTER)
        self._pointer_sig = None

    def remove_generations(self, keep: set[str], min_age_s: float = 0.0) -> None:
        """Delete generation directories not in `keep` (readers that still have files open keep
        them until they close: POSIX semantics)."""
        now = time.time()
        for path in self.root.glob("g-*"):
            if path.name in keep:
                continue
            with contextlib.suppress(OSError):
                if now - path.stat().st_mtime >= min_age_s:
                    shutil.rmtree(path, ignore_errors=True)

    def path(self, name: str | None = None) -> Path:
        return self.root / (name or self.generation())

    def open_index(self, name: str | None = None):
        """Open a generation. Whoosh lists the directory, then reads the newest table of contents;
        a commit in another process can delete that file in between (seen under load as a lost
        index write): read again."""
        for _ in range(TOC_RACE_RETRIES):
            try:
                return _open_dir(self.path(name))
            except FileNotFoundError:
                time.sleep(0.005)
        return _open_dir(self.path(name))

    @contextlib.contextmanager
    def exclusive(self, lockname: str, blocking: bool = True):
        """A process-wide file lock under the index root; yields False if not blocking and busy."""
        self.root.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.root / lockname, os.O_CREAT | os.O_RDWR, 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
            except BlockingIOError:
                yield False
                return
            yield True
        finally:
            os.close(fd)  # closing releases the lock

    # ---- watermark ----------------------------------------------------------------------

    def read_watermark(self, name: str | None = None) -> datetime | None:
        """updated_at up to which the generation is known to match the database."""
        try:
            data = json.loads((self.path(name) / WATERMARK).read_text())
            return datetime.fromisoformat(data["verified_until"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def write_watermark(self, value: datetime | None, name: str | None = None) -> None:
        if value is None:
            return
        current = self.read_watermark(name)
        if current is not None and current >= value:
            return
        _write_json(self.path(name) / WATERMARK, {"verified_until": value.isoformat()})

    # ---- writing ------------------------------------------------------------------------

    def write(self, apply: Callable, *, timeout: float = 10.0, attempts: int = 3) -> None:
        """Run apply(writer) and commit, waiting for the index's write lock (whoosh allows one
        writer at a time across processes; flock locks die with their process, so a killed
        writer leaves no stale lock). Raises IndexBusy when the lock never came."""
        for attempt in range(attempts):
            name = self.generation()
            ix = self.open_index(name)
            try:
                writer = ix.writer(timeout=timeout, delay=0.02, codec=make_codec())
            except LockError:
                log.warning("search: index write lock busy (attempt %d)", attempt + 1)
                continue
            try:
                self._pointer_sig = None
                if self.generation() != name:  # a rebuild switched generations meanwhile
                    writer.cancel()
                    continue
                apply(writer)
                writer.commit()
            except BaseException:
                with contextlib.suppress(Exception):
                    writer.cancel()
                raise
            return
        raise IndexBusy("the search index stayed locked")

    # ---- reading ------------------------------------------------------------------------

    def searcher(self) -> Searcher:
        """The process's searcher, reopened when the index or the generation changed.

        Callers hold `self.lock` while they use it."""
        name = self.generation()
        if self._searcher is not None and self._searcher_generation == name:
            if self._ix.latest_generation() == self._toc_generation:
                return self._searcher
        else:
            self._ix = self.open_index(name)
        previous = self._searcher if self._searcher_generation == name else None
        if self._searcher is not None and previous is None:
            with contextlib.suppress(Exception):
                self._searcher.close()
        self._searcher, self._toc_generation = _open_searcher(self._ix, previous)
        self._searcher_generation = name
        self._prune_arrays(self._searcher)
        return self._searcher

    def arrays(self, reader) -> SegmentArrays:
        key = f"{self._searcher_generation}/{reader.segment().segment_id()}"
        arrays = self._arrays.get(key)
        if arrays is None or arrays.size != reader.doc_count_all():
            arrays = self._arrays[key] = SegmentArrays(reader)
        return arrays

    def _prune_arrays(self, searcher: Searcher) -> None:
        live = {
            f"{self._searcher_generation}/{r.segment().segment_id()}"
            for r, _ in _leaf_readers(searcher.reader())
            if r.segment() is not None
        }
        for key in list(self._arrays):
            if key not in live:
                del self._arrays[key]

    def close(self) -> None:
        with self.lock:
            if self._searcher is not None:
                with contextlib.suppress(Exception):
                    self._searcher.close()
            self._searcher = None
            self._arrays.clear()


def _open_searcher(ix, previous: Searcher | None) -> tuple[Searcher, int]:
    """A searcher on the index's latest state, reusing the previous searcher's segment readers
    whose deletions did not change. (whoosh's Searcher.refresh() reuses readers by segment id
    alone, so a document deleted from an old segment, e.g. by an edit, would still be found.)"""
    from whoosh.reading import EmptyReader, MultiReader, SegmentReader

    old = {}
    if previous is not None:
        for r, _ in _leaf_readers(previous.reader()):
            if r.segment() is not None:
                old[r.segment().segment_id()] = r
    for attempt in range(10):
        toc = ix._read_toc()
        readers = []
        try:
            for segment in toc.segments:
                r = old.get(segment.segment_id())
                if r is None or r.segment().deleted_count() != segment.deleted_count():
                    r = SegmentReader(ix.storage, toc.schema, segment, generation=toc.generation)
                readers.append(r)
            break
        except OSError:  # a writer removed a merged segment meanwhile: read the new TOC
            if attempt == 9:
                raise
            time.sleep(0.02)
    kept = {id(r) for r in readers}
    for r in old.values():
        if id(r) not in kept:
            with contextlib.suppress(Exception):
                r.close()
    if not readers:
        reader = EmptyReader(toc.schema)
    elif len(readers) == 1:
        reader = readers[0]
    else:
        reader = MultiReader(readers, generation=toc.generation)
    return Searcher(reader, fromindex=ix, weighting=BM25F()), toc.generation


def _open_dir(path: Path):
    """Open an index without memory maps: whoosh reads a memory-mapped segment's files through
    BytesIO(memoryview), which copies each whole file (postings, term index, columns) into the
    process: about 40 MB per 100,000 listings, again whenever a segment is reopened. Plain
    file reads leave the data to the OS page cache. A segment's readers then share one file
    position (seek, then read): safe because every use of the searcher holds `lock`."""
    return FileStorage(str(path), supports_mmap=False).open_index()


def _leaf_readers(reader):
    return reader.leaf_readers() if not reader.is_atomic() else [(reader, 0)]


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    tmp.write_text(json.dumps(data))
    os.replace(tmp, path)
