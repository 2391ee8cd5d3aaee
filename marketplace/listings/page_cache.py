"""Rendered browse and search pages for anonymous visitors, kept per process.

Most visitors of /listings are not signed in and ask for the same few pages (the first page of
offers, a popular search word). Their HTML is kept in a bounded LRU keyed by (full URL,
language) and thrown away as a whole when the listing finder's version changes, which happens
with every committed change of a listing in any process (the search index follows commits),
and when the day changes (listings expire by date). Never cached: signed-in users' pages, pages
with flashed messages, and apps without a finder (nothing tells when a page went stale).

A page carries the visitor's CSRF token (the language switch posts a form): it is stored with a
placeholder in its place and the visitor's own token is put in when the page is served.
"""

import threading
from collections import OrderedDict
from collections.abc import Hashable

from flask import Response, current_app, g, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from marketplace.core.clock import today
from marketplace.core.i18n import current_language
from marketplace.listings.queries import listing_finder

#: Pages kept per process when LISTINGS_PAGE_CACHE_SIZE is not configured (0 turns it off).
DEFAULT_SIZE = 256
#: Stands for the CSRF token in kept pages; input can never produce it (templates escape "<").
_CSRF_SLOT = "<csrf-token>"


class PageCache:
    """A thread-safe LRU of rendered pages that is emptied when the version changes."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._pages: OrderedDict[Hashable, str] = OrderedDict()
        self._version: Hashable = None
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: Hashable, version: Hashable) -> str | None:
        with self._lock:
            if version != self._version:
                self._pages.clear()
                self._version = version
            html = self._pages.get(key)
            if html is None:
                self.misses += 1
                return None
            self._pages.move_to_end(key)
            self.hits += 1
            return html

    def put(self, key: Hashable, version: Hashable, html: str) -> None:
        with self._lock:
            if version != self._version:
                return  # listings changed while the page was built
            self._pages[key] = html
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self._version = None
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._pages)


def page_cache() -> PageCache | None:
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
        cache = app.extensions["listings_page_cache"] = PageCache(int(size))
    return cache


def _cacheable() -> tuple[PageCache, Hashable, Hashable] | None:
    """(cache, key, version) when this request's page may come from or go into the cache.
    Decided before the page is rendered: rendering consumes flashed messages."""
    if request.method != "GET" or "_flashes" in session or current_user.is_authenticated:
        return None
    cache, finder = page_cache(), listing_finder()
    if cache is None or finder is None:
        return None
    key = (request.host, request.full_path, current_language())
    return cache, key, (finder.version(), today())


def cached_page() -> Response | None:
    """The page for this request if it is in the cache, with the visitor's CSRF token; else
    None, and remember_page() will keep the page about to be rendered if it may."""
    g.page_cache_slot = slot = _cacheable()
    if slot is None:
        return None
    cache, key, version = slot
    html = cache.get(key, version)
    if html is None:
        return None
    return Response(html.replace(_CSRF_SLOT, generate_csrf()), mimetype="text/html")


def remember_page(html: str) -> str:
    """Keep a page just rendered for this request (if cached_page() found it may be kept)."""
    slot = g.pop("page_cache_slot", None)
    if slot is not None:
        cache, key, version = slot
        cache.put(key, version, html.replace(generate_csrf(), _CSRF_SLOT))
    return html
