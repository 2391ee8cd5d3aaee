"""The region's directory: the functions organisations take for the region, their further sites,
profiles with logos, the map, its open data and the function x district gaps."""

from flask import Flask


def init_directory(app: Flask) -> None:
    """Hook the directory into the app: writes the map shows move its version."""
    from marketplace.directory.map_version import follow_map_writes

    follow_map_writes()
