"""The search documents' tables (created by migrations 0017_search_documents and
0018_search_filter_columns, PostgreSQL only).

Kept out of db.metadata: they exist only on PostgreSQL, and only the search package writes them.
A listing's document also holds copies of the listing columns that filters, facets and sorts
read (FILTER_COLUMNS, migration 0018): a text search then reads one table, not the documents
joined with every live listing. They are written with the text, in the listing's transaction;
an expiry needs no rewrite (an overdue date is compared with today at query time).
"""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import TSVECTOR

from marketplace.search.documents import listings, organisations

metadata = sa.MetaData()


def _documents(name: str, key: str, target: sa.Column) -> sa.Table:
    """A table of one tsvector per row of `target`'s table (GIN indexed), gone with the row."""
    table = sa.Table(
        name,
        metadata,
        sa.Column(
            key,
            sa.Integer,
            sa.ForeignKey(target, ondelete="CASCADE", name=f"fk_{name}"),
            primary_key=True,
        ),
        sa.Column("document", TSVECTOR, nullable=False),
    )
    sa.Index(f"ix_{name}_document", table.c.document, postgresql_using="gin")
    return table


#: Title (weights A/B), description (C/D), context (D): see documents.weight_of.
listing_documents = _documents("search_listing_documents", "listing_id", listings.c.id)
#: The listing's updated_at when the document was built: what a bulk change left behind.
listing_documents.append_column(sa.Column("stamp", sa.DateTime, nullable=True))
#: Listing columns copied into its document, under the same names (sql.filter_clause reads
#: either table as `l`); search check rewrites a document whose copies differ from the row.
FILTER_COLUMNS = (
    "status",
    "kind",
    "category_id",
    "organisation_id",
    "district",
    "lat",
    "lon",
    "available_until",
    "created_at",
)
for _name in FILTER_COLUMNS:
    _column = listings.c[_name]
    listing_documents.append_column(sa.Column(_name, _column.type, nullable=_column.nullable))
organisation_documents = _documents(
    "search_organisation_documents", "organisation_id", organisations.c.id
)

#: The surface words of titles and category names per listing, for "did you mean" (pg_trgm's
#: similarity over the distinct words of a prefix range) and completion (prefix ranges: C
#: collation). One row per word and listing, so concurrent writers never update a shared
#: counter.
spellings = sa.Table(
    "search_spellings",
    metadata,
    sa.Column("word", sa.Text(collation="C"), primary_key=True),
    sa.Column(
        "listing_id",
        sa.Integer,
        sa.ForeignKey(listings.c.id, ondelete="CASCADE", name="fk_search_spellings_listing_id"),
        primary_key=True,
    ),
)
sa.Index("ix_search_spellings_listing_id", spellings.c.listing_id)

#: Bumped after every commit that changed listings: the version cached pages are keyed on.
version_sequence = sa.Sequence("search_version", metadata=metadata)


def create_all(conn: sa.Connection) -> None:
    """Create the tables (tests; installations get them from the migrations)."""
    metadata.create_all(conn)
