"""PostgresBackend: the SearchBackend protocol over the search documents' tables.

Which listings match is one tsquery against the GIN index; filters, facets, sorts and
distances read the documents' copies of the listing columns, written in the listing's own
transaction (an expiry is a date compared with today, no rewrite). Relevance is ts_rank with
the whoosh field weights (documents.RANK_WEIGHTS); highlights, "did you mean" and completion
use the application's own code on rows read from here.
"""

import logging
from collections.abc import Callable, Iterable

import sqlalchemy as sa

from marketplace.search import documents, drift, searching
from marketplace.search.engine import Outcome
from marketplace.search.filters import SearchFilters
from marketplace.search.organisations import OrganisationResult
from marketplace.search.postgres import sql, writes
from marketplace.search.postgres.documents import match_query
from marketplace.search.postgres.organisations import search_organisations
from marketplace.search.postgres.rebuild import rebuild_documents
from marketplace.search.postgres.related import document_frequencies, related_listings
from marketplace.search.postgres.words import Spellings
from marketplace.search.reads import SessionReads
from marketplace.search.rebuild import RebuildReport
from marketplace.search.related import RelatedQuery, RelatedResult
from marketplace.search.results import SearchResult

log = logging.getLogger(__name__)


class PostgresBackend(SessionReads):
    """Search documents in PostgreSQL, written in the transaction of their rows."""

    name = "postgres"
    #: indexing.py writes documents from the session's flush, not after the commit.
    writes_in_transaction = True

    def __init__(self, engine: sa.Engine, *, build_procs: int = 2):
        self.engine = engine
        self.build_procs = build_procs
        self.spellings = Spellings(self)

    # ---- writing (inside the caller's transaction) -----------------------------------------

    def write_flushed(self, conn, listing_ids, organisation_docs: dict, renamed: set) -> None:
        """Documents of what one flush changed: listings, organisations (snapshots; None for
        deleted ones) and the listings of organisations whose name or district changed."""
        writes.write_organisations(conn, [r for r in organisation_docs.values() if r is not None])
        ids = set(listing_ids)
        if renamed:
            ids |= set(documents.listing_ids_of_organisations(conn, renamed))
        if ids:
            writes.write_listings(conn, ids)

    def write_stale(self, conn) -> int:
        """Re-write what bulk statements left behind (inside their transaction)."""
        return writes.write_listings(conn, writes.stale_ids(conn))

    def committed(self) -> None:
        """A transaction that changed documents committed: cached pages become stale."""
        try:
            with self.engine.connect() as conn:
                conn.execute(sa.text("SELECT nextval('search_version')"))
                conn.commit()
        except sa.exc.SQLAlchemyError:
            log.exception("search: could not advance the search version")

    def index_listings(self, ids: Iterable[int]) -> None:
        """(Re-)index listings from the database, in a transaction of their own."""
        with self.engine.begin() as conn:
            writes.write_listings(conn, ids)
        self.committed()

    def remove_listings(self, ids: Iterable[int]) -> None:
        """Documents go with their rows (ON DELETE CASCADE); this removes them earlier."""
        ids = sorted(set(ids))
        if ids:
            with self.engine.begin() as conn:
                conn.execute(
                    sa.text("DELETE FROM search_listing_documents WHERE listing_id = ANY(:ids)"),
                    {"ids": ids},
                )
            self.committed()

    def index_organisations(self, ids: Iterable[int]) -> None:
        with self.engine.begin() as conn:
            writes.write_organisation_ids(conn, ids)

    def listing_count(self) -> int:
        with self.engine.connect() as conn:
            return documents.listing_total(conn)

    def rebuild(
        self, progress: Callable[[int], None] | None = None, procs: int | None = None
    ) -> RebuildReport:
        """Re-write every document (rebuild.py: batches in worker processes)."""
        report = rebuild_documents(self.engine, procs=procs or self.build_procs, progress=progress)
        self.committed()
        return report

    def clear(self) -> None:
        """Remove every document (tests; the listings stay)."""
        with self.engine.begin() as conn:
            for table in ("search_spellings", "search_listing_documents"):
                conn.execute(sa.text(f"DELETE FROM {table}"))  # noqa: S608 - fixed names
            conn.execute(sa.text("DELETE FROM search_organisation_documents"))
        self.committed()

    # ---- drift: none by construction; check says so -------------------------------------

    def check_drift(self, *, heal: bool = True, force: bool = False) -> drift.DriftReport:
        """Compare the documents with the rows (documents are written in the rows'
        transactions; only writes behind the session's back, raw SQL on another connection,
        can leave one behind) and re-write what differs."""
        with self.engine.begin() as conn:
            db_count = documents.listing_total(conn)
            index_count = conn.execute(
                sa.text("SELECT count(*) FROM search_listing_documents")
            ).scalar_one()
            stale = writes.stale_ids(conn)
            orgs = writes.missing_organisation_ids(conn)
            report = drift.DriftReport(db_count=db_count, index_count=index_count, stale=stale)
            report.checked = db_count
            if heal and (stale or orgs):
                report.healed = writes.write_listings(conn, stale)
                writes.write_organisation_ids(conn, orgs)
        if report.healed:
            self.committed()
        return report

    def request_drift_check(self) -> None:
        """Nothing to do: a failed document write fails its transaction."""

    def version(self, *, check_drift: bool = True) -> tuple:
        """Advances after every commit that changed listings, in any process."""
        with self.engine.connect() as conn:
            value = conn.execute(sa.text("SELECT last_value FROM search_version")).scalar_one()
        return "postgres", int(value)

    # ---- reading --------------------------------------------------------------------------

    def search(
        self, q: str | None, filters: SearchFilters | None = None, **options
    ) -> SearchResult:
        """See SearchBackend.search (sort, page, per_page, language, highlight, facets)."""
        return searching.search(
            self._run, self.spellings.suggest, self._texts, q, filters, **options
        )

    def listing_ids(
        self, q: str | None, filters: SearchFilters | None = None, *, limit: int = 10_000
    ) -> list[int]:
        return searching.listing_ids(self._run, q, filters, limit)

    def facets(self, q, filters=None, language="de"):
        return self.search(q, filters, per_page=1, highlight=False, facets=True).facets

    def _texts(self, ids):
        with self.connection() as conn:
            return documents.texts_for_ids(conn, ids)

    def _run(self, plan, spec, sort, limit, facets) -> Outcome:
        params: dict = {"limit": limit}
        where = [sql.filter_clause(spec, params)]
        text = match_query(plan)
        source, key = sql.FROM_LISTINGS, "l.id"
        if text is not None:
            params["match"] = text
            where.append("l.document @@ CAST(:match AS tsquery)")
            source, key = sql.FROM_DOCUMENTS, "l.listing_id"
        if sql.categories_needed(spec):
            source += sql.WITH_CATEGORIES
        scored = sort == "relevance" and text is not None and plan.scoring
        score = sql.rank_expression(plan.scoring, params) if scored else "0"
        distance = sql.distance_km("l.lat", "l.lon") if spec.near is not None else "NULL"
        order = sql.ORDER[sort if scored or sort != "relevance" else "newest"]
        matches = (
            f"SELECT {key} AS id, l.created_at, l.available_until, l.kind, l.district, "
            f"l.category_id, {distance} AS distance, {score} AS score {source} "
            f"WHERE {' AND '.join(where)}"
        )
        with self.connection() as conn:
            rows = conn.execute(sa.text(sql.page_statement(matches, order, facets)), params).all()
        return sql.outcome(rows, facets, spec.near is not None)

    def suggest(self, q: str | None) -> str | None:
        from marketplace.search import query

        parsed = query.parse(q)
        return self.spellings.suggest(parsed, 0) if parsed.words else None

    def complete(self, q: str | None) -> list[str]:
        return self.spellings.complete(q)

    def search_organisations(self, q: str | None, **options) -> OrganisationResult:
        """See SearchBackend.search_organisations (kind, district, page, per_page)."""
        with self.connection() as conn:
            return search_organisations(conn, q, **options)

    def organisation_ids(self, q: str | None, *, limit: int = 10_000) -> list[int]:
        from marketplace.search.postgres.organisations import organisation_ids

        with self.connection() as conn:
            return organisation_ids(conn, q, limit=limit)

    def related(self, query: RelatedQuery) -> RelatedResult:
        with self.connection() as conn:
            return related_listings(conn, query)

    def term_frequencies(self, terms: Iterable[str]) -> tuple[int, dict[str, int]]:
        with self.connection() as conn:
            return document_frequencies(conn, terms)

    def close(self) -> None:
        pass
