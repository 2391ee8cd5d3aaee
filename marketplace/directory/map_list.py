"""The map as a list, for visitors without JavaScript (and anyone who prefers a list): the same
features as map.geojson under the same filters, grouped by district, nearest first when a
postcode is given."""

from dataclasses import dataclass, field, replace

from flask_babel import gettext as _

from marketplace.core.geo import box_around, haversine_km
from marketplace.directory.filters import DirectoryFilters
from marketplace.directory.geojson import map_feature_collection


@dataclass
class ListEntry:
    properties: dict
    lat: float
    lon: float
    distance_km: float | None = None


@dataclass
class DistrictGroup:
    district: str
    entries: list[ListEntry] = field(default_factory=list)


@dataclass
class MapList:
    groups: list[DistrictGroup]
    shown: int
    left_out: int


def map_list(filters: DirectoryFilters) -> MapList:
    """Entries of the layers asked for, grouped by district (alphabetically; nearest district
    first with a postcode), within the radius around `near` when one is given."""
    if filters.near_point is not None:
        filters = replace(filters, bbox=box_around(filters.near_point, filters.effective_radius_km))
    # A list names every entry it shows: never clusters, even in the box around `near`.
    collection = map_feature_collection(filters, clusters=False)
    groups: dict[str, DistrictGroup] = {}
    shown = 0
    for feature in collection["features"]:
        lon, lat = feature["geometry"]["coordinates"]
        entry = ListEntry(feature["properties"], lat, lon)
        if filters.near_point is not None:
            entry.distance_km = haversine_km(*filters.near_point, lat, lon)
            if entry.distance_km > filters.effective_radius_km:
                continue
        district = entry.properties.get("district") or _("No district given")
        groups.setdefault(district, DistrictGroup(district)).entries.append(entry)
        shown += 1
    ordered = list(groups.values())
    if filters.near_point is not None:
        for group in ordered:
            group.entries.sort(key=lambda e: e.distance_km)
        ordered.sort(key=lambda g: g.entries[0].distance_km)
    else:
        for group in ordered:
            group.entries.sort(
                key=lambda e: (e.properties["layer"], e.properties["name"].casefold())
            )
        ordered.sort(key=lambda g: g.district.casefold())
    return MapList(ordered, shown, sum(collection["left_out"].values()))
