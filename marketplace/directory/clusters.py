"""Clusters of a dense map layer, counted in SQL: the layer's points in the viewport grouped by
the cells of its grid (grid.py), each cell with its count and the mean of its points.

The points are first grouped by exact position, which the covering indexes (ix_listings_map,
ix_organisations_map, ix_organisation_sites_map) return in (lat, lon) order, so that this group
needs no sort; only the far fewer positions are sorted into cells. Places and listings sit at
postcode centroids, so many share a position."""

from dataclasses import dataclass
from functools import lru_cache

import sqlalchemy as sa
from flask_babel import get_locale, ngettext
from sqlalchemy import func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from marketplace.directory.filters import DirectoryFilters
from marketplace.directory.grid import Grid
from marketplace.directory.models import OrganisationSite
from marketplace.directory.queries import district_matches, inside, organisation_conditions
from marketplace.extensions import db
from marketplace.listings.models import Listing
from marketplace.orgs.models import Organisation

#: ~1 m: more digits only make the answer longer.
COORDINATE_DIGITS = 5


class cell_index(FunctionElement):  # noqa: N801 (an SQL function, lower case as in SQL)
    """floor() of a non-negative number."""

    type = sa.Integer()
    inherit_cache = True


@compiles(cell_index)
def _floor(element, compiler, **kw):
    # PostgreSQL's CAST(... AS INTEGER) rounds to the nearest; the grid means floor.
    return f"floor({compiler.process(element.clauses, **kw)})"


@compiles(cell_index, "sqlite")
def _truncate(element, compiler, **kw):
    # SQLite has floor() only when built with its math functions; CAST truncates, which is
    # floor for the non-negative numbers of the grid.
    return f"CAST({compiler.process(element.clauses, **kw)} AS INTEGER)"


@dataclass(frozen=True)
class Cell:
    x: int
    y: int
    count: int
    #: The mean of the cell's points: the position of its only point when it holds one.
    lat: float
    lon: float


def point(lon: float, lat: float) -> dict:
    return {
        "type": "Point",
        "coordinates": [round(lon, COORDINATE_DIGITS), round(lat, COORDINATE_DIGITS)],
    }


def listing_cells(conditions: list, with_organisation: bool, grid: Grid) -> list[Cell]:
    """Cells of the listings matching the conditions (which hold the bbox)."""
    positions = (
        select(
            Listing.lat,
            Listing.lon,
            func.count().label("n"),
        )
        .where(*conditions)
        .group_by(Listing.lat, Listing.lon)
    )
    if with_organisation:
        positions = positions.join(Organisation, Organisation.id == Listing.organisation_id)
    return _cells(positions, grid)


def place_cells(filters: DirectoryFilters, found: list[int] | None, grid: Grid) -> list[Cell]:
    """Cells of the places (main places and further sites) of the matching organisations."""
    o, s = Organisation.__table__.c, OrganisationSite.__table__.c
    wanted = organisation_conditions(filters)
    if found is not None:
        wanted.append(Organisation.id.in_(found))
    main = (
        select(o.lat, o.lon, func.count().label("n"))
        .where(*inside(o.lat, o.lon, filters.bbox), *wanted)
        .group_by(o.lat, o.lon)
    )
    sites = (
        select(s.lat, s.lon, func.count().label("n"))
        .where(*inside(s.lat, s.lon, filters.bbox))
        .group_by(s.lat, s.lon)
    )
    if wanted:
        sites = sites.join(Organisation, Organisation.id == s.organisation_id).where(*wanted)
    if filters.district:
        main = main.where(district_matches(o.district, filters.district))
        sites = sites.where(district_matches(s.district, filters.district))
    return _cells(main.union_all(sites), grid)


def _cells(positions: sa.Select, grid: Grid) -> list[Cell]:
    """Group rows of (lat, lon, n), one per position, by cell."""
    p = positions.subquery("positions")
    by_position = select(
        cell_index((p.c.lon + 180) / grid.lon_step).label("x"),
        cell_index((p.c.lat + 90) / grid.lat_step).label("y"),
        p.c.n,
        (p.c.lat * p.c.n).label("lat_n"),
        (p.c.lon * p.c.n).label("lon_n"),
    ).subquery("by_position")
    c = by_position.c
    # Grouped by the subquery's columns rather than by the expressions: PostgreSQL does not
    # take two renderings of one expression, each with its own bound step, as the same.
    rows = db.session.execute(
        select(c.x, c.y, func.sum(c.n), func.sum(c.lat_n), func.sum(c.lon_n)).group_by(c.x, c.y)
    )
    # A cell of one point gets that point's exact position back (x * 1 / 1), which is how
    # its feature is found again.
    return [
        Cell(int(x), int(y), int(n), float(lat_n) / int(n), float(lon_n) / int(n))
        for x, y, n, lat_n, lon_n in rows
    ]


def at_positions(lat, lon, positions: list[tuple[float, float]]) -> list:
    """Conditions that find the points at these (lat, lon) positions through a (lat, lon)
    index, and a few more: lat IN and lon IN each read the index, where SQLite would test a
    row-value IN on every row of the layer. The caller keeps the exact pairs."""
    return [lat.in_({p[0] for p in positions}), lon.in_({p[1] for p in positions})]


def single_positions(cells: list[Cell]) -> list[tuple[float, float]]:
    """(lat, lon) of the cells that hold one point: that point is sent as itself."""
    return [(cell.lat, cell.lon) for cell in cells if cell.count == 1]


#: Names of a cluster per layer, by count.
CLUSTER_NAMES = {
    "organisations": lambda n: ngettext(
        "%(num)d place of organisations", "%(num)d places of organisations", n
    ),
    "offers": lambda n: ngettext("%(num)d open offer", "%(num)d open offers", n),
    "requests": lambda n: ngettext("%(num)d open request", "%(num)d open requests", n),
}


@lru_cache(maxsize=8192)
def _cluster_name(locale: str, layer: str, count: int) -> str:
    # ngettext looks up the request's translations each time: a few hundred calls an answer
    # cost more than the rest of a cluster. The locale in the key is the one ngettext uses.
    return CLUSTER_NAMES[layer](count)


def cluster_features(layer: str, grid: Grid, cells: list[Cell]) -> list[dict]:
    """One Point feature per cell of more than one point, at the mean of its points."""
    locale = str(get_locale())
    names: dict[int, str] = {}  # many cells share a count
    for cell in cells:
        if cell.count not in names:
            names[cell.count] = _cluster_name(locale, layer, cell.count)
    return [
        {
            "type": "Feature",
            "id": f"{layer}-cluster-{grid.level}-{cell.x}-{cell.y}",
            "geometry": point(cell.lon, cell.lat),
            "properties": {
                "layer": layer,
                "cluster": True,
                "count": cell.count,
                "id": None,
                "name": names[cell.count],
                "url": None,
                "bbox": grid.cell_bbox(cell.x, cell.y),
            },
        }
        for cell in cells
        if cell.count > 1
    ]
