"""The filters of the map, the directory list, its CSV and the API, read from query arguments
in one place: function(s), kind of organisation, category, district, text, near, layers, bbox."""

import math
from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from marketplace.categories.queries import known_category_slug
from marketplace.core.geo import parse_radius_km, postcode_coordinates
from marketplace.core.params import printable
from marketplace.directory.functions import function_codes
from marketplace.orgs.models import ORGANISATION_KINDS

LAYERS = ("organisations", "offers", "requests")
DEFAULT_LAYERS = ("organisations",)
MAX_QUERY_LENGTH = 200
DEFAULT_RADIUS_KM = 25.0


@dataclass(frozen=True)
class DirectoryFilters:
    q: str = ""
    #: Any of these functions (A-H); empty: all organisations.
    functions: tuple[str, ...] = ()
    kind: str | None = None
    #: A category slug: narrows the offers and requests layers.
    category: str | None = None
    district: str | None = None
    near: str | None = None
    near_point: tuple[float, float] | None = None
    radius_km: float | None = None
    layers: tuple[str, ...] = DEFAULT_LAYERS
    #: (west, south, east, north) in degrees.
    bbox: tuple[float, float, float, float] | None = None

    def args(self, *, layers: bool = True) -> dict[str, str | list[str]]:
        """Back to query arguments (only what is set), for links: map, list, embed, CSV."""
        out: dict[str, str | list[str]] = {}
        if self.q:
            out["q"] = self.q
        if self.functions:
            out["function"] = list(self.functions)
        for name in ("kind", "category", "district", "near"):
            if getattr(self, name):
                out[name] = getattr(self, name)
        if self.near and self.radius_km:
            out["radius_km"] = f"{self.radius_km:g}"
        if layers and self.layers != DEFAULT_LAYERS:
            out["layers"] = ",".join(self.layers)
        return out

    @property
    def active_count(self) -> int:
        """How many filters a visitor has set (the radius belongs to the postcode)."""
        return len(self.args()) - ("radius_km" in self.args())

    @property
    def effective_radius_km(self) -> float:
        return self.radius_km or DEFAULT_RADIUS_KM


def _getlist(args: Mapping, name: str) -> list[str]:
    if isinstance(args, MultiDict):
        return args.getlist(name)
    value = args.get(name)
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def parse_bbox(raw: str) -> tuple[tuple[float, float, float, float] | None, list[str]]:
    """`west,south,east,north` in degrees; west may exceed east (across the antimeridian)."""
    parts = raw.split(",")
    message = _("bbox is west,south,east,north in degrees, e.g. 12.2,51.2,12.6,51.45.")
    if len(parts) != 4:
        return None, [message]
    try:
        west, south, east, north = (float(p.strip()) for p in parts)
    except ValueError:
        return None, [message]
    if not all(math.isfinite(v) for v in (west, south, east, north)):
        return None, [message]
    if not (-180 <= west <= 180 and -180 <= east <= 180):
        return None, [_("Longitudes lie between -180 and 180.")]
    if not (-90 <= south <= 90 and -90 <= north <= 90):
        return None, [_("Latitudes lie between -90 and 90.")]
    if south > north:
        return None, [_("The south edge must not lie north of the north edge.")]
    return (west, south, east, north), []


def parse_directory_filters(
    args: Mapping, *, default_layers: tuple[str, ...] = DEFAULT_LAYERS
) -> tuple[DirectoryFilters, dict[str, list[str]]]:
    """Filters from query arguments (repeatable `function`, also comma-separated), and the
    problems of each argument: the API answers 422 with them, the pages show them."""
    errors: dict[str, list[str]] = {}
    values: dict = {}

    def text(name: str, limit: int) -> str | None:
        raw = args.get(name)
        value = printable(raw if isinstance(raw, str) else "").strip()
        if len(value) > limit:
            errors.setdefault(name, []).append(_("At most %(max)d characters.", max=limit))
            return None
        return value or None

    values["q"] = text("q", MAX_QUERY_LENGTH) or ""
    codes = function_codes()
    wanted: list[str] = []
    for raw in _getlist(args, "function"):
        for code in str(raw).split(","):
            code = code.strip().upper()
            if not code:
                continue
            if code not in codes:
                errors.setdefault("function", []).append(
                    _(
                        "Unknown function %(code)s: use one of %(codes)s.",
                        code=code[:10],
                        codes=", ".join(codes),
                    )
                )
            elif code not in wanted:
                wanted.append(code)
    values["functions"] = tuple(sorted(wanted))
    kind = text("kind", 30)
    if kind and kind not in ORGANISATION_KINDS:
        errors.setdefault("kind", []).append(
            _("Must be one of: %(choices)s.", choices=", ".join(ORGANISATION_KINDS))
        )
        kind = None
    values["kind"] = kind
    values["district"] = text("district", 120)
    values["category"] = known_category_slug(text("category", 60), errors)
    near = text("near", 5)
    if near:
        point = postcode_coordinates(near)
        if point is None:
            errors.setdefault("near", []).append(_("Unknown postcode."))
            near = None
        values["near_point"] = point
    values["near"] = near
    radius_km, problem = parse_radius_km(text("radius_km", 20))
    if problem:
        errors.setdefault("radius_km", []).append(problem)
    elif radius_km is not None:
        values["radius_km"] = radius_km
    layers_raw = ",".join(v for v in _getlist(args, "layers") if isinstance(v, str))[:100]
    if layers_raw.strip(", "):
        layers = []
        for name in layers_raw.split(","):
            name = name.strip()
            if name not in LAYERS:
                errors.setdefault("layers", []).append(
                    _("Must be one of: %(choices)s.", choices=", ".join(LAYERS))
                )
            elif name not in layers:
                layers.append(name)
        values["layers"] = tuple(n for n in LAYERS if n in layers) or default_layers
    else:
        values["layers"] = default_layers
    bbox = text("bbox", 200)
    if bbox:
        values["bbox"], problems = parse_bbox(bbox)
        if problems:
            errors["bbox"] = problems
    return DirectoryFilters(**values), errors
