"""Rendered browse and search pages for anonymous visitors, kept per process.

Most visitors of /listings are not signed in and ask for the same few pages (the first page of
offers, a popular search word). Their HTML is kept in a bounded LRU keyed by (full URL,
language) and thrown away as a whole when the listing finder's version changes, which happens
with every committed change of a listing in any process (the search index follows commits),
and when the day changes (listings expire by date). Never cached: signed-in users' pages, pages
with flashed messages, pages that carry a CSRF token, and apps without a finder (nothing tells
when a page went stale).

Visitors who send no cookie of the app are answered from the same cache before Flask dispatches
(core/front_cache.py); the others (an anonymous visitor who chose a language has a session) get
their copy from the view.
"""

from collections.abc import Hashable

from flask import Response, current_app, g, request, session
from flask_login import current_user

from marketplace.core.clock import today
from marketplace.core.front_cache import SHAREABLE
from marketplace.core.i18n import current_language
from marketplace.core.versioned_cache import VersionedCache
from marketplace.listings.queries import listing_finder

#: Pages kept per process when LISTINGS_PAGE_CACHE_SIZE is not configured (0 turns it off).
DEFAULT_SIZE = 256
#: Proxies between the app and the visitor must not hand one visitor's copy to another.
_VARY = "Cookie, Accept-Language"


def page_cache() -> VersionedCache | None:
    """The app's cache of pages, or None when caching is off (size 0, or in tests unless
    LISTINGS_PAGE_CACHE_SIZE is set: tests delete rows behind the index's back)."""
    app = current_app
    size = app.config.get("LISTINGS_PAGE_CACHE_SIZE")
    if size is None:
        size = 0 if app.testing else DEFAULT_SIZE
    cache = app.extensions.get("listings_page_cache")
    if not size:
        return None
    if cache is None or cache.size != size:
        cache = app.extensions["listings_page_cache"] = VersionedCache(int(size))
    return cache


def page_version() -> Hashable:
    return listing_finder().version(), today()


def front_slot() -> tuple[VersionedCache, Hashable] | None:
    """The cache and version for the front layer (core/front_cache.py)."""
    cache = page_cache()
    if cache is None or listing_finder() is None:
        return None
    return cache, page_version()


def _cacheable() -> tuple[VersionedCache, Hashable, Hashable] | None:
    """(cache, key, version) when this request's page may come from or go into the cache.
    Decided before the page is rendered: rendering consumes flashed messages."""
    if request.method != "GET" or "_flashes" in session or current_user.is_authenticated:
        return None
    cache, finder = page_cache(), listing_finder()
    if cache is None or finder is None:
        return None
    key = (request.host, request.full_path, current_language())
    return cache, key, page_version()


def cached_page() -> Response | None:
    """The page for this request if it is in the cache; else None, and remember_page() will
    keep the page about to be rendered if it may."""
    g.page_cache_slot = slot = _cacheable()
    if slot is None or SHAREABLE in request.environ:
        return None  # the front layer looked already and keeps the page itself
    cache, key, version = slot
    html = cache.get(key, version)
    if html is None:
        return None
    return Response(html, mimetype="text/html", headers={"Vary": _VARY})


def remember_page(html: str) -> Response | str:
    """Keep a page just rendered for this request (if cached_page() found it may be kept) and
    mark it shareable for the front layer. A page that carries a CSRF token is personal."""
    slot = g.pop("page_cache_slot", None)
    if slot is None or "csrf_token" in g:
        return html
    if SHAREABLE in request.environ:
        request.environ[SHAREABLE] = True
    else:
        cache, key, version = slot
        cache.put(key, version, html)
    return Response(html, mimetype="text/html", headers={"Vary": _VARY})
