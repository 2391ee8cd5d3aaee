"""The grid that clusters a dense map viewport: square cells on the screen, fixed to the world.

A cell's width is a power of sqrt(2) times a pixel of zoom level 0 (360/256 degrees of
longitude), chosen so that about CELLS_ALONG_LONG_SIDE cells span the longer side of the
viewport: at Leaflet's whole zoom levels that is 64 or 90 CSS px on a desktop screen and 45 on
a phone. The grid starts at (-180, -90), so a viewport's cells depend on its zoom only, not on
where it lies: panning keeps every cluster where it was. Pure: no Flask, no database."""

import math
from dataclasses import dataclass

#: Degrees of longitude per pixel at zoom 0 (a 256 px tile spans the world).
ZOOM0_PIXEL_DEGREES = 360 / 256
#: Close to Leaflet.markercluster's 80 px radius on a desktop, and above its 40 px icons on a
#: phone, whose longer side is about half as long.
CELLS_ALONG_LONG_SIDE = 22
#: Cells are square on the screen at this latitude, rounded so that a pan keeps the grid.
REFERENCE_LATITUDE_STEP = 5
#: Web Mercator stops here; cos() of the poles would make cells of no height.
MAX_REFERENCE_LATITUDE = 85


@dataclass(frozen=True)
class Grid:
    """Cells of lon_step x lat_step degrees; cell (x, y) starts at x * lon_step - 180 and
    y * lat_step - 90, so indexes are never negative."""

    #: sqrt(2) ** level pixels of zoom 0: the level names the cell size in feature ids.
    level: int
    lon_step: float
    lat_step: float

    def cell_bbox(self, x: int, y: int) -> list[float]:
        """[west, south, east, north] of a cell, clipped to the world."""
        west = x * self.lon_step - 180
        south = y * self.lat_step - 90
        return [
            round(max(west, -180.0), 6),
            round(max(south, -90.0), 6),
            round(min(west + self.lon_step, 180.0), 6),
            round(min(south + self.lat_step, 90.0), 6),
        ]


def bbox_width(west: float, east: float) -> float:
    """Degrees of longitude from west to east, across the antimeridian when west > east."""
    return east - west if west <= east else east + 360 - west


def grid_for(bbox: tuple[float, float, float, float]) -> Grid:
    """The grid of a viewport given as (west, south, east, north) in degrees."""
    west, south, east, north = bbox
    middle = (south + north) / 2
    reference = round(middle / REFERENCE_LATITUDE_STEP) * REFERENCE_LATITUDE_STEP
    shrink = math.cos(math.radians(min(abs(reference), MAX_REFERENCE_LATITUDE)))
    # The longer side in degrees of longitude: proportional to its length in pixels.
    long_side = max(bbox_width(west, east), (north - south) / shrink, 1e-6)
    pixels0 = long_side / CELLS_ALONG_LONG_SIDE / ZOOM0_PIXEL_DEGREES
    level = round(2 * math.log2(pixels0))
    lon_step = ZOOM0_PIXEL_DEGREES * math.sqrt(2) ** level
    return Grid(level=level, lon_step=lon_step, lat_step=lon_step * shrink)
