"""The directory's organisation search on PostgreSQL: the same plans and ranking as listings,
the kind and district read from the organisations table."""

import sqlalchemy as sa

from marketplace.search import query
from marketplace.search.organisations import OrganisationResult, check_organisation_query
from marketplace.search.postgres.documents import match_query
from marketplace.search.postgres.sql import rank_expression


def _matching(conn, plan: query.Plan, where: str, params: dict, offset: int, limit: int):
    params = {**params, "match": match_query(plan), "offset": offset, "limit": limit}
    score = rank_expression(plan.scoring, params, "d.document")
    statement = (
        f"SELECT o.id, count(*) OVER () AS total, {score} AS score FROM organisations o "  # noqa: S608
        "JOIN search_organisation_documents d ON d.organisation_id = o.id "
        f"WHERE d.document @@ CAST(:match AS tsquery) AND {where} "
        "ORDER BY score DESC, o.id ASC OFFSET :offset LIMIT :limit"
    )
    return conn.execute(sa.text(statement), params).all()


def _relaxed(conn, parsed, where, params, offset, limit):
    rows = _matching(conn, query.plan(parsed), where, params, offset, limit)
    if not rows and offset == 0 and len(parsed.words) + len(parsed.phrases) > 1:
        rows = _matching(conn, query.plan(parsed, match_all_words=False), where, params, 0, limit)
    return rows


def search_organisations(conn, q, *, kind=None, district=None, page=1, per_page=20):
    """Organisation ids in order (relevance with q, else by name) and the total."""
    page, per_page = check_organisation_query(kind, page, per_page)
    parsed = query.parse(q)
    conditions, params = ["TRUE"], {}
    if kind:
        conditions.append("o.kind = :kind")
        params["kind"] = kind
    if district and district.strip():
        conditions.append("lower(o.district) = :district")
        params["district"] = district.strip().casefold()
    where = " AND ".join(conditions)
    offset = (page - 1) * per_page
    if parsed.is_empty:
        statement = (
            f"SELECT o.id, count(*) OVER () AS total FROM organisations o WHERE {where} "  # noqa: S608
            "ORDER BY lower(o.name), o.id OFFSET :offset LIMIT :limit"
        )
        rows = conn.execute(
            sa.text(statement), {**params, "offset": offset, "limit": per_page}
        ).all()
    else:
        rows = _relaxed(conn, parsed, where, params, offset, per_page)
    total = rows[0].total if rows else _count(conn, parsed, where, params)
    return OrganisationResult([r.id for r in rows], total, page, per_page)


def _count(conn, parsed, where, params) -> int:
    """The total when the page asked for lies past the end."""
    if parsed.is_empty:
        statement = f"SELECT count(*) FROM organisations o WHERE {where}"  # noqa: S608
        return int(conn.execute(sa.text(statement), params).scalar_one())
    return len(_relaxed(conn, parsed, where, params, 0, 100_000))


def organisation_ids(conn, q, *, limit: int) -> list[int]:
    """Every organisation the words find (at most `limit`), best first."""
    parsed = query.parse(q)
    if parsed.is_empty:
        return []
    return [r.id for r in _relaxed(conn, parsed, "TRUE", {}, 0, limit)]
