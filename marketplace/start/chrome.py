"""The site header and footer of every page, kept per process (core/fragments.py).

Rendering them cost about a quarter of a cached browse page for a signed-in reader (some sixty
translated strings and addresses). The header is the same for every page of one kind (the
endpoint) for one reader with the same counts, except the search box's words and the language
switch's way back to this address: those are slots, filled per request. The reader's CSRF
tokens are the fragments' own slots.
"""

import re

from flask import request
from flask_login import current_user
from markupsafe import Markup, escape

from marketplace.core.fragments import cached_fragment, render_fragment
from marketplace.core.i18n import current_language
from marketplace.core.templating import cached_url_for
from marketplace.search.complete import category_terms
from marketplace.start.header_counts import header_counts

#: Slots of what differs per address (templates escape NUL, input cannot carry it in).
_SLOTS = {"search_value": "\x00q\x00", "here": "\x00here\x00", "language_href": "\x00lang\x00"}
_SLOT_PATTERN = re.compile("|".join(re.escape(slot) for slot in _SLOTS.values()))
_TEMPLATES = {"header": "layout/_header.html", "footer": "layout/_footer.html"}


def site_chrome(part: str, minimal: bool = False) -> Markup:
    """Template global: the header or footer for this request (minimal: the error page's,
    which asks nothing of the database)."""
    user = current_user._get_current_object()  # one context lookup, not one per attribute
    signed_in = not minimal and user.is_authenticated
    counts = header_counts() if signed_in else {}
    language = current_language()
    if part == "footer":
        return cached_fragment(
            "footer",
            lambda: ((language, signed_in, minimal), 1),
            lambda: render_fragment(
                _TEMPLATES["footer"], signed_in=signed_in, minimal_chrome=minimal
            ),
        )
    here = request._get_current_object()
    endpoint = here.endpoint
    kind_arg = here.args.get("kind") if endpoint == "listings.browse" else None
    on_own = bool(
        signed_in
        and endpoint == "pages.organisation"
        and (here.view_args or {}).get("org_id") == user.organisation_id
    )
    reader = (
        (user.id, user.role, user.organisation_id, user.organisation.name) if signed_in else None
    )
    context = {
        "signed_in": signed_in,
        "minimal_chrome": minimal,
        "kind_arg": kind_arg,
        "on_own_organisation": on_own,
        **counts,
    }
    html = cached_fragment(
        "header",
        lambda: (
            (language, minimal, reader, tuple(sorted(counts.items())), endpoint, kind_arg, on_own),
            # the search box's suggestions: category names, which an admin may change
            tuple(category_terms(language)),
        ),
        lambda: render_fragment(_TEMPLATES["header"], **context, **_SLOTS),
    )
    return _fill_slots(html, language, here)


def _fill_slots(html: str, language: str, request) -> Markup:
    here = request.full_path if request.query_string else request.path
    other = "en" if language == "de" else "de"
    values = {
        _SLOTS["search_value"]: request.args.get("q", "")
        if request.endpoint == "listings.browse"
        else "",
        _SLOTS["here"]: here,
        _SLOTS["language_href"]: cached_url_for("pages.language_link", language=other, next=here),
    }
    # One pass, so that a value holding a slot's text is never filled in again.
    return Markup(  # noqa: S704 - a template's escaped output with escaped values in its slots
        _SLOT_PATTERN.sub(lambda found: str(escape(values[found.group(0)])), html)
    )
