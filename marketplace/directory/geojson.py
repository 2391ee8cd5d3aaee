"""The map's data as an RFC 7946 FeatureCollection: organisations (one Point per place), open
offers and open requests, each `[lon, lat]`. No person's name or e-mail is ever part of it.

A viewport can hold more than a browser draws well and more than a phone should download: each
layer is capped (MAP_MAX_FEATURES, shared by the layers asked for) and the answer says how many
features of each layer were left out, so the page can ask to zoom in or filter."""

from flask import current_app, url_for
from sqlalchemy import func, select

from marketplace.categories.models import Category
from marketplace.categories.queries import category_ids_with_descendants, get_category_by_slug
from marketplace.core.i18n import current_language
from marketplace.directory.filters import DirectoryFilters
from marketplace.directory.models import OrganisationFunction
from marketplace.directory.queries import (
    district_matches,
    matching_places,
    open_listing_counts,
    organisation_conditions,
    text_matches,
)
from marketplace.extensions import db
from marketplace.listings.expiry import effective_status_is
from marketplace.listings.models import Listing
from marketplace.orgs.models import ORGANISATION_KINDS, Organisation
from marketplace.search import SearchFilters, listing_ids_matching

LISTING_LAYERS = {"offers": "offer", "requests": "request"}
#: ~1 m: more digits only make the answer longer.
COORDINATE_DIGITS = 5


def _point(lon: float, lat: float) -> dict:
    return {
        "type": "Point",
        "coordinates": [round(lon, COORDINATE_DIGITS), round(lat, COORDINATE_DIGITS)],
    }


def map_feature_collection(filters: DirectoryFilters) -> dict:
    """The features of the layers asked for, within the bbox when one is given."""
    cap = max(1, int(current_app.config["MAP_MAX_FEATURES"]) // len(filters.layers))
    features: list[dict] = []
    left_out: dict[str, int] = {}
    for layer in filters.layers:
        if layer == "organisations":
            found, total = organisation_features(filters, cap)
        else:
            found, total = listing_features(filters, LISTING_LAYERS[layer], layer, cap)
        features.extend(found)
        left_out[layer] = total - len(found)
    return {
        "type": "FeatureCollection",
        "features": features,
        "left_out": left_out,
        "license": current_app.config["OPEN_DATA_LICENCE"],
    }


def organisation_features(filters: DirectoryFilters, cap: int) -> tuple[list[dict], int]:
    found = text_matches(filters)
    if found is not None and not found:
        return [], 0
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
                "geometry": _point(row.lon, row.lat),
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
    return features, int(total)


def listing_features(
    filters: DirectoryFilters, kind: str, layer: str, cap: int
) -> tuple[list[dict], int]:
    organisation_filters = organisation_conditions(filters)
    conditions = [
        Listing.kind == kind,
        effective_status_is("open"),
        Listing.lat.is_not(None),
        Listing.lon.is_not(None),
        *organisation_filters,
    ]
    category = get_category_by_slug(filters.category) if filters.category else None
    if category is not None:
        conditions.append(Listing.category_id.in_(category_ids_with_descendants(category)))
    if filters.district:
        conditions.append(district_matches(Listing.district, filters.district))
    if filters.bbox is not None:
        west, south, east, north = filters.bbox
        conditions.append(Listing.lat.between(south, north))
        if west <= east:
            conditions.append(Listing.lon.between(west, east))
        else:
            conditions.append((Listing.lon >= west) | (Listing.lon <= east))
    if filters.q:
        ids = listing_ids_matching(
            filters.q,
            SearchFilters(kind=kind, category=filters.category, district=filters.district),
        )
        if not ids:
            return [], 0
        conditions.append(Listing.id.in_(ids))
    base = select(Listing.id).where(*conditions)
    if organisation_filters:
        base = base.join(Organisation, Organisation.id == Listing.organisation_id)
    # Count and newest ids come from ix_listings_map alone, in one pass (a window count over the
    # scan that sorts); only the page's rows are read from the table.
    newest = db.session.execute(
        base.add_columns(func.count().over().label("total"))
        .order_by(Listing.created_at.desc(), Listing.id.desc())
        .limit(cap)
    ).all()
    total = newest[0].total if newest else 0
    ids = [row.id for row in newest]
    found = {
        row.id: row
        for row in db.session.execute(
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
    }
    rows = [found[i] for i in ids if i in found]
    categories = _category_labels()
    url = _url_maker("listings.detail", "listing_id")
    features = []
    for row in rows:
        slug, label = categories.get(row.category_id, ("", ""))
        features.append(
            {
                "type": "Feature",
                "id": f"listing-{row.id}",
                "geometry": _point(row.lon, row.lat),
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
    return features, int(total)


def _url_maker(endpoint: str, argument: str):
    """An absolute URL per id without building a route each time (thousands per answer)."""
    prefix = url_for(endpoint, **{argument: 1}, _external=True).rsplit("/1", 1)
    return lambda value: f"{prefix[0]}/{value}{prefix[1]}"


def _category_labels() -> dict[int, tuple[str, str]]:
    language = current_language()
    return {c.id: (c.slug, c.name(language)) for c in db.session.scalars(select(Category))}
