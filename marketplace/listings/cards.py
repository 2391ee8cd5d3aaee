"""Listing cards, rendered once per listing state and kept per process.

A card was the costliest part of every list page (0.4-0.8 ms each, 20 on a browse page, also on
home, start, organisation pages and favourites). Its markup is a pure function of the listing's
fields, the day (expiry), the reader's locale and the few arguments: the macro in
templates/listings/_card.html renders it, and the result is kept under a key made of exactly
those inputs, so an edited, claimed or expired listing can never show an old card. Search
results differ only in the marked title and the snippet: the card is kept with slots for them,
so that a query never seen before still finds its cards ready.
"""

import threading

from cachetools import LRUCache
from flask import current_app, request
from flask_babel import get_locale
from markupsafe import Markup, escape

from marketplace.core.clock import today
from marketplace.ledger.services import get_currency
from marketplace.listings.queries import distance_from_viewer

#: Cards kept per process: about 2 KB each.
CARD_CACHE_SIZE = 4096
_TITLE_SLOT = Markup("\x00title\x00")
_SNIPPET_SLOT = Markup("\x00snippet\x00")
_SNIPPET_PARAGRAPH = f'<p class="card-snippet">{_SNIPPET_SLOT}</p>'

_cards: LRUCache = LRUCache(CARD_CACHE_SIZE)
_lock = threading.Lock()


def listing_card(
    listing,
    distance_km=None,
    highlight=None,
    snippet=None,
    photo_filename=None,
    show_organisation=True,
    heading="h3",
) -> Markup:
    """The card of `listing`; `highlight` (the marked title) and `snippet` from a search hit,
    `photo_filename` when the caller loaded the first photo's name ("" for none)."""
    if distance_km is None:
        distance_km = distance_from_viewer(listing)
    if photo_filename is None:
        photo_filename = listing.photos[0].filename if listing.photos else ""
    key = _card_key(listing, distance_km, photo_filename, show_organisation, heading)
    with _lock:
        html = _cards.get(key)
    if html is None:
        macro = current_app.jinja_env.get_template("listings/_card.html").module.listing_card_markup
        html = str(
            macro(
                listing,
                distance_km=distance_km,
                highlight=_TITLE_SLOT,
                snippet=_SNIPPET_SLOT,
                photo_filename=photo_filename,
                show_organisation=show_organisation,
                heading=heading,
            )
        )
        with _lock:
            _cards[key] = html
    html = html.replace(_TITLE_SLOT, escape(highlight) if highlight else escape(listing.title))
    html = (
        html.replace(_SNIPPET_SLOT, escape(snippet))
        if snippet
        else html.replace(_SNIPPET_PARAGRAPH, "")
    )
    return Markup(html)  # noqa: S704 - the macro's escaped output, the slots escaped above


def _card_key(listing, distance_km, photo_filename, show_organisation, heading) -> tuple:
    """Every input of the card's markup (templates/listings/_card.html reads no others)."""
    category = listing.category
    return (
        str(get_locale()),
        today(),
        request.script_root,
        get_currency(),
        listing.id,
        listing.kind,
        listing.mode,
        listing.status,
        listing.available_until,
        listing.title,
        listing.quantity,
        listing.quantity_remaining,
        listing.unit,
        listing.price_eur,
        listing.price_local,
        category.slug if category else None,
        listing.organisation_id,
        listing.organisation.name if show_organisation else None,
        listing.district,
        distance_km,
        photo_filename,
        show_organisation,
        heading,
    )


def clear_cards() -> None:
    with _lock:
        _cards.clear()
