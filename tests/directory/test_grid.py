"""The grid of a viewport's clusters: square on the screen, fixed to the world."""

import math

import pytest

from marketplace.directory.grid import bbox_width, grid_for

#: A 1920 x 1080 screen at zoom 13 over Leipzig, and the same moved east and north.
VIEW = (12.2045, 51.3068, 12.5341, 51.4118)
PANNED = (12.2345, 51.3168, 12.5641, 51.4218)


def test_panning_keeps_the_grid():
    assert grid_for(VIEW) == grid_for(PANNED)


def test_zooming_in_halves_the_cells():
    west, south, east, north = VIEW
    lon, lat = (west + east) / 2, (south + north) / 2
    half = (
        lon - (east - west) / 4,
        lat - (north - south) / 4,
        lon + (east - west) / 4,
        lat + (north - south) / 4,
    )
    assert grid_for(half).lon_step == pytest.approx(grid_for(VIEW).lon_step / 2)


def test_cells_are_square_on_the_screen_and_about_64_to_90_px():
    grid = grid_for(VIEW)
    degrees_per_px = 360 / (256 * 2**13)
    assert 45 <= grid.lon_step / degrees_per_px <= 91
    assert grid.lat_step == pytest.approx(grid.lon_step * math.cos(math.radians(50)))


def test_a_cell_bbox_holds_its_points():
    grid = grid_for(VIEW)
    lat, lon = 51.3397, 12.3731
    x, y = int((lon + 180) // grid.lon_step), int((lat + 90) // grid.lat_step)
    west, south, east, north = grid.cell_bbox(x, y)
    assert west <= lon <= east and south <= lat <= north


def test_across_the_antimeridian():
    assert bbox_width(170, -170) == 20
    assert grid_for((170, -10, -170, 10)).lon_step == grid_for((-10, -10, 10, 10)).lon_step
    assert grid_for((-180, -90, 180, 90)).cell_bbox(0, 0)[:2] == [-180, -90]
