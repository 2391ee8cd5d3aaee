"""Full-text search over listings: German and English aware, always in step with the database.

Wiring (listings browse page and GET /api/v1/listings):

    from marketplace.search import SearchFilters, SearchQueryError, search_listings

    result = search_listings(q, SearchFilters(kind=..., category=..., near=(lat, lon)),
                             sort=None, page=1, per_page=20, language="de", facets=True)
    result.ids, result.total, result.highlights[id], result.suggestion, result.facets
"""

import logging

from flask import Flask, current_app

from marketplace.core.errors import ValidationFailed
from marketplace.search.backend import SearchBackend, WhooshBackend
from marketplace.search.filters import SearchFilters, SearchQueryError
from marketplace.search.organisations import OrganisationResult
from marketplace.search.related import RelatedQuery, RelatedResult
from marketplace.search.results import FacetCount, SearchResult

log = logging.getLogger(__name__)

__all__ = [
    "FacetCount",
    "OrganisationResult",
    "RelatedQuery",
    "RelatedResult",
    "SearchBackend",
    "SearchFilters",
    "SearchQueryError",
    "SearchResult",
    "WhooshBackend",
    "complete_search_words",
    "find_related_listings",
    "get_search_backend",
    "term_frequencies",
    "init_search",
    "search_listings",
    "search_organisations",
    "organisation_ids_matching",
    "listing_ids_matching",
]


def init_search(app: Flask) -> None:
    """Create the configured search backend and make it follow the database."""
    from marketplace.config import check_search_backend
    from marketplace.extensions import db
    from marketplace.search import indexing

    name = check_search_backend(app.config)
    with app.app_context():
        engine = db.engine
    if name == "postgres":
        from marketplace.search.postgres import PostgresBackend

        backend = PostgresBackend(engine, build_procs=int(app.config.get("SEARCH_BUILD_PROCS", 2)))
    else:
        backend = WhooshBackend(
            app.config["SEARCH_INDEX_DIR"],
            engine,
            drift_interval_s=float(app.config.get("SEARCH_DRIFT_INTERVAL_S", 5.0)),
            drift_margin_s=float(app.config.get("SEARCH_DRIFT_MARGIN_S", 120.0)),
            write_timeout_s=float(app.config.get("SEARCH_WRITE_TIMEOUT_S", 10.0)),
            build_procs=int(app.config.get("SEARCH_BUILD_PROCS", 2)),
        )
    app.extensions["search"] = backend
    indexing.register()
    app.extensions["listing_search"] = ListingFinder()


class ListingFinder:
    """The search as browse and search pages use it (app.extensions["listing_search"], see
    listings.queries.ListingFinder: listings never imports search)."""

    def find(
        self,
        filters,
        page,
        *,
        viewer_organisation_id: int | None = None,
        language: str = "de",
        highlight: bool = True,
        facets: bool = False,
    ) -> SearchResult:
        """Listings matching a ListingFilters (read by attribute); ValidationFailed for values
        the search does not accept."""
        try:
            return search_listings(
                filters.q,
                SearchFilters.from_listing_filters(
                    filters, viewer_organisation_id=viewer_organisation_id
                ),
                sort=filters.sort,
                page=page.page,
                per_page=page.per_page,
                language=language,
                highlight=highlight,
                facets=facets,
            )
        except SearchQueryError as error:
            raise ValidationFailed({error.field: [str(error.message)]}) from None

    def version(self) -> tuple:
        """(generation, commit number) of the index: it changes with every change of a listing
        in any process, since the index follows commits. Runs the periodic drift check first
        (pages served from a cache search nothing), so that what a crash left behind is healed
        and shows as a new version."""
        return self._version(check_drift=True)

    def current_version(self) -> tuple:
        """version() without the drift check: for callers inside a commit's aftermath (the
        alerts after a new listing), where a check would use up a heal that is still due."""
        return self._version(check_drift=False)

    def _version(self, *, check_drift: bool) -> tuple:
        try:
            return get_search_backend().version(check_drift=check_drift)
        except Exception:
            log.exception("search: could not read the index version")
            return ("unknown", object())  # equal to no other version: nothing is served stale

    def heal(self) -> None:
        try:
            get_search_backend().check_drift(force=True)
        except Exception:
            log.exception("search: drift check failed")


def get_search_backend() -> SearchBackend:
    return current_app.extensions["search"]


def search_listings(q: str | None, filters: SearchFilters | None = None, **options) -> SearchResult:
    """Search the current app's listings; see WhooshBackend.search for the options."""
    return get_search_backend().search(q, filters, **options)


def complete_search_words(q: str | None) -> list[str]:
    """Completions of the search box's text (its last word), at most eight, most found first."""
    return get_search_backend().complete(q)


def search_organisations(
    q: str | None,
    kind: str | None = None,
    district: str | None = None,
    page: int = 1,
    per_page: int = 20,
) -> OrganisationResult:
    """Organisations for the directory: ids in order (relevance with q, else by name) and the
    total; SearchQueryError for an unknown kind or paging values out of range."""
    return get_search_backend().search_organisations(
        q, kind=kind, district=district, page=page, per_page=per_page
    )


def organisation_ids_matching(q: str | None, limit: int = 10_000) -> list[int]:
    """Ids of the organisations the words find, best first ([] for no words); SearchQueryError
    for a query that cannot be searched."""
    return get_search_backend().organisation_ids(q, limit=limit)


def listing_ids_matching(
    q: str | None, filters: SearchFilters | None = None, limit: int = 10_000
) -> list[int]:
    """Ids of the listings the words find under the filters, best first ([] for no words)."""
    return get_search_backend().listing_ids(q, filters, limit=limit)


def find_related_listings(query: RelatedQuery) -> "RelatedResult":
    """Matching's candidates: listing id -> BM25 text score (0.0: found by category only), and
    the score of an ideal text match."""
    return get_search_backend().related(query)


def term_frequencies(terms) -> tuple[int, dict[str, int]]:
    """The number of indexed listings, and how many of them hold each index term."""
    return get_search_backend().term_frequencies(terms)
