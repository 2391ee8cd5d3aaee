"""Reads what the index needs from the database (the truth), with SQLAlchemy Core on a plain
connection so that it works inside session events and in build worker processes alike."""

from collections.abc import Iterable, Iterator
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from marketplace.categories.models import Category
from marketplace.listings.models import Listing
from marketplace.orgs.models import Organisation

listings = Listing.__table__
organisations = Organisation.__table__
categories = Category.__table__
_parents = aliased(categories, name="parent_category")

#: Larger IN lists are split so that no database refuses the statement.
_IN_CHUNK = 500


def listing_rows_select() -> sa.Select:
    """One row per listing with everything the index document holds."""
    return (
        sa.select(
            listings.c.id,
            listings.c.title,
            listings.c.description,
            listings.c.kind,
            listings.c.status,
            listings.c.district,
            listings.c.lat,
            listings.c.lon,
            listings.c.available_until,
            listings.c.created_at,
            listings.c.updated_at,
            listings.c.organisation_id,
            organisations.c.name.label("organisation_name"),
            categories.c.slug.label("category_slug"),
            categories.c.name_de.label("category_name_de"),
            categories.c.name_en.label("category_name_en"),
            categories.c.resource_type,
            _parents.c.slug.label("parent_slug"),
            _parents.c.name_de.label("parent_name_de"),
            _parents.c.name_en.label("parent_name_en"),
        )
        .select_from(listings)
        .join(categories, categories.c.id == listings.c.category_id)
        .outerjoin(_parents, _parents.c.id == categories.c.parent_id)
        .join(organisations, organisations.c.id == listings.c.organisation_id)
    )


def rows_for_ids(conn: sa.Connection, ids: Iterable[int]) -> list:
    ids = sorted(set(ids))
    rows = []
    for start in range(0, len(ids), _IN_CHUNK):
        chunk = ids[start : start + _IN_CHUNK]
        rows.extend(conn.execute(listing_rows_select().where(listings.c.id.in_(chunk))).all())
    return rows


def iter_rows(
    conn: sa.Connection, *, batch: int = 2000, id_modulo: tuple[int, int] | None = None
) -> Iterator:
    """Every listing in id order, fetched by keyset pages; `id_modulo=(k, n)` takes only the
    ids with id % n == k (one share of a parallel build)."""
    last = 0
    while True:
        stmt = listing_rows_select().where(listings.c.id > last)
        if id_modulo:
            stmt = stmt.where(listings.c.id % id_modulo[1] == id_modulo[0])
        rows = conn.execute(stmt.order_by(listings.c.id).limit(batch)).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].id


def texts_for_ids(conn: sa.Connection, ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """(title, description) by id, for the highlights of the page shown."""
    ids = list(ids)
    if not ids:
        return {}
    stmt = sa.select(listings.c.id, listings.c.title, listings.c.description).where(
        listings.c.id.in_(ids)
    )
    return {row.id: (row.title or "", row.description or "") for row in conn.execute(stmt)}


def listing_count(conn: sa.Connection) -> tuple[int, datetime | None]:
    """How many listings the database holds and the newest updated_at."""
    row = conn.execute(sa.select(sa.func.count(), sa.func.max(listings.c.updated_at))).one()
    return int(row[0]), row[1]


def listing_total(conn: sa.Connection) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(listings)).scalar_one())


def versions_since(conn: sa.Connection, since: datetime | None) -> list[tuple[int, datetime]]:
    """(id, updated_at) of listings changed after `since` (all listings when None)."""
    stmt = sa.select(listings.c.id, listings.c.updated_at)
    if since is not None:
        stmt = stmt.where(listings.c.updated_at > since)
    return [(row[0], row[1]) for row in conn.execute(stmt)]


def all_ids(conn: sa.Connection) -> set[int]:
    return set(conn.execute(sa.select(listings.c.id)).scalars())


def listing_ids_of_organisations(conn: sa.Connection, org_ids: Iterable[int]) -> list[int]:
    org_ids = list(org_ids)
    if not org_ids:
        return []
    stmt = sa.select(listings.c.id).where(listings.c.organisation_id.in_(org_ids))
    return list(conn.execute(stmt).scalars())
