"""What a result list shows of listings: hits with their distance and marked words, and the
page of them; which listings a viewer may see at all (withdrawn and hidden ones only their own
organisation)."""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from markupsafe import Markup, escape
from sqlalchemy import or_, select
from sqlalchemy.sql.elements import ColumnElement

from marketplace.core.pagination import Page
from marketplace.extensions import db
from marketplace.listings.models import OWNER_ONLY_STATUSES, Listing, Photo


@dataclass
class ListingHit:
    """One listing in a result list, with what the search adds: its distance from `near`, a
    snippet with the hits marked (`highlight`) and the title with the hits marked."""

    listing: Listing
    distance_km: float | None = None
    highlight: Markup | None = None
    title_highlight: Markup | None = None
    #: File name of the listing's first photo ("" when it has none), loaded with the listing.
    photo_filename: str = ""
    #: Description text around the hits (its beginning when only the title has them), marked.
    snippet: Markup | None = None


@dataclass(frozen=True)
class ListingPage(Page):
    """A page of ListingHits plus what a search found out on the way."""

    #: A corrected query when little was found ("Palleten" -> "Paletten").
    suggestion: str | None = None
    #: No listing had every word: listings with any of them are shown.
    relaxed: bool = False
    #: "category", "kind", "district" -> [(value, count, label)], largest first (when asked).
    facets: dict[str, list] = field(default_factory=dict)


def visible_to(viewer_organisation_id: int | None) -> ColumnElement[bool]:
    """Withdrawn and hidden listings are visible only to the organisation that posted them."""
    if viewer_organisation_id is None:
        return Listing.status.not_in(OWNER_ONLY_STATUSES)
    return or_(
        Listing.status.not_in(OWNER_ONLY_STATUSES),
        Listing.organisation_id == viewer_organisation_id,
    )


def load_visible(
    ids: list[int], viewer_organisation_id: int | None
) -> dict[int, tuple[Listing, str | None]]:
    """{id: (listing with category and organisation, file name of its first photo)} in one
    query; only listings the viewer may see, whatever the index said."""
    if not ids:
        return {}
    first_photo = (
        select(Photo.filename)
        .where(Photo.listing_id == Listing.id)
        .order_by(Photo.position, Photo.id)
        .limit(1)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(Listing, first_photo).where(Listing.id.in_(ids), visible_to(viewer_organisation_id))
    )
    return {listing.id: (listing, photo) for listing, photo in rows}


def highlight(text: str, terms: Iterable[str]) -> Markup:
    """The text HTML-escaped, with <mark> around case-insensitive occurrences of the terms."""
    terms = [t for t in terms if t]
    if not terms:
        return escape(text)
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.I)
    parts, last = [], 0
    for match in pattern.finditer(text):
        parts.append(escape(text[last : match.start()]))
        parts.append(Markup("<mark>%s</mark>") % match.group(0))
        last = match.end()
    parts.append(escape(text[last:]))
    return Markup("").join(parts)
