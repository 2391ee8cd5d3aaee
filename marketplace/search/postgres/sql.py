"""SQL pieces of the PostgreSQL backend: the filters of an engine.FilterSpec as a WHERE clause
over listings (l), their category (c) and its parent (p), ranking and distance expressions.
Every value is a bound parameter; only fixed SQL text is put together here.

`l` is either the listings table (no words: every listing) or the search documents, which hold
copies of the listing columns the filters read under the same names (tables.FILTER_COLUMNS)."""

from collections import Counter
from datetime import date, timedelta

from marketplace.search.engine import FilterSpec, Outcome
from marketplace.search.postgres.documents import (
    RANK_NORMALISATION,
    RANK_WEIGHTS,
    weighted_queries,
)

FROM_LISTINGS = "FROM listings l"
#: Where words are searched: the documents alone, no join with listings (the planner read every
#: live listing into a hash for a common word); their key is listing_id.
FROM_DOCUMENTS = "FROM search_listing_documents l"
#: Joined only for the filters that read a category (categories_needed).
WITH_CATEGORIES = (
    " JOIN categories c ON c.id = l.category_id LEFT JOIN categories p ON p.id = c.parent_id"
)
#: listings.liveness.overdue in SQL: a live listing past its date counts as expired for searching.
OVERDUE = "(l.status IN ('open', 'reserved') AND l.available_until < :today)"
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


def categories_needed(spec: FilterSpec) -> bool:
    """Whether filter_clause(spec) reads the category (c) and its parent (p)."""
    return spec.category is not None or spec.resource_type is not None


def filter_clause(spec: FilterSpec, params: dict) -> str:
    """The WHERE conditions of the filters (joined with AND); fills `params`."""
    params["today"] = _EPOCH + timedelta(days=spec.today)
    out = []
    if spec.statuses is not None:
        params["statuses"] = [s.decode() for s in sorted(spec.statuses)]
        # Not CASE over the status: the planner estimates plain conditions on status from its
        # statistics (a CASE it guessed at 0.1 % of the rows and chose a nested loop).
        effective = f"(l.status = ANY(:statuses) AND NOT coalesce({OVERDUE}, false))"
        if b"expired" in spec.statuses:
            effective = f"({effective} OR coalesce({OVERDUE}, false))"
        out.append(effective)
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


def rank_expression(scoring, params: dict, document: str = "l.document") -> str:
    """Sum of weight * ts_rank over the scoring terms grouped by weight ("0" for none)."""
    parts = []
    for i, (weight, tsquery) in enumerate(weighted_queries(scoring)):
        params[f"rank_{i}"] = tsquery
        parts.append(
            f"{weight} * ts_rank({_RANK_WEIGHTS}, {document}, "
            f"CAST(:rank_{i} AS tsquery), {RANK_NORMALISATION})"
        )
    return " + ".join(parts) or "0"


#: Sorts over the columns of a statement of matches (see page_statement).
ORDER = {
    "newest": "created_at DESC, id DESC",
    "ending_soon": "available_until ASC NULLS LAST, created_at DESC, id DESC",
    "nearest": "distance ASC NULLS LAST, created_at DESC, id DESC",
    "relevance": "score DESC, id ASC",
}
#: Facet counts from the matches grouped once by (kind, district, category_id): a few hundred
#: groups, summed per facet; a listing counts for its category and for the parent.
_FACETS = (
    "SELECT 'total', NULL, NULL, NULL, CAST(coalesce(sum(n), 0) AS bigint) FROM g",
    "SELECT 'kind', NULL, NULL, kind, CAST(sum(n) AS bigint) FROM g GROUP BY kind",
    "SELECT 'district', NULL, NULL, district, CAST(sum(n) AS bigint) FROM g GROUP BY district",
    "SELECT 'category', NULL, NULL, c.slug, CAST(sum(g.n) AS bigint) FROM g "
    "JOIN categories c ON c.id = g.category_id GROUP BY c.slug",
    "SELECT 'category', NULL, NULL, p.slug, CAST(sum(g.n) AS bigint) FROM g "
    "JOIN categories c ON c.id = g.category_id JOIN categories p ON p.id = c.parent_id "
    "GROUP BY p.slug",
)


def page_statement(matches: str, order: str, facets: bool) -> str:
    """One statement for a page: the top rows of `matches` (id, created_at, available_until,
    kind, district, category_id, distance, score) in `order`, the total and, with facets,
    the counts by kind, district and category: the matches are found once, and read once
    more for all the counts (not once per facet).
    Rows: (part, id, distance, value, n)."""
    # The place in the order travels along: UNION ALL promises no order of its rows.
    # Numbered after the LIMIT: a window over all matches would sort them all.
    top = (
        f"SELECT id, distance, row_number() OVER (ORDER BY {order}) AS place "  # noqa: S608
        f"FROM (SELECT * FROM m ORDER BY {order} LIMIT :limit) AS page"
    )
    parts = [f"SELECT 'top' AS part, id, distance, NULL AS value, place AS n FROM ({top}) AS t"]  # noqa: S608
    if not facets:
        parts.append("SELECT 'total', NULL, NULL, NULL, count(*) FROM m")
        return f"WITH m AS ({matches}) " + " UNION ALL ".join(parts)
    groups = "SELECT kind, district, category_id, count(*) AS n FROM m GROUP BY 1, 2, 3"
    return f"WITH m AS MATERIALIZED ({matches}), g AS ({groups}) " + " UNION ALL ".join(
        parts + list(_FACETS)
    )


def outcome(rows, facets: bool, with_distance: bool) -> Outcome:
    """The engine.Outcome of a page_statement's rows."""
    places, distances, total = [], {}, 0
    counters: dict[str, Counter] = {"category": Counter(), "kind": Counter(), "district": Counter()}
    for part, listing_id, distance, value, n in rows:
        if part == "top":
            places.append((n, listing_id))
            if with_distance and distance is not None:
                distances[listing_id] = round(distance, 1)
        elif part == "total":
            total = int(n)
        elif value:
            counters[part][value] += int(n)
    ids = [listing_id for _, listing_id in sorted(places)]
    return Outcome(ids, total, counters if facets else {}, distances)
