"""The search interface (SearchBackend) and its embedded default, WhooshBackend.

The web page and the API call `search(...)` and get listing ids in order plus what the results
page shows (total, highlights, suggestion, facets); they load the listings themselves. Only
invalid filter or sort values raise, as SearchQueryError (a ValueError with the parameter's
name); any query text gives results. A PostgreSQL full-text backend can implement the same
Protocol later.
"""

import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Protocol

import sqlalchemy as sa

from marketplace.search import documents, drift, engine, query, searching
from marketplace.search.complete import Completer
from marketplace.search.filters import SearchFilters, SearchQueryError
from marketplace.search.organisations import OrganisationIndex, OrganisationResult
from marketplace.search.reads import SessionReads
from marketplace.search.rebuild import RebuildReport, rebuild
from marketplace.search.related import (
    RelatedQuery,
    RelatedResult,
    document_frequencies,
    related_listings,
)
from marketplace.search.results import FacetCount, SearchResult
from marketplace.search.schema import listing_document
from marketplace.search.store import IndexStore
from marketplace.search.suggest import Suggester

__all__ = ["SearchBackend", "SearchFilters", "SearchQueryError", "SearchResult", "WhooshBackend"]

log = logging.getLogger(__name__)


class SearchBackend(Protocol):
    def index_listings(self, ids: Iterable[int]) -> None: ...
    def remove_listings(self, ids: Iterable[int]) -> None: ...
    def search(
        self,
        q: str | None,
        filters: SearchFilters | None = None,
        *,
        sort: str | None = None,
        page: int = 1,
        per_page: int = 20,
        language: str = "de",
        highlight: bool = True,
        facets: bool = False,
    ) -> SearchResult: ...
    def suggest(self, q: str | None) -> str | None: ...
    def complete(self, q: str | None) -> list[str]: ...
    def index_organisations(self, ids: Iterable[int]) -> None: ...
    def search_organisations(
        self,
        q: str | None,
        *,
        kind: str | None = None,
        district: str | None = None,
        page: int = 1,
        per_page: int = 20,
    ) -> OrganisationResult: ...
    def organisation_ids(self, q: str | None, *, limit: int = 10_000) -> list[int]: ...
    def listing_ids(
        self, q: str | None, filters: SearchFilters | None = None, *, limit: int = 10_000
    ) -> list[int]: ...
    def facets(
        self, q: str | None, filters: SearchFilters | None = None, language: str = "de"
    ) -> dict[str, list[FacetCount]]: ...
    def rebuild(self, progress: Callable[[int], None] | None = None) -> RebuildReport: ...
    def check_drift(
        self, *, heal: bool = True, force: bool = False
    ) -> drift.DriftReport | None: ...
    def version(self, *, check_drift: bool = True) -> tuple: ...
    def related(self, query: RelatedQuery) -> RelatedResult: ...
    def term_frequencies(self, terms: Iterable[str]) -> tuple[int, dict[str, int]]: ...
    def listing_count(self) -> int: ...
    def clear(self) -> None: ...


