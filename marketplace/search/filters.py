"""What a search asks for: filters, sort and paging, validated against allow-lists and
compiled for the engine. Invalid values raise SearchQueryError (a ValueError naming the
parameter, for a 422 in the API or a form message on the page)."""

import math
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from marketplace.core.clock import today
from marketplace.search import engine
from marketplace.search.schema import day_of

SORTS = ("relevance", "newest", "nearest", "ending_soon")
KINDS = ("offer", "request")
STATUSES = ("open", "reserved", "closed", "expired", "withdrawn")
RESOURCE_TYPES = ("material", "equipment", "space")
MAX_PER_PAGE = 100
MAX_PAGE = 10_000
MAX_RADIUS_KM = 1000.0


class SearchQueryError(ValueError):
    """A filter, sort or paging value is not allowed; `field` names the parameter."""

    def __init__(self, field: str, message):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class SearchFilters:
    kind: str | None = None
    #: A category slug; its child categories are included.
    category: str | None = None
    resource_type: str | None = None
    #: One status, several, or None for any. Default: open listings only.
    status: str | tuple[str, ...] | None = "open"
    organisation_id: int | None = None
    #: Exact district name (case-insensitive).
    district: str | None = None
    #: (lat, lon) of the `near` postcode, and the radius around it (default 25 km).
    near: tuple[float, float] | None = None
    radius_km: float | None = None
    #: The viewer's organisation: withdrawn listings are visible only to their own.
    viewer_organisation_id: int | None = None

    @classmethod
    def from_listing_filters(cls, f, viewer_organisation_id: int | None = None) -> "SearchFilters":
        """From the browse page's and the API's parsed filters (listings.filters.ListingFilters,
        read by attribute so that search does not depend on that module)."""
        point = f.near_point if getattr(f, "near", None) else None
        return cls(
            kind=f.kind,
            category=f.category,
            resource_type=f.resource_type,
            status=f.status,
            organisation_id=f.organisation_id,
            district=f.district,
            near=point,
            radius_km=f.effective_radius_km if point else None,
            viewer_organisation_id=viewer_organisation_id,
        )


def compile_filters(f: SearchFilters) -> engine.FilterSpec:
    """Validate filters against allow-lists and compile them for the engine."""

    def one_of(name, value, allowed):
        if value is not None and value not in allowed:
            raise SearchQueryError(name, _l("Not one of the allowed values."))
        return value.encode() if value is not None else None

    statuses = f.status
    if isinstance(statuses, str):
        statuses = (statuses,)
    if statuses is not None:
        statuses = tuple(statuses)
        for s in statuses:
            one_of("status", s, STATUSES)
    near = None
    if f.near is not None or f.radius_km is not None:
        if f.near is None:
            raise SearchQueryError("near", _l("A radius needs a place to measure from."))
        lat, lon = (float(x) for x in f.near)
        radius = 25.0 if f.radius_km is None else float(f.radius_km)
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise SearchQueryError("near", _l("Unknown place."))
        if not (0 < radius <= MAX_RADIUS_KM) or math.isnan(radius):
            raise SearchQueryError("radius_km", _l("The radius must be between 0 and 1000 km."))
        near = (round(lat, 4), round(lon, 4), round(radius, 2))
    category = f.category
    if category is not None and (not isinstance(category, str) or len(category) > 60):
        raise SearchQueryError("category", _l("Unknown category."))
    district = f.district.casefold() if f.district else None
    return engine.FilterSpec(
        statuses=frozenset(s.encode() for s in statuses) if statuses is not None else None,
        today=day_of(today()),
        viewer_organisation_id=_int_or_none(f.viewer_organisation_id),
        district=district,
        kind=one_of("kind", f.kind, KINDS),
        category=category.encode() if category else None,
        resource_type=one_of("resource_type", f.resource_type, RESOURCE_TYPES),
        organisation_id=_int_or_none(f.organisation_id),
        near=near,
    )


def _int_or_none(value) -> int | None:
    return int(value) if value is not None else None


def paging(page, per_page) -> tuple[int, int]:
    try:
        page, per_page = int(page), int(per_page)
    except (TypeError, ValueError):
        raise SearchQueryError("page", _l("Not a number.")) from None
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise SearchQueryError("per_page", _l("Between 1 and 100."))
    if not 1 <= page <= MAX_PAGE:
        raise SearchQueryError("page", _l("Not an allowed page."))
    return page, per_page


def choose_sort(sort: str | None, no_words: bool, filters: SearchFilters | None) -> str:
    """The sort asked for, or the default: relevance when there are words, else newest."""
    if sort is None or sort == "":
        return "newest" if no_words else "relevance"
    if sort not in SORTS:
        raise SearchQueryError("sort", _l("Not one of the allowed values."))
    if sort == "nearest" and (filters is None or filters.near is None):
        raise SearchQueryError("sort", _l("Sorting by distance needs a place (near)."))
    if sort == "relevance" and no_words:
        return "newest"
    return sort
