"""Reads of listings for the web pages and the API: browse and search, one listing, an
organisation's listings. Withdrawn listings are visible only to their own organisation.

Browse and search go through the app's listing finder when one is registered (the search
feature registers it as app.extensions["listing_search"]; listings never imports search), and
through SQL (LIKE for `q`) in an app without one."""

import logging
import re
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from flask import current_app
from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import selectinload
from sqlalchemy.sql.elements import ColumnElement

from marketplace.categories.models import RESOURCE_TYPES, Category
from marketplace.categories.queries import category_ids_with_descendants, get_category_by_slug
from marketplace.core.clock import today
from marketplace.core.errors import NotFound, ValidationFailed
from marketplace.core.geo import (
    box_around,
    haversine_km,
    parse_radius_km,
    postcode_coordinates,
)
from marketplace.core.i18n import current_language
from marketplace.core.pagination import Page, PageRequest
from marketplace.core.params import printable
from marketplace.extensions import db
from marketplace.listings.liveness import effective_status_is, status_on
from marketplace.listings.models import KINDS, OWNER_ONLY_STATUSES, STATUSES, Listing, Photo
from marketplace.listings.photos import photo_filename_for
from marketplace.orgs.models import Organisation

log = logging.getLogger(__name__)

SORTS = ("newest", "nearest", "relevance", "ending_soon")
DEFAULT_RADIUS_KM = 25.0
MAX_QUERY_LENGTH = 200
MAX_QUERY_TERMS = 8
#: Key of the listing finder in app.extensions.
FINDER_KEY = "listing_search"


@dataclass(frozen=True)
class ListingFilters:
    """What a browse page or GET /api/v1/listings asks for; parsed from query arguments."""

    q: str | None = None
    kind: str | None = None
    category: str | None = None
    resource_type: str | None = None
    status: str = "open"
    organisation_id: int | None = None
    district: str | None = None
    near: str | None = None
    radius_km: float | None = None
    sort: str = "newest"
    #: `near` is the viewer's own organisation's postcode, not one they typed.
    near_is_home: bool = False

    @property
    def terms(self) -> list[str]:
        return (self.q or "").split()[:MAX_QUERY_TERMS]

    @property
    def near_point(self) -> tuple[float, float] | None:
        return postcode_coordinates(self.near) if self.near else None

    @property
    def effective_radius_km(self) -> float:
        return self.radius_km or DEFAULT_RADIUS_KM

    def args(self) -> dict[str, str]:
        """Back to query arguments (non-default ones), for links such as pagination."""
        out = {}
        for name in ("q", "kind", "category", "resource_type", "district", "near"):
            if getattr(self, name):
                out[name] = getattr(self, name)
        if self.status != "open":
            out["status"] = self.status
        if self.organisation_id:
            out["organisation_id"] = str(self.organisation_id)
        if self.near and self.radius_km:
            out["radius_km"] = f"{self.radius_km:g}"
        if self.sort != _default_sort(self.q, self.near):
            out["sort"] = self.sort
        return out


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


def _default_sort(q: str | None, near: str | None) -> str:
    if q:
        return "relevance"
    return "nearest" if near else "newest"


def parse_listing_filters(
    args: Mapping[str, str], *, home_postcode: str | None = None
) -> tuple[ListingFilters, dict[str, list[str]]]:
    """Read filters from query arguments; invalid values are left out and reported per argument
    (the API answers 422 with them, the browse page shows them). `home_postcode`, the signed-in
    viewer's organisation's, stands in for `near` when sorting by distance without one."""
    errors: dict[str, list[str]] = {}
    values: dict = {}

    def text(name: str, limit: int) -> str | None:
        value = printable(args.get(name) or "").strip()
        if len(value) > limit:
            errors.setdefault(name, []).append(_("At most %(max)d characters.", max=limit))
            return None
        return value or None

    def choice(name: str, allowed) -> str | None:
        value = (args.get(name) or "").strip()
        if value and value not in allowed:
            errors.setdefault(name, []).append(
                _("Must be one of: %(choices)s.", choices=", ".join(allowed))
            )
            return None
        return value or None

    values["q"] = text("q", MAX_QUERY_LENGTH)
    values["kind"] = choice("kind", tuple(KINDS))
    values["resource_type"] = choice("resource_type", RESOURCE_TYPES)
    values["status"] = choice("status", tuple(STATUSES)) or "open"
    values["district"] = text("district", 120)
    slug = text("category", 60)
    if slug and get_category_by_slug(slug) is None:
        errors.setdefault("category", []).append(_("Unknown category."))
        slug = None
    values["category"] = slug
    organisation_id = (args.get("organisation_id") or "").strip()
    if organisation_id:
        if organisation_id.isdigit() and 0 < int(organisation_id) < 2**31:
            values["organisation_id"] = int(organisation_id)
        else:
            errors.setdefault("organisation_id", []).append(_("Must be a positive whole number."))
    near = text("near", 5)
    if near and postcode_coordinates(near) is None:
        errors.setdefault("near", []).append(_("Unknown postcode."))
        near = None
    values["near"] = near
    radius_km, problem = parse_radius_km(args.get("radius_km"))
    if problem:
        errors.setdefault("radius_km", []).append(problem)
    elif radius_km is not None:
        values["radius_km"] = radius_km
    sort = choice("sort", SORTS)
    if sort == "nearest" and not near and "near" not in errors and home_postcode:
        near = values["near"] = home_postcode
        values["near_is_home"] = True
    if sort == "nearest" and not near:
        if "near" not in errors:
            errors.setdefault("sort", []).append(_("Sorting by distance needs a postcode (near)."))
        sort = None
    values["sort"] = sort or _default_sort(values["q"], near)
    return ListingFilters(**values), errors


