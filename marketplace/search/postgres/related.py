"""Matching's candidates on PostgreSQL: open listings of the wanted kind sharing weighted terms
with a listing (ranked like a search), and the nearest open listings of its categories."""

from collections.abc import Iterable

import sqlalchemy as sa

from marketplace.core.clock import today
from marketplace.search.engine import FilterSpec
from marketplace.search.postgres.documents import any_of, quote
from marketplace.search.postgres.sql import (
    FROM_DOCUMENTS,
    FROM_LISTINGS,
    WITH_CATEGORIES,
    filter_clause,
    rank_expression,
)
from marketplace.search.related import RelatedQuery, RelatedResult
from marketplace.search.schema import day_of


def _base(query: RelatedQuery, params: dict) -> str:
    spec = FilterSpec(
        statuses=frozenset({b"open"}), today=day_of(today()), kind=query.kind.encode()
    )
    where = filter_clause(spec, params)
    if query.exclude_organisation_id is not None:
        params["exclude"] = query.exclude_organisation_id
        where += " AND l.organisation_id <> :exclude"
    return where


def related_listings(conn, query: RelatedQuery) -> RelatedResult:
    """Candidates with their text scores (0.0: category only), and an ideal match's score."""
    found: dict[int, float] = {}
    ideal = 0.0
    if query.terms:
        params: dict = {"match": any_of(t for t, _ in query.terms), "limit": query.text_limit}
        where = _base(query, params)
        score = rank_expression(query.terms, params)
        statement = (
            f"SELECT l.listing_id AS id, {score} AS score {FROM_DOCUMENTS} "
            f"WHERE {where} AND l.document @@ CAST(:match AS tsquery) "
            "ORDER BY score DESC, l.listing_id ASC LIMIT :limit"
        )
        found.update((r.id, float(r.score)) for r in conn.execute(sa.text(statement), params))
        # Every term once in a title: what "matches all the words" scores.
        perfect = " ".join(f"{quote(t)}:{i + 1}A" for i, (t, _) in enumerate(query.terms))
        params = {"perfect": perfect}
        expression = rank_expression(query.terms, params, "CAST(:perfect AS tsvector)")
        ideal = float(conn.execute(sa.text(f"SELECT {expression}"), params).scalar_one())
    if query.categories and query.category_limit > 0:
        for listing_id in _nearest_in_categories(conn, query):
            found.setdefault(listing_id, 0.0)
    return RelatedResult(found, ideal)


def _nearest_in_categories(conn, query: RelatedQuery) -> list[int]:
    params: dict = {"slugs": list(query.categories), "limit": query.category_limit}
    where = _base(query, params) + " AND (c.slug = ANY(:slugs) OR p.slug = ANY(:slugs))"
    if query.near is not None:
        # Equirectangular distance: exact enough for ranking within a region.
        params["lat0"], params["lon0"] = query.near
        order = (
            "power(l.lat - :lat0, 2) + power((l.lon - :lon0) * cos(radians(:lat0)), 2) "
            "ASC NULLS LAST, l.id ASC"
        )
    else:
        order = "l.created_at DESC, l.id DESC"
    statement = (
        f"SELECT l.id {FROM_LISTINGS}{WITH_CATEGORIES} "  # noqa: S608
        f"WHERE {where} ORDER BY {order} LIMIT :limit"
    )
    return list(conn.execute(sa.text(statement), params).scalars())


def document_frequencies(conn, terms: Iterable[str]) -> tuple[int, dict[str, int]]:
    """The number of listing documents and how many hold each term."""
    terms = sorted(set(terms))
    total = conn.execute(sa.text("SELECT count(*) FROM search_listing_documents")).scalar_one()
    if not terms:
        return int(total), {}
    statement = sa.text(
        "SELECT t.term, (SELECT count(*) FROM search_listing_documents d "
        "WHERE d.document @@ CAST(t.q AS tsquery)) "
        "FROM unnest(CAST(:terms AS text[]), CAST(:queries AS text[])) AS t(term, q)"
    )
    rows = conn.execute(statement, {"terms": terms, "queries": [quote(t) for t in terms]})
    return int(total), {term: int(n) for term, n in rows}
