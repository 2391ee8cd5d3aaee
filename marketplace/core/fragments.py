"""Rendered parts of pages, kept per process under the version of the data they show.

A list page's results (the search or the listings query, twenty cards, the facets and the filter
form) cost 4-6 ms to build and are the same for every reader with the same view of the data; the
header around them is each reader's own and cheap. A fragment is kept under its key (everything
of the reader it depends on) and a version of its data that changes with every commit in any
process, so that nothing stale is served. The reader's CSRF token is kept as a placeholder and
put back per request. Off in tests unless FRAGMENT_CACHE_SIZE is set (tests change rows behind
the versions' back); 0 turns it off.
"""

from collections.abc import Callable, Hashable

from flask import current_app, g, request, session
from flask_login import current_user
from markupsafe import Markup

from marketplace.core.csrf_tokens import kept_csrf_token
from marketplace.core.versioned_cache import VersionedCache, app_cache

#: Fragments kept per kind and process when FRAGMENT_CACHE_SIZE is not configured.
DEFAULT_SIZE = 512
#: Stands for the reader's CSRF token in kept fragments (templates escape NUL, input cannot).
_CSRF_SLOT = "\x00csrf-token\x00"


def cached_fragment(
    kind: str, slot: Callable[[], tuple[Hashable, Hashable | None]], render: Callable[[], str]
) -> Markup:
    """The fragment `kind`, rendered by `render()` when not kept. `slot()` gives its key and
    the version of its data (None: nothing would tell when it went stale, so it is rendered);
    it is asked only while the cache is on, since reading a version may cost a query."""
    cache = _cache(kind)
    key, version = slot() if cache is not None else (None, None)
    if cache is None or version is None:
        return Markup(render())  # noqa: S704 - a template's escaped output
    html = cache.get(key, version)
    if html is None:
        html = render()
        token = g.get("csrf_token")
        cache.put(key, version, html.replace(token, _CSRF_SLOT) if token else html)
        return Markup(html)  # noqa: S704 - a template's escaped output
    if _CSRF_SLOT in html:
        html = html.replace(_CSRF_SLOT, kept_csrf_token())
    return Markup(html)  # noqa: S704 - a template's escaped output, the token is hex


def render_fragment(template: str, **context) -> str:
    """A template without the page around it: only Flask's and Flask-Login's context (the
    context processors of whole pages, such as the header's counts, are not run again)."""
    context.update(
        request=request, session=session, g=g, config=current_app.config, current_user=current_user
    )
    return current_app.jinja_env.get_template(template).render(context)


def _cache(kind: str) -> VersionedCache | None:
    app = current_app._get_current_object()  # one context lookup, not one per attribute
    return app_cache(app, "fragment_caches", "FRAGMENT_CACHE_SIZE", DEFAULT_SIZE, kind)
