"""Reads of listings for the web pages and the API: browse and search, one listing, an
organisation's listings. Withdrawn listings are visible only to their own organisation.

Browse and search go through the app's listing finder when one is registered (the search
feature registers it as app.extensions["listing_search"]; listings never imports search), and
through SQL (listings/sql_search.py) in an app without one."""

import logging
from collections.abc import Hashable, Iterable
from typing import Any, Protocol

from flask import current_app
from sqlalchemy import or_, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import selectinload

from marketplace.core.clock import today
from marketplace.core.errors import NotFound, ValidationFailed
from marketplace.core.geo import haversine_km
from marketplace.core.i18n import current_language
from marketplace.core.pagination import PageRequest
from marketplace.extensions import db
from marketplace.listings.filters import ListingFilters
from marketplace.listings.hits import ListingHit, ListingPage, load_visible, visible_to
from marketplace.listings.liveness import effective_status_is, status_on
from marketplace.listings.models import OWNER_ONLY_STATUSES, STATUSES, Listing, Photo
from marketplace.listings.photos import photo_filename_for
from marketplace.listings.sql_search import list_listings_sql
from marketplace.orgs.models import Organisation

log = logging.getLogger(__name__)
#: Key of the listing finder in app.extensions.
FINDER_KEY = "listing_search"


class ListingFinder(Protocol):
    """What browse and search need from a full-text engine (registered by the search feature
    as app.extensions["listing_search"]). Invalid filter values raise ValidationFailed."""

    def find(
        self,
        filters: "ListingFilters",
        page: PageRequest,
        *,
        viewer_organisation_id: int | None,
        language: str,
        highlight: bool,
        facets: bool,
    ) -> Any:
        """An object with ids (in order), total, page, per_page, highlights, title_highlights,
        distances, suggestion, relaxed and facets."""

    def version(self) -> Hashable:
        """Changes whenever a listing changed (in any process): pages built before are stale."""

    def heal(self) -> None:
        """The finder named listings the database does not have: bring it in step."""


def listing_finder() -> ListingFinder | None:
    return current_app.extensions.get(FINDER_KEY)


def list_listings(
    filters: ListingFilters,
    page: PageRequest,
    *,
    viewer_organisation_id: int | None = None,
    facets: bool = False,
) -> ListingPage:
    """One page of listings matching the filters, as ListingHits; with the app's listing finder
    when there is one (full-text search, facets, suggestions), else with SQL. Raises
    ValidationFailed for filter values the finder does not accept."""
    finder = listing_finder()
    if finder is None:
        return list_listings_sql(filters, page, viewer_organisation_id)
    for attempt in range(2):
        try:
            found = finder.find(
                filters,
                page,
                viewer_organisation_id=viewer_organisation_id,
                language=current_language(),
                highlight=bool(filters.q),
                facets=facets,
            )
        except (ValidationFailed, SQLAlchemyError):
            raise
        except Exception:
            # A broken index must not take the pages down: the database can still answer.
            log.exception("listing search failed; searching with SQL instead")
            return list_listings_sql(filters, page, viewer_organisation_id)
        rows = load_visible(found.ids, viewer_organisation_id)
        if attempt or len(rows) == len(found.ids):
            break
        # The index named listings the database does not have (or not for this viewer): it
        # drifted. Bring it in step and ask again rather than show a short page.
        finder.heal()
    hits = [
        ListingHit(
            listing=rows[i][0],
            distance_km=found.distances.get(i),
            highlight=found.highlights.get(i),
            title_highlight=found.title_highlights.get(i),
            photo_filename=rows[i][1] or "",
            snippet=getattr(found, "snippets", {}).get(i),
        )
        for i in found.ids
        if i in rows
    ]
    return ListingPage(
        items=hits,
        total=int(found.total),
        page=found.page,
        per_page=found.per_page,
        suggestion=found.suggestion,
        relaxed=bool(found.relaxed),
        facets=dict(found.facets or {}),
    )


def _organisation_id(organisation: Organisation | int | None) -> int | None:
    if organisation is None:
        return None
    return organisation if isinstance(organisation, int) else organisation.id


def viewer_home(user) -> tuple[str, tuple[float, float]] | None:
    """A signed-in person's default location: their organisation's main place (postcode and
    its coordinates), or None."""
    organisation = (
        getattr(user, "organisation", None) if getattr(user, "is_authenticated", False) else None
    )
    if organisation is None or organisation.lat is None or organisation.lon is None:
        return None
    return organisation.postcode, (organisation.lat, organisation.lon)


def distance_from_viewer(listing: Listing) -> float | None:
    """km from the signed-in viewer's organisation to the listing (one decimal), or None."""
    from flask_login import current_user

    home = viewer_home(current_user)
    if home is None or listing.lat is None or listing.lon is None:
        return None
    return round(haversine_km(*home[1], listing.lat, listing.lon), 1)


def get_listing_for_viewer(listing_id: int, organisation: Organisation | int | None) -> Listing:
    """The listing if the viewer (an organisation, or None for the public) may see it, else NotFound."""
    listing = db.session.get(Listing, listing_id, options=[selectinload(Listing.photos)])
    viewer = _organisation_id(organisation)
    if listing is None or (
        listing.status in OWNER_ONLY_STATUSES and listing.organisation_id != viewer
    ):
        raise NotFound()
    return listing


def latest_listings(kind: str, limit: int = 6) -> list[Listing]:
    """The newest open listings of one kind (home page)."""
    statement = (
        select(Listing)
        .where(Listing.kind == kind, effective_status_is("open"))
        .options(selectinload(Listing.photos))
        .order_by(Listing.created_at.desc(), Listing.id.desc())
        .limit(limit)
    )
    return list(db.session.execute(statement).unique().scalars())


def list_organisation_listings(
    org_id: int,
    statuses: Iterable[str] | None = None,
    *,
    viewer_organisation_id: int | None = None,
) -> list[Listing]:
    """An organisation's listings in the given (effective) statuses, newest first; withdrawn ones
    only when the viewer is that organisation."""
    wanted = list(statuses) if statuses is not None else list(STATUSES)
    statement = (
        select(Listing)
        .where(
            Listing.organisation_id == org_id,
            visible_to(viewer_organisation_id),
            or_(*(effective_status_is(status) for status in wanted)),
        )
        .options(selectinload(Listing.photos))
        .order_by(Listing.created_at.desc(), Listing.id.desc())
    )
    return list(db.session.execute(statement).unique().scalars())


def count_organisation_listings_by_status(org_id: int) -> dict[str, int]:
    """{effective status: count} for the organisation's own overview (all statuses present)."""
    counts = dict.fromkeys(STATUSES, 0)
    rows = db.session.execute(
        select(Listing.status, Listing.available_until).where(Listing.organisation_id == org_id)
    )
    on = today()
    for status, available_until in rows:
        shown = status_on(status, available_until, on)
        counts[shown] = counts.get(shown, 0) + 1
    return counts


def get_photo_for_viewer(name: str, organisation: Organisation | int | None) -> Photo:
    """The photo a served file name belongs to, if the viewer may see its listing."""
    filename = photo_filename_for(name)
    if filename is None:
        raise NotFound()
    photo = db.session.execute(select(Photo).where(Photo.filename == filename)).scalar_one_or_none()
    if photo is None:
        raise NotFound()
    get_listing_for_viewer(photo.listing_id, organisation)
    return photo
