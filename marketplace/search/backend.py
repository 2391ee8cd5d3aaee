"""The search interface (SearchBackend) and its embedded default, WhooshBackend.

The web page and the API call `search(...)` and get listing ids in order plus what the results
page shows (total, highlights, suggestion, facets); they load the listings themselves. Only
invalid filter or sort values raise, as SearchQueryError (a ValueError with the parameter's
name); any query text gives results. A PostgreSQL full-text backend can implement the same
Protocol later.
"""

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Protocol

import sqlalchemy as sa
from flask import current_app, has_app_context

from marketplace.search import documents, drift, engine, highlight, query
from marketplace.search.complete import Completer
from marketplace.search.filters import (
    SearchFilters,
    SearchQueryError,
    choose_sort,
    compile_filters,
    paging,
)
from marketplace.search.organisations import OrganisationIndex, OrganisationResult
from marketplace.search.rebuild import RebuildReport, rebuild
from marketplace.search.results import FacetCount, SearchResult, facet_counts
from marketplace.search.schema import listing_document
from marketplace.search.store import IndexStore
from marketplace.search.suggest import Suggester

__all__ = ["SearchBackend", "SearchFilters", "SearchQueryError", "SearchResult", "WhooshBackend"]

log = logging.getLogger(__name__)
_local = threading.local()


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
    def check_drift(self, *, heal: bool = True, force: bool = False) -> drift.DriftReport: ...


class WhooshBackend:
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
        self.organisations = OrganisationIndex(
            self.store.root, self.connection, write_timeout_s=write_timeout_s
        )

    # ---- database -----------------------------------------------------------------------

    @contextlib.contextmanager
    def connection(self):
        """A connection to read the database with. When the app's session is inside a
        transaction, reads join it: on SQLite a second connection would wait for the write
        lock such a transaction holds outside GET requests. Otherwise (and right after a commit,
        in session events) a short connection of its own, so that no lock outlives the read."""
        session = self._session()
        if session is not None and session().in_transaction():
            yield session.connection()
        else:
            with self.engine.connect() as conn:
                yield conn

    def _session(self):
        if getattr(_local, "own_connections", False) or not has_app_context():
            return None
        if current_app.extensions.get("search") is not self:
            return None
        from marketplace.extensions import db

        return db.session

    @contextlib.contextmanager
    def own_connections(self):
        """Read with connections of its own (inside session events: the session is done)."""
        previous = getattr(_local, "own_connections", False)
        _local.own_connections = True
        try:
            yield
        finally:
            _local.own_connections = previous

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
        spec = compile_filters(filters or SearchFilters())
        parsed = query.parse(q)
        sort = choose_sort(sort, parsed.is_empty, filters)
        page, per_page = paging(page, per_page)
        self._quiet_drift_check()
        limit = page * per_page
        relaxed = False
        with self.store.lock:
            outcome = self._run(parsed, spec, sort, limit, facets, True)
            if outcome.total == 0 and len(parsed.words) + len(parsed.phrases) > 1:
                outcome = self._run(parsed, spec, sort, limit, facets, False)
                relaxed = outcome.total > 0
            suggestion = None
            if parsed.words:
                suggestion = self._suggester.suggest(self.store, parsed, outcome.total)
        ids = outcome.ids[(page - 1) * per_page : limit]
        result = SearchResult(
            ids=ids,
            total=outcome.total,
            page=page,
            per_page=per_page,
            sort=sort,
            suggestion=suggestion,
            relaxed=relaxed,
            words=[w.text for w in parsed.positive_words()],
            facets=facet_counts(outcome.facets, language) if facets else {},
            distances={i: outcome.distances[i] for i in ids if i in outcome.distances},
        )
        if highlight and ids:
            self._highlight(result, parsed.terms(), parsed.part_terms())
        return result

    def listing_ids(
        self, q: str | None, filters: SearchFilters | None = None, *, limit: int = 10_000
    ) -> list[int]:
        """Ids of the listings the words find under the filters (at most `limit`), best first;
        [] for no words. For callers that combine the text with what the index does not hold."""
        parsed = query.parse(q)
        if parsed.is_empty:
            return []
        spec = compile_filters(filters or SearchFilters())
        self._quiet_drift_check()
        with self.store.lock:
            outcome = self._run(parsed, spec, "relevance", limit, False, True)
            if outcome.total == 0 and len(parsed.words) + len(parsed.phrases) > 1:
                outcome = self._run(parsed, spec, "relevance", limit, False, False)
        return list(outcome.ids[:limit])

    def _run(self, parsed, spec, sort, limit, facets, match_all):
        q = query.plan(parsed, match_all_words=match_all)
        try:
            return engine.run(self.store, q, spec, sort=sort, limit=limit, facets=facets)
        except OSError:
            # A rebuild removed the generation this process was reading: reopen once.
            self.store.close()
            return engine.run(self.store, q, spec, sort=sort, limit=limit, facets=facets)

    def _highlight(self, result: SearchResult, terms: set[str], parts: set[str]) -> None:
        try:
            with self.connection() as conn:
                texts = documents.texts_for_ids(conn, result.ids)
        except sa.exc.SQLAlchemyError:
            log.exception("search: could not read the texts to highlight")
            return
        # Parts of a compound query word (Büro, Stuhl for Bürostuhl) are marked only in
        # listings where the word itself does not occur.
        marks = highlight.PageMarks(terms, parts)
        for i in result.ids:
            found = marks.card(*texts.get(i, ("", "")))
            result.highlights[i], result.snippets[i], result.title_highlights[i] = found

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

    def close(self) -> None:
        self.store.close()
        self.organisations.close()
