"""SQL pieces of the PostgreSQL backend: the filters of an engine.FilterSpec as a WHERE clause
over listings (l), their category (c) and its parent (p), ranking and distance expressions.
Every value is a bound parameter; only fixed SQL text is put together here."""

from datetime import date, timedelta

from marketplace.search.engine import FilterSpec
from marketplace.search.postgres.documents import (
    RANK_NORMALISATION,
    RANK_WEIGHTS,
    weighted_queries,
)

FROM_LISTINGS = (
    "FROM listings l JOIN categories c ON c.id = l.category_id "
    "LEFT JOIN categories p ON p.id = c.parent_id"
)
WITH_DOCUMENTS = " JOIN search_listing_documents d ON d.listing_id = l.id"
#: The status a listing has for searching: a live one past its date counts as expired.
EFFECTIVE_STATUS = (
    "(CASE WHEN l.status IN ('open', 'reserved') AND l.available_until < :today "
    "THEN 'expired' ELSE l.status END)"
)
_EPOCH = date(1970, 1, 1)
_RANK_WEIGHTS = "'{" + ",".join(str(w) for w in RANK_WEIGHTS) + "}'"


def distance_km(lat: str, lon: str) -> str:
    """Great-circle km from (:near_lat, :near_lon), as the whoosh engine measures it."""
    return (
        "(12742.0176 * asin(least(1.0, sqrt("
        f"power(sin(radians(CAST({lat} AS float8) - :near_lat) / 2), 2) + "
        f"cos(radians(:near_lat)) * cos(radians(CAST({lat} AS float8))) * "
        f"power(sin(radians(CAST({lon} AS float8) - :near_lon) / 2), 2)))))"
    )


def filter_clause(spec: FilterSpec, params: dict) -> str:
    """The WHERE conditions of the filters (joined with AND); fills `params`."""
    params["today"] = _EPOCH + timedelta(days=spec.today)
    out = []
    if spec.statuses is not None:
        params["statuses"] = [s.decode() for s in sorted(spec.statuses)]
        out.append(f"{EFFECTIVE_STATUS} = ANY(:statuses)")
    # Withdrawn and hidden (moderation) listings: only their own organisation finds them.
    private = [
        s for s in ("withdrawn", "hidden") if spec.statuses is None or s.encode() in spec.statuses
    ]
    if private:
        params["private"] = private
        params["viewer"] = spec.viewer_organisation_id
        out.append(
            "NOT (l.status = ANY(:private) AND "
            "l.organisation_id IS DISTINCT FROM CAST(:viewer AS integer))"
        )
    for name, column in (
        ("kind", "l.kind"),
        ("resource_type", "c.resource_type"),
        ("organisation_id", "l.organisation_id"),
    ):
        value = getattr(spec, name)
        if value is not None:
            params[name] = value.decode() if isinstance(value, bytes) else value
            out.append(f"{column} = :{name}")
    if spec.category is not None:
        params["category"] = spec.category.decode()
        out.append("(c.slug = :category OR p.slug = :category)")
    if spec.district is not None:
        params["district"] = spec.district
        out.append("lower(l.district) = :district")
    if spec.near is not None:
        lat, lon, radius = spec.near
        params.update(near_lat=lat, near_lon=lon, radius=radius)
        out.append(f"{distance_km('l.lat', 'l.lon')} <= :radius")
    return " AND ".join(out) or "TRUE"


def rank_expression(scoring, params: dict, document: str = "d.document") -> str:
    """Sum of weight * ts_rank over the scoring terms grouped by weight ("0" for none)."""
    parts = []
    for i, (weight, tsquery) in enumerate(weighted_queries(scoring)):
        params[f"rank_{i}"] = tsquery
        parts.append(
            f"{weight} * ts_rank({_RANK_WEIGHTS}, {document}, "
            f"CAST(:rank_{i} AS tsquery), {RANK_NORMALISATION})"
        )
    return " + ".join(parts) or "0"


ORDER = {
    "newest": "l.created_at DESC, l.id DESC",
    "ending_soon": "l.available_until ASC NULLS LAST, l.created_at DESC, l.id DESC",
    "nearest": "distance ASC NULLS LAST, l.created_at DESC, l.id DESC",
    "relevance": "score DESC, l.id ASC",
}
