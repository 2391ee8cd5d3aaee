"""Listing documents hold copies of the listing columns that search filters, facets and sorts
read (status, kind, category, organisation, district, coordinates, dates): a text search then
reads the documents alone instead of joining every live listing. Filled from the listings here,
so no reindex is needed; PostgreSQL only (on SQLite there are no documents).

The trigram index on search_spellings goes: "did you mean" now compares the few distinct words
of a prefix range (pg_trgm's similarity stays in use), and the index held one entry per word and
listing.

Revision ID: 0018_search_filter_columns
Revises: 0017_search_documents
"""

import sqlalchemy as sa
from alembic import op

revision = "0018_search_filter_columns"
down_revision = "0017_search_documents"
branch_labels = None
depends_on = None

#: (column, type, nullable): as in listings (search/postgres/tables.py FILTER_COLUMNS).
_COLUMNS = (
    ("status", sa.String(12), False),
    ("kind", sa.String(10), False),
    ("category_id", sa.Integer(), False),
    ("organisation_id", sa.Integer(), False),
    ("district", sa.String(120), True),
    ("lat", sa.Float(precision=53), True),
    ("lon", sa.Float(precision=53), True),
    ("available_until", sa.Date(), True),
    ("created_at", sa.DateTime(), False),
)


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, type_, _ in _COLUMNS:
        op.add_column("search_listing_documents", sa.Column(name, type_, nullable=True))
    names = [name for name, _, _ in _COLUMNS]
    op.execute(
        f"UPDATE search_listing_documents d SET ({', '.join(names)}) = "  # noqa: S608
        f"({', '.join(f'l.{n}' for n in names)}) FROM listings l WHERE l.id = d.listing_id"
    )
    for name, _, nullable in _COLUMNS:
        if not nullable:
            op.alter_column("search_listing_documents", name, nullable=False)
    op.execute("DROP INDEX IF EXISTS ix_search_spellings_word_trgm")


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    schema = bind.execute(
        sa.text(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname = 'pg_trgm'"
        )
    ).scalar_one()
    op.execute(
        "CREATE INDEX IF NOT EXISTS ix_search_spellings_word_trgm ON search_spellings "
        f'USING gin (word "{schema}".gin_trgm_ops)'
    )
    for name, _, _ in reversed(_COLUMNS):
        op.drop_column("search_listing_documents", name)