def _like(term: str) -> str:
    return "%" + re.sub(r"([\\%_])", r"\\\1", term) + "%"


def _term_matches(term: str) -> ColumnElement[bool]:
    """A term in the title, description, category name or organisation name (LIKE for now; a
    full-text engine replaces this function's callers' results later)."""
    pattern = _like(term)
    return or_(
        Listing.title.ilike(pattern, escape="\\"),
        Listing.description.ilike(pattern, escape="\\"),
        Listing.category_id.in_(
            select(Category.id).where(
                or_(
                    Category.name_de.ilike(pattern, escape="\\"),
                    Category.name_en.ilike(pattern, escape="\\"),
                )
            )
        ),
        Listing.organisation_id.in_(
            select(Organisation.id).where(Organisation.name.ilike(pattern, escape="\\"))
        ),
    )


def visible_to(viewer_organisation_id: int | None) -> ColumnElement[bool]:
    """Withdrawn and hidden listings are visible only to the organisation that posted them."""
    if viewer_organisation_id is None:
        return Listing.status.not_in(OWNER_ONLY_STATUSES)
    return or_(
        Listing.status.not_in(OWNER_ONLY_STATUSES),
        Listing.organisation_id == viewer_organisation_id,
    )


def _conditions(
    filters: ListingFilters, viewer_organisation_id: int | None, on: date
) -> list[ColumnElement[bool]]:
    conditions = [visible_to(viewer_organisation_id), effective_status_is(filters.status, on)]
    if filters.kind:
        conditions.append(Listing.kind == filters.kind)
    if filters.category:
        category = get_category_by_slug(filters.category)
        ids = category_ids_with_descendants(category) if category else []
        conditions.append(Listing.category_id.in_(ids))
    if filters.resource_type:
        conditions.append(
            Listing.category_id.in_(
                select(Category.id).where(Category.resource_type == filters.resource_type)
            )
        )
    if filters.organisation_id:
        conditions.append(Listing.organisation_id == filters.organisation_id)
    if filters.district:
        conditions.append(func.lower(Listing.district) == filters.district.lower())
    conditions.extend(_term_matches(term) for term in filters.terms)
    point = filters.near_point
    if point is not None:
        conditions.extend(_bounding_box(point, filters.effective_radius_km))
    return conditions


def _bounding_box(point: tuple[float, float], radius_km: float) -> list[ColumnElement[bool]]:
    """A cheap SQL prefilter; the exact (haversine) distance is checked afterwards."""
    west, south, east, north = box_around(point, radius_km)
    return [
        Listing.lat.is_not(None),
        Listing.lon.is_not(None),
        Listing.lat.between(south, north),
        Listing.lon.between(west, east),
    ]


def _order(filters: ListingFilters) -> list:
    newest = [Listing.created_at.desc(), Listing.id.desc()]
    if filters.sort == "ending_soon":
        return [
            case((Listing.available_until.is_(None), 1), else_=0),
            Listing.available_until.asc(),
            *newest,
        ]
    if filters.sort == "relevance" and filters.terms:
        # Listings with every term in the title first; a search engine ranks properly later.
        in_title = [Listing.title.ilike(_like(t), escape="\\") for t in filters.terms]
        return [case((and_(*in_title), 0), else_=1), *newest]
    return newest


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
        return _list_listings_sql(filters, page, viewer_organisation_id)
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
            return _list_listings_sql(filters, page, viewer_organisation_id)
        rows = _load(found.ids, viewer_organisation_id)
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


def _list_listings_sql(
    filters: ListingFilters, page: PageRequest, viewer_organisation_id: int | None
) -> ListingPage:
    """The same without a search engine: SQL, with LIKE for the words of `q`."""
    on = today()
    conditions = _conditions(filters, viewer_organisation_id, on)
    point = filters.near_point
    if point is not None:
        ids, total, distances = _ids_within_radius(filters, conditions, point, page)
    else:
        total = db.session.execute(select(func.count(Listing.id)).where(*conditions)).scalar_one()
        ids = list(
            db.session.execute(
                select(Listing.id)
                .where(*conditions)
                .order_by(*_order(filters))
                .offset(page.offset)
                .limit(page.per_page)
            ).scalars()
        )
        distances = {}
    rows = _load(ids, viewer_organisation_id)
    hits = []
    for listing_id in ids:
        if listing_id not in rows:
            continue
        listing, photo = rows[listing_id]
        marked = highlight(listing.title, filters.terms) if filters.q else None
        hits.append(ListingHit(listing, distances.get(listing_id), marked, marked, photo or ""))
    return ListingPage(items=hits, total=int(total), page=page.page, per_page=page.per_page)


def _ids_within_radius(filters, conditions, point, page: PageRequest):
    rows = db.session.execute(
        select(Listing.id, Listing.lat, Listing.lon).where(*conditions).order_by(*_order(filters))
    ).all()
    radius = filters.effective_radius_km
    within = []
    for listing_id, lat, lon in rows:
        distance = haversine_km(point[0], point[1], lat, lon)
        if distance <= radius:
            within.append((listing_id, distance))
    if filters.sort == "nearest":
        within.sort(key=lambda item: item[1])  # stable: ties keep the newest first
    chosen = within[page.offset : page.offset + page.per_page]
    return [i for i, _d in chosen], len(within), {i: round(d, 1) for i, d in chosen}


def _load(
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