class WhooshBackend(SessionReads):
    """Embedded whoosh index under SEARCH_INDEX_DIR, following the database."""

    name = "whoosh"

    def __init__(
        self,
        index_dir,
        engine: sa.Engine,
        *,
        drift_interval_s: float = 5.0,
        drift_margin_s: float = 120.0,
        write_timeout_s: float = 10.0,
        build_procs: int = 2,
    ):
        self.store = IndexStore(index_dir)
        self.engine = engine
        self.drift_interval_s = drift_interval_s
        self.drift_margin_s = drift_margin_s
        self.write_timeout_s = write_timeout_s
        self.build_procs = build_procs
        self._last_drift_check = 0.0  # 0: the first search of the process checks
        self._drift_requested = False
        self._suggester = Suggester()
        self._completer = Completer()
        self._drift_lock = threading.Lock()
        self._versions_lock = threading.Lock()
        self._version_indexes: dict[str, object] = {}
        self.organisations = OrganisationIndex(
            self.store.root, self.connection, write_timeout_s=write_timeout_s
        )

    # ---- writing ------------------------------------------------------------------------

    def index_listings(self, ids: Iterable[int]) -> None:
        """(Re-)index listings from the database; ids no longer there are removed."""
        self.write_listings(ids, ())

    def remove_listings(self, ids: Iterable[int]) -> None:
        self.write_listings((), ids)

    def write_listings(self, index_ids: Iterable[int], remove_ids: Iterable[int]) -> None:
        index_ids, remove_ids = set(index_ids), set(remove_ids)
        if not index_ids and not remove_ids:
            return
        with self.connection() as conn:
            rows = documents.rows_for_ids(conn, index_ids) if index_ids else []
        docs = [listing_document(row) for row in rows]  # analysed outside the lock
        remove_ids |= index_ids - {row.id for row in rows}

        def apply(writer):
            for i in remove_ids:
                writer.delete_by_term("id", str(i))
            for doc in docs:
                writer.update_document(**doc)

        self.store.write(apply, timeout=self.write_timeout_s)

    def index_organisations(self, ids: Iterable[int]) -> None:
        """(Re-)index organisations from the database; ids no longer there are removed."""
        self.organisations.index_ids(ids)

    def rebuild(self, progress: Callable[[int], None] | None = None, procs: int | None = None):
        report = rebuild(self, procs=procs or self.build_procs, progress=progress)
        self.organisations.rebuild()
        return report

    def clear(self) -> None:
        """Switch to an empty generation (tests; the database is not touched)."""
        with self.store.exclusive("REBUILD.lock"):
            name = self.store.create_generation()
            self.store.switch_to(name)
            self.store.remove_generations(keep={name})
        self.organisations.clear()

    # ---- drift --------------------------------------------------------------------------

    def check_drift(self, *, heal: bool = True, force: bool = False) -> drift.DriftReport | None:
        """Compare with the database (at most every drift_interval_s unless forced) and heal."""
        now = time.monotonic()
        force = force or self._drift_requested
        if not force and now - self._last_drift_check < self.drift_interval_s:
            return None
        if not self._drift_lock.acquire(blocking=force):
            return None
        try:
            self._last_drift_check, self._drift_requested = now, False
            if force and heal:
                self._check_organisations(force=True)
            return drift.check(self, heal=heal)
        finally:
            self._drift_lock.release()

    def request_drift_check(self) -> None:
        """Make the next search of this process check for drift (after a failed write)."""
        self._drift_requested = True

    def _check_organisations(self, *, force: bool = False) -> None:
        try:
            self.organisations.check(interval_s=self.drift_interval_s, force=force)
        except Exception:
            log.exception("search: organisation drift check failed")

    def _quiet_drift_check(self) -> None:
        try:
            self.check_drift()
        except Exception:
            log.exception("search: drift check failed; searching the index as it is")

    # ---- reading ------------------------------------------------------------------------

    def search(
        self,
        q: str | None,
        filters: SearchFilters | None = None,
        *,
        sort: str | None = None,
        page: int = 1,
        per_page: int = 20,
        language: str = "de",
        highlight: bool = True,
        facets: bool = False,
    ) -> SearchResult:
        self._quiet_drift_check()
        return searching.search(
            self._run,
            lambda parsed, total: self._suggester.suggest(self.store, parsed, total),
            self._texts,
            q,
            filters,
            sort=sort,
            page=page,
            per_page=per_page,
            language=language,
            highlight=highlight,
            facets=facets,
            lock=self.store.lock,
        )

    def listing_ids(
        self, q: str | None, filters: SearchFilters | None = None, *, limit: int = 10_000
    ) -> list[int]:
        """Ids of the listings the words find under the filters (at most `limit`), best first;
        [] for no words. For callers that combine the text with what the index does not hold."""
        self._quiet_drift_check()
        return searching.listing_ids(self._run, q, filters, limit, lock=self.store.lock)

    def _run(self, plan, spec, sort, limit, facets):
        try:
            return engine.run(self.store, plan, spec, sort=sort, limit=limit, facets=facets)
        except OSError:
            # A rebuild removed the generation this process was reading: reopen once.
            self.store.close()
            return engine.run(self.store, plan, spec, sort=sort, limit=limit, facets=facets)

    def _texts(self, ids):
        with self.connection() as conn:
            return documents.texts_for_ids(conn, ids)

    def suggest(self, q: str | None) -> str | None:
        parsed = query.parse(q)
        if not parsed.words:
            return None
        with self.store.lock:
            return self._suggester.suggest(self.store, parsed, 0)

    def complete(self, q: str | None) -> list[str]:
        """Up to eight completions of the text's last word, for the search box."""
        with self.store.lock:
            try:
                return self._completer.complete(self.store, q)
            except OSError:  # a rebuild removed the generation this process was reading
                self.store.close()
                return []

    def facets(self, q, filters=None, language="de"):
        return self.search(q, filters, per_page=1, highlight=False, facets=True).facets

    def search_organisations(
        self,
        q: str | None,
        *,
        kind: str | None = None,
        district: str | None = None,
        page: int = 1,
        per_page: int = 20,
    ) -> OrganisationResult:
        """Organisation ids in order (relevance with q, else by name) and the total."""
        self._check_organisations()
        return self.organisations.search(
            q, kind=kind, district=district, page=page, per_page=per_page
        )

    def organisation_ids(self, q: str | None, *, limit: int = 10_000) -> list[int]:
        """Ids of every organisation the words find (at most `limit`), best first."""
        self._check_organisations()
        return self.organisations.ids_matching(q, limit=limit)

    def version(self, *, check_drift: bool = True) -> tuple:
        """(generation, commit number) of the index: it changes with every change of a listing
        in any process, since the index follows commits. With check_drift, the periodic drift
        check runs first, so that what a crash left behind is healed and shows as a new
        version."""
        if check_drift:
            self.check_drift()
        name = self.store.generation()
        with self._versions_lock:
            ix = self._version_indexes.get(name)
            if ix is None:
                self._version_indexes.clear()
                ix = self._version_indexes[name] = self.store.open_index(name)
        return name, ix.latest_generation()

    def related(self, query: RelatedQuery) -> RelatedResult:
        return related_listings(self, query)

    def term_frequencies(self, terms: Iterable[str]) -> tuple[int, dict[str, int]]:
        return document_frequencies(self, terms)

    def listing_count(self) -> int:
        """How many listings a rebuild will index (for a progress bar)."""
        with self.engine.connect() as conn:
            return documents.listing_total(conn)

    def close(self) -> None:
        self.store.close()
        self.organisations.close()
