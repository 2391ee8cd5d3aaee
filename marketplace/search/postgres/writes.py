"""Writing the search documents: inside the transaction of the rows (session hooks), after a
bulk statement, and in batches for a rebuild. Each statement takes arrays (one round trip per
batch); a document is never replaced by one built from an older version of its listing."""

from collections.abc import Iterable

import sqlalchemy as sa

from marketplace.search import documents
from marketplace.search.organisations import organisation_rows_select
from marketplace.search.postgres.documents import listing_fields, organisation_vector
from marketplace.search.postgres.tables import FILTER_COLUMNS

_COPIES = ", ".join(FILTER_COLUMNS)
#: The filter columns are copied from the row as this statement sees it; the stamp condition
#: keeps a newer document (written by the row's own later transaction) from being replaced.
_UPSERT_LISTINGS = sa.text(
    f"INSERT INTO search_listing_documents (listing_id, document, stamp, {_COPIES}) "  # noqa: S608
    "SELECT t.i, CAST(t.v AS tsvector), t.s, "
    + ", ".join(f"l.{c}" for c in FILTER_COLUMNS)
    + " FROM unnest(CAST(:ids AS integer[]), CAST(:docs AS text[]), "
    "CAST(:stamps AS timestamp[])) AS t(i, v, s) JOIN listings l ON l.id = t.i "
    "ON CONFLICT (listing_id) DO UPDATE SET document = excluded.document, stamp = excluded.stamp, "
    + ", ".join(f"{c} = excluded.{c}" for c in FILTER_COLUMNS)
    + " WHERE search_listing_documents.stamp IS NULL OR excluded.stamp IS NULL "
    "OR search_listing_documents.stamp <= excluded.stamp "
    "RETURNING listing_id"
)
_DELETE_SPELLINGS = sa.text("DELETE FROM search_spellings WHERE listing_id = ANY(:ids)")
_INSERT_SPELLINGS = sa.text(
    "INSERT INTO search_spellings (word, listing_id) "
    "SELECT * FROM unnest(CAST(:words AS text[]), CAST(:ids AS integer[])) "
    "ON CONFLICT DO NOTHING"
)
_UPSERT_ORGANISATIONS = sa.text(
    "INSERT INTO search_organisation_documents (organisation_id, document) "
    "SELECT t.i, CAST(t.v AS tsvector) FROM unnest("
    "CAST(:ids AS integer[]), CAST(:docs AS text[])) AS t(i, v) "
    "WHERE EXISTS (SELECT 1 FROM organisations WHERE organisations.id = t.i) "
    "ON CONFLICT (organisation_id) DO UPDATE SET document = excluded.document"
)
#: Missing, older than the row, or with copies of its columns that differ (a statement that
#: changed them without updated_at).
_STALE = sa.text(
    "SELECT l.id FROM listings l "  # noqa: S608 - fixed column names
    "LEFT JOIN search_listing_documents d ON d.listing_id = l.id "
    "WHERE d.listing_id IS NULL OR d.stamp IS DISTINCT FROM l.updated_at OR "
    + " OR ".join(f"d.{c} IS DISTINCT FROM l.{c}" for c in FILTER_COLUMNS)
)


def write_rows(conn: sa.Connection, rows) -> int:
    """Documents and spellings of listing rows (documents.listing_rows_select()); returns how
    many documents were written."""
    if not rows:
        return 0
    fields = {row.id: listing_fields(row) for row in rows}
    written = conn.execute(
        _UPSERT_LISTINGS,
        {
            "ids": list(fields),
            "docs": [vector for vector, _ in fields.values()],
            "stamps": [row.updated_at for row in rows],
        },
    ).scalars()
    written = list(written)
    if written:
        conn.execute(_DELETE_SPELLINGS, {"ids": written})
        pairs = [(w, i) for i in written for w in sorted(fields[i][1])]
        if pairs:
            conn.execute(
                _INSERT_SPELLINGS,
                {"words": [w for w, _ in pairs], "ids": [i for _, i in pairs]},
            )
    return len(written)


def write_listings(conn: sa.Connection, ids: Iterable[int]) -> int:
    """(Re-)write the documents of listings; deleted ones went with their rows (ON DELETE
    CASCADE)."""
    return write_rows(conn, documents.rows_for_ids(conn, ids))


def write_organisations(conn: sa.Connection, rows) -> None:
    rows = list(rows)
    if rows:
        conn.execute(
            _UPSERT_ORGANISATIONS,
            {"ids": [r.id for r in rows], "docs": [organisation_vector(r) for r in rows]},
        )


def write_organisation_ids(conn: sa.Connection, ids: Iterable[int] | None = None) -> int:
    """(Re-)write organisation documents by id (None: all of them)."""
    stmt = organisation_rows_select()
    if ids is not None:
        ids = sorted(set(ids))
        if not ids:
            return 0
        stmt = stmt.where(documents.organisations.c.id.in_(ids))
    rows = conn.execute(stmt).all()
    write_organisations(conn, rows)
    return len(rows)


def stale_ids(conn: sa.Connection) -> list[int]:
    """Listings without a document or with one older than the row (after bulk statements)."""
    return list(conn.execute(_STALE).scalars())


def missing_organisation_ids(conn: sa.Connection) -> list[int]:
    stmt = sa.text(
        "SELECT o.id FROM organisations o LEFT JOIN search_organisation_documents d "
        "ON d.organisation_id = o.id WHERE d.organisation_id IS NULL"
    )
    return list(conn.execute(stmt).scalars())
