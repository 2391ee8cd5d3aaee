"""The map's data as an RFC 7946 FeatureCollection: organisations (one Point per place), open
offers and open requests, each `[lon, lat]`. No person's name or e-mail is ever part of it.

A viewport can hold more than a browser draws well and more than a phone should download. Each
layer carries at most MAP_MAX_FEATURES (shared by the layers asked for) features of its own.
With a bbox, a layer holding more than that inside it is answered in clusters instead
(clusters.py): one Point per cell of the viewport's grid holding more than one point, with
`cluster: true`, its `count` and the cell's `bbox`; a cell's only point stays a feature of its
own. Every point is then represented, so `left_out` is 0 for that layer. Without a bbox (the
list without JavaScript, the CSV, clients asking for the whole region), or when the caller asks
for no clusters, a layer is cut at the cap, newest (or by name) first, and `left_out` says per
layer how many features were not sent, so the page can ask to zoom in or filter.

With a bbox and clusters, the layers are read from the points each worker holds in memory
(points.py), which answer as the SQL here does; that SQL serves the rest, and a transaction's
own uncommitted writes."""

from flask import current_app, url_for
from sqlalchemy import func, select

from marketplace.categories.models import Category
from marketplace.categories.queries import category_ids_with_descendants, get_category_by_slug
from marketplace.core.i18n import current_language
from marketplace.directory.clusters import (
    at_positions,
    cluster_features,
    listing_cells,
    place_cells,
    point,
    single_positions,
)
from marketplace.directory.filters import DirectoryFilters
from marketplace.directory.grid import Grid, grid_for
from marketplace.directory.models import OrganisationFunction
from marketplace.directory.points import MapPoints, cells_of, current_points
from marketplace.directory.queries import (
    district_matches,
    inside,
    matching_places,
    open_listing_counts,
    organisation_conditions,
    text_matches,
)
from marketplace.extensions import db
from marketplace.listings.liveness import effective_status_is
from marketplace.listings.models import Listing
from marketplace.orgs.models import ORGANISATION_KINDS, Organisation
from marketplace.search import SearchFilters, listing_ids_matching

LISTING_LAYERS = {"offers": "offer", "requests": "request"}
#: A layer function called without points looks them up itself.
_ASK = object()


