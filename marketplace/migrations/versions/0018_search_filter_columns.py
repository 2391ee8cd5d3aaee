"""Listing documents hold copies of the listing columns that search filters, facets and sorts
read (status, kind, category, organisation, district, coordinates, dates): a text search then
reads the documents alone instead of joining every live listing. Filled from the listings here,
so no reindex is needed; PostgreSQL only (on SQLite there are no documents).

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


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, _, _ in reversed(_COLUMNS):
        op.drop_column("search_listing_documents", name)
