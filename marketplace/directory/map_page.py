"""What the map pages show: filters and their choices, the list, and the settings the map
script reads (tiles, centre, the GeoJSON address with the same filters)."""

import json
from dataclasses import dataclass, field
from urllib.parse import urlencode

from flask import current_app

from marketplace.categories.queries import grouped_categories
from marketplace.core.i18n import current_language
from marketplace.directory.filters import LAYERS, DirectoryFilters, parse_directory_filters
from marketplace.directory.functions import RegionFunction, function_catalogue
from marketplace.directory.map_list import MapList, map_list
from marketplace.directory.queries import list_districts
from marketplace.orgs.models import ORGANISATION_KINDS


@dataclass
class MapPage:
    filters: DirectoryFilters
    errors: dict[str, list[str]]
    listing: MapList | None
    functions: tuple[RegionFunction, ...]
    kinds: list[tuple[str, str]]
    categories: dict
    districts: list[str]
    layers: tuple[str, ...] = LAYERS
    settings: dict = field(default_factory=dict)

    def geojson_url(self) -> str:
        """The API's map.geojson with these filters (the script adds the viewport's bbox)."""
        args = {**self.filters.args(layers=False), "layers": ",".join(self.filters.layers)}
        args.pop("near", None), args.pop("radius_km", None)
        return "/api/v1/map.geojson?" + urlencode(args, doseq=True)

    def function_names(self) -> dict[str, str]:
        language = current_language()
        return {f.code: f.name_in(language) for f in self.functions}

    def functions_json(self) -> str:
        language = current_language()
        return json.dumps(
            {f.code: {"name": f.name_in(language)} for f in self.functions}, ensure_ascii=False
        )


def get_map_page(args, *, with_list: bool = True) -> MapPage:
    """The map page for these query arguments; invalid filters are reported and left out."""
    filters, errors = parse_directory_filters(args)
    config = current_app.config
    lat, lon = config["MAP_CENTER"]
    return MapPage(
        filters=filters,
        errors=errors,
        listing=map_list(filters) if with_list else None,
        functions=function_catalogue().functions,
        kinds=[(key, str(label)) for key, label in ORGANISATION_KINDS.items()],
        categories=grouped_categories(),
        districts=list_districts(),
        settings={
            "tile_url": config["MAP_TILE_URL"] or "",
            "tile_attribution": config["MAP_TILE_ATTRIBUTION"] or "",
            "center": f"{lat},{lon}",
            "zoom": int(config["MAP_ZOOM"]),
            "licence": config["OPEN_DATA_LICENCE"],
            "licence_url": config["OPEN_DATA_LICENCE_URL"],
        },
    )
