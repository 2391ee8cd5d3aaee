"""What a browse page or GET /api/v1/listings asks for: the filters parsed from query arguments
(the SQL fallback, listings/sql_search.py, and the search feature's finder both read them)."""

from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import gettext as _

from marketplace.categories.models import RESOURCE_TYPES
from marketplace.categories.queries import known_category_slug
from marketplace.core.geo import parse_radius_km, postcode_coordinates
from marketplace.core.params import printable
from marketplace.listings.models import KINDS, STATUSES

SORTS = ("newest", "nearest", "relevance", "ending_soon")
DEFAULT_RADIUS_KM = 25.0


MAX_QUERY_LENGTH = 200
MAX_QUERY_TERMS = 8


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
    values["category"] = known_category_slug(text("category", 60), errors)
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
