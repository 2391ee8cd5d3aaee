"""Full-text search over listings: German and English aware, always in step with the database.

Wiring (listings browse page and GET /api/v1/listings):

    from marketplace.search import SearchFilters, SearchQueryError, search_listings

    result = search_listings(q, SearchFilters(kind=..., category=..., near=(lat, lon)),
                             sort=None, page=1, per_page=20, language="de", facets=True)
    result.ids, result.total, result.highlights[id], result.suggestion, result.facets
"""

from flask import Flask, current_app

from marketplace.search.backend import SearchBackend, WhooshBackend
from marketplace.search.filters import SearchFilters, SearchQueryError
from marketplace.search.results import FacetCount, SearchResult

__all__ = [
    "FacetCount",
    "SearchBackend",
    "SearchFilters",
    "SearchQueryError",
    "SearchResult",
    "WhooshBackend",
    "get_search_backend",
    "init_search",
    "search_listings",
]


def init_search(app: Flask) -> None:
    """Create the app's search backend and make the index follow commits."""
    from marketplace.extensions import db
    from marketplace.search import indexing

    with app.app_context():
        engine = db.engine
    app.extensions["search"] = WhooshBackend(
        app.config["SEARCH_INDEX_DIR"],
        engine,
        drift_interval_s=float(app.config.get("SEARCH_DRIFT_INTERVAL_S", 5.0)),
        drift_margin_s=float(app.config.get("SEARCH_DRIFT_MARGIN_S", 120.0)),
        write_timeout_s=float(app.config.get("SEARCH_WRITE_TIMEOUT_S", 10.0)),
        build_procs=int(app.config.get("SEARCH_BUILD_PROCS", 2)),
    )
    indexing.register()


def get_search_backend() -> SearchBackend:
    return current_app.extensions["search"]


def search_listings(q: str | None, filters: SearchFilters | None = None, **options) -> SearchResult:
    """Search the current app's listings; see WhooshBackend.search for the options."""
    return get_search_backend().search(q, filters, **options)
