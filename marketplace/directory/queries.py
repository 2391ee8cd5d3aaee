"""Reads of the directory: which organisations match the filters, where their places are, and
the details every answer about an organisation carries (functions, sites, open listings)."""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy import func, select

from marketplace.core.errors import NotFound
from marketplace.core.geo import box_around, haversine_km
from marketplace.core.pagination import Page, PageRequest
from marketplace.directory.filters import DirectoryFilters
from marketplace.directory.models import OrganisationFunction, OrganisationSite
from marketplace.extensions import db
from marketplace.listings.liveness import effective_status_is
from marketplace.listings.models import Listing
from marketplace.orgs.models import Organisation
from marketplace.search import organisation_ids_matching

#: Organisations the text search may return for one filter (far more than any region has).
MAX_TEXT_MATCHES = 20_000


@dataclass(frozen=True)
class Place:
    """Where an organisation is: its main place (site_id None) or one of its further sites."""

    organisation_id: int
    site_id: int | None
    name: str | None
    postcode: str
    district: str | None
    lat: float
    lon: float


@dataclass
class OrganisationDetails:
    functions: list[OrganisationFunction] = field(default_factory=list)
    sites: list[OrganisationSite] = field(default_factory=list)
    open_offers: int = 0
    open_requests: int = 0

    @property
    def codes(self) -> list[str]:
        return [f.code for f in self.functions]


@dataclass
class OrganisationEntry:
    """An organisation as lists, the API and the CSV show it."""

    organisation: Organisation
    details: OrganisationDetails
    distance_km: float | None = None


def inside(lat, lon, bbox: tuple[float, float, float, float]) -> list:
    """Conditions for a point inside (west, south, east, north), across the antimeridian too."""
    west, south, east, north = bbox
    if west <= east:
        return [lat.between(south, north), lon.between(west, east)]
    return [lat.between(south, north), sa.or_(lon >= west, lon <= east)]


def places_select(at: Callable[[Any, Any], list] | None = None) -> sa.Select:
    """Every place of every organisation: main places (from the organisation's own postcode)
    and further sites, as one selectable (organisation_id, site_id, name, postcode, district,
    lat, lon). `at(lat, lon)` gives conditions on the position, applied inside each branch, so
    that each can read its (lat, lon) index."""
    o, s = Organisation.__table__.c, OrganisationSite.__table__.c
    main = select(
        o.id.label("organisation_id"),
        sa.literal(None, sa.Integer).label("site_id"),
        sa.literal(None, sa.String).label("name"),
        o.postcode,
        o.district,
        o.lat,
        o.lon,
    ).where(o.lat.is_not(None), o.lon.is_not(None))
    sites = select(s.organisation_id, s.id, s.name, s.postcode, s.district, s.lat, s.lon)
    if at is not None:
        main, sites = main.where(*at(o.lat, o.lon)), sites.where(*at(s.lat, s.lon))
    return main.union_all(sites)


def organisation_conditions(filters: DirectoryFilters) -> list:
    """SQL conditions on Organisation for the filters that concern organisations (not the text,
    the place or the distance)."""
    conditions = []
    if filters.functions:
        conditions.append(
            Organisation.id.in_(
                select(OrganisationFunction.organisation_id).where(
                    OrganisationFunction.code.in_(filters.functions)
                )
            )
        )
    if filters.kind:
        conditions.append(Organisation.kind == filters.kind)
    return conditions


def district_matches(column, district: str):
    """The exact name (as the lists and the matrix link it), or the same in other ASCII case.
    Not casefold(): SQLite's lower() folds ASCII only, and casefold turns ß into ss."""
    return sa.or_(column == district, func.lower(column) == district.lower())


def text_matches(filters: DirectoryFilters) -> list[int] | None:
    """Ids the words find, best first; None without words."""
    if not filters.q:
        return None
    return organisation_ids_matching(filters.q, limit=MAX_TEXT_MATCHES)


def matching_places(filters: DirectoryFilters, bbox=None, at=None) -> sa.Select:
    """The places of organisations matching the filters (district and bbox on the place), or
    only those at the positions `at` gives conditions for (see places_select)."""
    box = bbox or filters.bbox
    if at is None and box is not None:
        at = lambda lat, lon: inside(lat, lon, box)  # noqa: E731
    places = places_select(at).subquery("places")
    stmt = select(places).join(Organisation, Organisation.id == places.c.organisation_id)
    stmt = stmt.where(*organisation_conditions(filters))
    if filters.district:
        stmt = stmt.where(district_matches(places.c.district, filters.district))
    return stmt


