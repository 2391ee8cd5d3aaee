"""The listing page, kept per reader until the next write anywhere.

A listing page asked eight statements and rendered the gallery, the facts, the booking month, the
proposal form and the matching panel (5-8 ms) on every view. Its content depends on the listing,
the reader (their organisation's place, favourites, reports, role), the language, the address
(the month shown) and the day; it is kept under the commit stamp (core/kept_reads.py), the
listing index's version and the day, so that any write, in any process, shows at once. The
reader's CSRF tokens are slots (core/fragments.py).
"""

from typing import NamedTuple

from flask import render_template, request
from flask_login import current_user
from markupsafe import Markup

from marketplace.core.fragments import cached_fragment
from marketplace.core.i18n import current_language
from marketplace.core.kept_reads import kept_read, request_stamp
from marketplace.listings.page_cache import page_version
from marketplace.listings.queries import get_listing_for_viewer, listing_finder
from marketplace.listings.services import is_member


class ListingHead(NamedTuple):
    """What the page around the content needs: its title and whether it shows a map."""

    title: str
    has_map: bool


def listing_head(listing) -> ListingHead:
    return ListingHead(listing.title, listing.lat is not None)


def listing_page(listing_id: int) -> tuple[ListingHead, Markup]:
    """(head, content) of the listing page for this request's reader; NotFound when the
    reader may not see the listing."""
    reader = current_user if current_user.is_authenticated else None
    viewer_org = reader.organisation_id if reader else None
    head = kept_read(
        "listing_heads",
        (listing_id, viewer_org),
        lambda: listing_head(get_listing_for_viewer(listing_id, viewer_org)),
    )

    def slot():
        stamp = request_stamp()
        if stamp is None or listing_finder() is None:
            return None, None
        key = (
            listing_id,
            current_language(),
            (reader.id, reader.role, viewer_org) if reader else None,
            request.full_path,
        )
        return key, (stamp, page_version())

    def render() -> str:
        listing = get_listing_for_viewer(listing_id, viewer_org)
        return render_template(
            "listings/_detail_body.html",
            listing=listing,
            is_owner=is_member(reader, listing.organisation_id),
        )

    return head, cached_fragment("listing", slot, render)
