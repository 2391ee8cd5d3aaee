"""The region's directory: the functions organisations take for the region, their further sites,
profiles with logos, the map, its open data and the function x district gaps."""

from flask import Flask


def init_directory(app: Flask) -> None:
    """Hook the directory into the app: writes the map shows move its version."""
    from marketplace.directory.map_version import follow_map_writes
    from marketplace.directory.matrix_markup import gap_matrix_markup

    follow_map_writes()
    app.add_template_global(gap_matrix_markup, "gap_matrix_markup")