def list_organisation_entries(filters: DirectoryFilters, page: PageRequest | None) -> Page:
    """Organisations matching the filters, best first with words, nearest first with a
    postcode, else by name; with details. `page` None gives every match (CSV, list page)."""
    found = text_matches(filters)
    if found is not None and not found:
        return Page(items=[], total=0, page=page.page if page else 1, per_page=_per_page(page, 0))
    near_box = (
        box_around(filters.near_point, filters.effective_radius_km) if filters.near_point else None
    )
    stmt = matching_places(filters, bbox=near_box)
    if found is not None:
        stmt = stmt.where(Organisation.id.in_(found))
    places = stmt.selected_columns
    rows = db.session.execute(
        stmt.with_only_columns(places.organisation_id, places.lat, places.lon)
    ).all()
    distances: dict[int, float] = {}
    seen: dict[int, None] = {}  # ordered and O(1): organisations with several places come once
    for row in rows:
        if filters.near_point is not None:
            km = haversine_km(*filters.near_point, row.lat, row.lon)
            if km > filters.effective_radius_km:
                continue
            distances[row.organisation_id] = min(km, distances.get(row.organisation_id, km))
        seen[row.organisation_id] = None
    ids = list(seen)
    names = dict(
        db.session.execute(
            select(Organisation.id, func.lower(Organisation.name)).where(Organisation.id.in_(ids))
        ).all()
    )
    if filters.near_point is not None:
        ids.sort(key=lambda i: (distances[i], names.get(i, "")))
    elif found is not None:
        rank = {org_id: position for position, org_id in enumerate(found)}
        ids.sort(key=lambda i: rank.get(i, len(rank)))
    else:
        ids.sort(key=lambda i: (names.get(i, ""), i))
    total = len(ids)
    if page is not None:
        ids = ids[page.offset : page.offset + page.per_page]
    items = [
        OrganisationEntry(org, details, distances.get(org.id))
        for org, details in load_organisations_with_details(ids)
    ]
    return Page(
        items=items, total=total, page=page.page if page else 1, per_page=_per_page(page, total)
    )


def _per_page(page: PageRequest | None, total: int) -> int:
    return page.per_page if page else max(total, 1)


def load_organisations_with_details(
    ids: list[int],
) -> list[tuple[Organisation, OrganisationDetails]]:
    """The organisations of these ids in this order, each with its details (four queries)."""
    if not ids:
        return []
    found = {
        org.id: org
        for org in db.session.scalars(select(Organisation).where(Organisation.id.in_(ids)))
    }
    details = load_details(list(found))
    return [(found[i], details[i]) for i in ids if i in found]


def load_details(ids: list[int]) -> dict[int, OrganisationDetails]:
    details = {i: OrganisationDetails() for i in ids}
    if not ids:
        return details
    for row in db.session.scalars(
        select(OrganisationFunction)
        .where(OrganisationFunction.organisation_id.in_(ids))
        .order_by(OrganisationFunction.code)
    ):
        details[row.organisation_id].functions.append(row)
    for site in db.session.scalars(
        select(OrganisationSite)
        .where(OrganisationSite.organisation_id.in_(ids))
        .order_by(OrganisationSite.id)
    ):
        details[site.organisation_id].sites.append(site)
    for org_id, offers, requests in open_listing_counts(ids):
        details[org_id].open_offers, details[org_id].open_requests = offers, requests
    return details


def open_listing_counts(ids: list[int]) -> list[tuple[int, int, int]]:
    """(organisation id, open offers, open requests) for the organisations that have any."""
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    rows = db.session.execute(
        select(Listing.organisation_id, Listing.kind, func.count(Listing.id))
        .where(Listing.organisation_id.in_(ids), effective_status_is("open"))
        .group_by(Listing.organisation_id, Listing.kind)
    ).all()
    for org_id, kind, n in rows:
        counts[org_id][0 if kind == "offer" else 1] = int(n)
    return [(org_id, offers, requests) for org_id, (offers, requests) in counts.items()]


def get_organisation(org_id: int) -> Organisation:
    organisation = db.session.get(Organisation, org_id)
    if organisation is None:
        raise NotFound()
    return organisation


def get_organisation_entry(org_id: int) -> OrganisationEntry:
    organisation = get_organisation(org_id)
    return OrganisationEntry(organisation, load_details([org_id])[org_id])


def list_districts() -> list[str]:
    """Every district an organisation or one of its sites names, sorted."""
    places = places_select().subquery()
    rows = db.session.execute(
        select(places.c.district).where(places.c.district.is_not(None), places.c.district != "")
    ).scalars()
    return sorted(set(rows), key=str.casefold)
