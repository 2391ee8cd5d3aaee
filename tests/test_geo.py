"""One distance (core/geo.py): the scalar and the numpy form agree, and the SQL prefilter box
holds every point within the radius measured on the same sphere."""

import math

import numpy as np
import pytest

from marketplace.core.geo import (
    EARTH_RADIUS_KM,
    KM_PER_DEGREE,
    box_around,
    haversine_km,
    haversine_km_array,
)

POINTS = [(52.5321, 13.3847), (51.3397, 12.3731), (48.1372, 11.5755), (-33.9, 18.4), (0.0, 0.0)]


def test_scalar_and_array_agree():
    lats = np.array([p[0] for p in POINTS])
    lons = np.array([p[1] for p in POINTS])
    matrix = haversine_km_array(lats[:, None], lons[:, None], lats[None, :], lons[None, :])
    for i, a in enumerate(POINTS):
        for j, b in enumerate(POINTS):
            assert matrix[i, j] == pytest.approx(haversine_km(*a, *b), abs=1e-9)


def test_opposite_ends_of_the_earth_do_not_fail():
    assert haversine_km(0.0, 0.0, 0.0, 180.0) == pytest.approx(math.pi * EARTH_RADIUS_KM)


@pytest.mark.parametrize("radius", [0.5, 10.0, 250.0])
def test_the_box_holds_the_points_at_the_radius(radius):
    lat, lon = POINTS[0]
    west, south, east, north = box_around((lat, lon), radius)
    assert abs(KM_PER_DEGREE - 111.195) < 1e-3
    for bearing in range(0, 360, 15):
        # A point just inside the radius in this direction (small-step spherical offset).
        d = radius * 0.999999 / EARTH_RADIUS_KM
        t = math.radians(bearing)
        p1, l1 = math.radians(lat), math.radians(lon)
        p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(t))
        l2 = l1 + math.atan2(
            math.sin(t) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2)
        )
        y, x = math.degrees(p2), math.degrees(l2)
        assert haversine_km(lat, lon, y, x) <= radius
        assert south <= y <= north and west <= x <= east, bearing
