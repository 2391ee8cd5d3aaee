"""Browse and search without a search engine: SQL, with LIKE for the words of `q` and a bounding
box plus the exact distance for `near`. Used when the app has no listing finder, and when the
finder fails."""

import re
from datetime import date

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from marketplace.categories.models import Category
from marketplace.categories.queries import category_ids_with_descendants, get_category_by_slug
from marketplace.core.clock import today
from marketplace.core.geo import box_around, haversine_km
from marketplace.core.pagination import PageRequest
from marketplace.extensions import db
from marketplace.listings.filters import ListingFilters
from marketplace.listings.hits import ListingHit, ListingPage, highlight, load_visible, visible_to
from marketplace.listings.liveness import effective_status_is
from marketplace.listings.models import Listing
from marketplace.orgs.models import Organisation


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


def list_listings_sql(
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
    rows = load_visible(ids, viewer_organisation_id)
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