def map_feature_collection(filters: DirectoryFilters, *, clusters: bool = True) -> dict:
    """The features of the layers asked for, within the bbox when one is given; dense layers
    of a bbox in clusters unless `clusters` is False."""
    cap = max(1, int(current_app.config["MAP_MAX_FEATURES"]) // len(filters.layers))
    grid = grid_for(filters.bbox) if clusters and filters.bbox is not None else None
    # One look at the map's version for all layers (a round trip each on PostgreSQL).
    points = current_points() if grid is not None else None
    features: list[dict] = []
    left_out: dict[str, int] = {}
    for layer in filters.layers:
        if layer == "organisations":
            found, left_out[layer] = organisation_features(filters, cap, grid, points)
        else:
            found, left_out[layer] = listing_features(
                filters, LISTING_LAYERS[layer], layer, cap, grid, points
            )
        features.extend(found)
    return {
        "type": "FeatureCollection",
        "features": features,
        "left_out": left_out,
        "license": current_app.config["OPEN_DATA_LICENCE"],
    }


def organisation_features(
    filters: DirectoryFilters, cap: int, grid: Grid | None = None, points=_ASK
) -> tuple[list[dict], int]:
    """The layer's features and how many places were left out; with a grid, from `points`
    when they are given or current (else from SQL)."""
    found = text_matches(filters)
    if found is not None and not found:
        return [], 0
    if points is _ASK:
        points = current_points() if grid is not None else None
    if points is not None and grid is not None:
        rows = points.matching(points.places, filters, ids=found)
        if len(rows) > cap:
            cells, singles = cells_of(points.places, rows, grid)
            return cluster_features("organisations", grid, cells) + _indexed_places(
                points, singles
            ), 0
        return _indexed_places(points, rows), 0
    if grid is not None:
        cells = place_cells(filters, found, grid)
        if sum(cell.count for cell in cells) > cap:
            singles = single_positions(cells)
            return cluster_features("organisations", grid, cells) + _single_places(
                filters, found, singles
            ), 0
    stmt = matching_places(filters)
    if found is not None:
        stmt = stmt.where(Organisation.id.in_(found))
    # The window count is taken in the same pass that sorts the page (one scan, not two).
    rows = db.session.execute(
        stmt.add_columns(
            Organisation.name.label("organisation_name"),
            Organisation.kind,
            func.count().over().label("total"),
        )
        .order_by(Organisation.name, Organisation.id)
        .limit(cap)
    ).all()
    total = rows[0].total if rows else 0
    return _place_features(rows), int(total) - len(rows)


def _single_places(
    filters: DirectoryFilters, found: list[int] | None, positions: list[tuple[float, float]]
) -> list[dict]:
    """The features of the places alone in their cells, found by their exact positions."""
    if not positions:
        return []
    stmt = matching_places(filters, at=lambda lat, lon: at_positions(lat, lon, positions))
    if found is not None:
        stmt = stmt.where(Organisation.id.in_(found))
    rows = db.session.execute(
        stmt.add_columns(Organisation.name.label("organisation_name"), Organisation.kind)
    ).all()
    wanted = set(positions)
    return _place_features([row for row in rows if (row.lat, row.lon) in wanted])


def _indexed_places(points: MapPoints, rows) -> list[dict]:
    places = points.places.rows
    return _place_feature_dicts(
        [places[i] for i in rows.tolist()], points.codes, points.open_counts
    )


def _place_features(rows) -> list[dict]:
    """Features of place rows (organisation_id, site_id, name, district, lat, lon,
    organisation_name, kind), with the organisations' functions and open listing counts."""
    ids = sorted({row.organisation_id for row in rows})
    codes: dict[int, list[str]] = {i: [] for i in ids}
    if ids:
        for org_id, code in db.session.execute(
            select(OrganisationFunction.organisation_id, OrganisationFunction.code)
            .where(OrganisationFunction.organisation_id.in_(ids))
            .order_by(OrganisationFunction.code)
        ):
            codes[org_id].append(code)
    counts = {org_id: (o, r) for org_id, o, r in open_listing_counts(ids)} if ids else {}
    return _place_feature_dicts(rows, codes, counts)


def _place_feature_dicts(
    rows, codes: dict[int, list[str]], counts: dict[int, tuple[int, int]]
) -> list[dict]:
    url = _url_maker("pages.organisation", "org_id")
    kind_labels = {key: str(label) for key, label in ORGANISATION_KINDS.items()}
    features = []
    for row in rows:
        offers, requests = counts.get(row.organisation_id, (0, 0))
        feature_id = f"organisation-{row.organisation_id}"
        if row.site_id is not None:
            feature_id += f"-site-{row.site_id}"
        features.append(
            {
                "type": "Feature",
                "id": feature_id,
                "geometry": point(row.lon, row.lat),
                "properties": {
                    "layer": "organisations",
                    "id": row.organisation_id,
                    "name": row.organisation_name,
                    "url": url(row.organisation_id),
                    "functions": codes.get(row.organisation_id, []),
                    "kind": row.kind,
                    "kind_label": kind_labels.get(row.kind, row.kind),
                    "district": row.district,
                    "site": row.name,
                    "open_offers": offers,
                    "open_requests": requests,
                },
            }
        )
    return features


def listing_features(
    filters: DirectoryFilters,
    kind: str,
    layer: str,
    cap: int,
    grid: Grid | None = None,
    points=_ASK,
) -> tuple[list[dict], int]:
    """The layer's features and how many listings were left out; with a grid, from `points`
    as organisation_features."""
    if points is _ASK:
        points = current_points() if grid is not None else None
    if points is not None and grid is not None:
        return _indexed_listing_features(points, filters, kind, layer, cap, grid)
    conditions = _listing_conditions(filters, kind)
    if conditions is None:
        return [], 0
    with_organisation = bool(organisation_conditions(filters))
    base = base_anywhere = select(Listing.id).where(*conditions)
    if with_organisation:
        base = base_anywhere = base.join(Organisation, Organisation.id == Listing.organisation_id)
    if filters.bbox is not None:
        in_box = inside(Listing.lat, Listing.lon, filters.bbox)
        conditions, base = conditions + in_box, base.where(*in_box)
    if grid is not None:
        cells = listing_cells(conditions, with_organisation, grid)
        if sum(cell.count for cell in cells) > cap:
            # The singles' positions lie in the box: looked up by position, not by the box.
            ids = _ids_at(base_anywhere, single_positions(cells))
            return cluster_features(layer, grid, cells) + _listings_by_id(ids, kind, layer), 0
    # Count and newest ids come from ix_listings_map alone, in one pass (a window count over the
    # scan that sorts); only the page's rows are read from the table.
    newest = db.session.execute(
        base.add_columns(func.count().over().label("total"))
        .order_by(Listing.created_at.desc(), Listing.id.desc())
        .limit(cap)
    ).all()
    total = newest[0].total if newest else 0
    features = _listings_by_id([row.id for row in newest], kind, layer)
    return features, int(total) - len(features)


def _indexed_listing_features(
    points: MapPoints, filters: DirectoryFilters, kind: str, layer: str, cap: int, grid: Grid
) -> tuple[list[dict], int]:
    """As listing_features, from the worker's points: every listing inside, or clusters."""
    ids = None
    if filters.q:
        ids = _text_listing_ids(filters, kind)
        if not ids:
            return [], 0
    category = get_category_by_slug(filters.category) if filters.category else None
    categories = category_ids_with_descendants(category) if category is not None else None
    found = points.listings[kind]
    rows = points.matching(found, filters, ids=ids, categories=categories)
    clusters: list[dict] = []
    if len(rows) > cap:
        cells, rows = cells_of(found, rows, grid)
        clusters = cluster_features(layer, grid, cells)
    return clusters + _listings_by_id(found.ids[rows].tolist(), kind, layer, newest_first=True), 0


def _ids_at(base, positions: list[tuple[float, float]]) -> list[int]:
    """The ids of `base` at these exact (lat, lon) positions."""
    if not positions:
        return []
    wanted = set(positions)
    rows = db.session.execute(
        base.add_columns(Listing.lat, Listing.lon).where(
            *at_positions(Listing.lat, Listing.lon, positions)
        )
    )
    return [row.id for row in rows if (row.lat, row.lon) in wanted]


def _listing_conditions(filters: DirectoryFilters, kind: str) -> list | None:
    """SQL conditions on Listing (and Organisation) for the filters but the bbox; None when the
    words find no listing of this kind."""
    conditions = [
        Listing.kind == kind,
        effective_status_is("open"),
        Listing.lat.is_not(None),
        Listing.lon.is_not(None),
        *organisation_conditions(filters),
    ]
    category = get_category_by_slug(filters.category) if filters.category else None
    if category is not None:
        conditions.append(Listing.category_id.in_(category_ids_with_descendants(category)))
    if filters.district:
        conditions.append(district_matches(Listing.district, filters.district))
    if filters.q:
        ids = _text_listing_ids(filters, kind)
        if not ids:
            return None
        conditions.append(Listing.id.in_(ids))
    return conditions


def _text_listing_ids(filters: DirectoryFilters, kind: str) -> list[int]:
    return listing_ids_matching(
        filters.q, SearchFilters(kind=kind, category=filters.category, district=filters.district)
    )


def _listings_by_id(
    ids: list[int], kind: str, layer: str, *, newest_first: bool = False
) -> list[dict]:
    """Features of these listings, in this order or newest first."""
    if not ids:
        return []
    stmt = (
        select(
            Listing.id,
            Listing.title,
            Listing.lat,
            Listing.lon,
            Listing.category_id,
            Listing.district,
            Organisation.name,
        )
        .join(Organisation, Organisation.id == Listing.organisation_id)
        .where(Listing.id.in_(ids))
    )
    if newest_first:
        rows = db.session.execute(stmt.order_by(Listing.created_at.desc(), Listing.id.desc()))
        return _listing_feature_dicts(rows.all(), kind, layer)
    found = {row.id: row for row in db.session.execute(stmt)}
    return _listing_feature_dicts([found[i] for i in ids if i in found], kind, layer)


def _listing_feature_dicts(rows, kind: str, layer: str) -> list[dict]:
    """Features of listing rows (id, title, lat, lon, category_id, district, and name: the
    organisation's)."""
    if not rows:
        return []
    categories = _category_labels()
    url = _url_maker("listings.detail", "listing_id")
    features = []
    for row in rows:
        slug, label = categories.get(row.category_id, ("", ""))
        features.append(
            {
                "type": "Feature",
                "id": f"listing-{row.id}",
                "geometry": point(row.lon, row.lat),
                "properties": {
                    "layer": layer,
                    "id": row.id,
                    "name": row.title,
                    "url": url(row.id),
                    "kind": kind,
                    "category": slug,
                    "category_label": label,
                    "organisation": row.name,
                    "district": row.district,
                },
            }
        )
    return features


def _url_maker(endpoint: str, argument: str):
    """An absolute URL per id without building a route each time (thousands per answer)."""
    prefix = url_for(endpoint, **{argument: 1}, _external=True).rsplit("/1", 1)
    return lambda value: f"{prefix[0]}/{value}{prefix[1]}"


def _category_labels() -> dict[int, tuple[str, str]]:
    language = current_language()
    return {c.id: (c.slug, c.name(language)) for c in db.session.scalars(select(Category))}
