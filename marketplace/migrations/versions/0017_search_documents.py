"""Search documents for the PostgreSQL search backend (MARKETPLACE_SEARCH_BACKEND=postgres):
listings' and organisations' tsvectors with GIN indexes, the spellings table with a pg_trgm
index, and the version sequence cached pages are keyed on. PostgreSQL only: on SQLite nothing
is created (the whoosh backend keeps its index in a folder).

Fill them with `flask --app wsgi search reindex` after switching the backend.

Revision ID: 0017_search_documents
Revises: 0016_audit_log
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import TSVECTOR

revision = "0017_search_documents"
down_revision = "0016_audit_log"
branch_labels = None
depends_on = None


def _trigram_schema(bind) -> str:
    # In public when there is one: an extension exists once per database, and a schema of
    # its own (one per test worker) would take it along when dropped.
    public = bind.execute(sa.text("SELECT 1 FROM pg_namespace WHERE nspname = 'public'")).first()
    create = "CREATE EXTENSION IF NOT EXISTS pg_trgm" + (" SCHEMA public" if public else "")
    try:
        with bind.begin_nested():
            bind.execute(sa.text(create))
    except sa.exc.DBAPIError as error:
        raise RuntimeError(
            "Migration 0017_search_documents needs the PostgreSQL extension pg_trgm (Debian: "
            "postgresql-contrib) and the right to create it. Have a superuser run "
            "'CREATE EXTENSION pg_trgm;' in this database, then upgrade again."
        ) from error
    return bind.execute(
        sa.text(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname = 'pg_trgm'"
        )
    ).scalar_one()


def _documents_table(name: str, key: str, target: str) -> None:
    op.create_table(
        name,
        sa.Column(key, sa.Integer(), nullable=False),
        sa.Column("document", TSVECTOR(), nullable=False),
        sa.ForeignKeyConstraint([key], [f"{target}.id"], name=f"fk_{name}", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint(key, name=f"pk_{name}"),
    )
    op.create_index(f"ix_{name}_document", name, ["document"], postgresql_using="gin")


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    schema = _trigram_schema(bind)
    _documents_table("search_listing_documents", "listing_id", "listings")
    op.add_column("search_listing_documents", sa.Column("stamp", sa.DateTime(), nullable=True))
    _documents_table("search_organisation_documents", "organisation_id", "organisations")
    op.create_table(
        "search_spellings",
        sa.Column("word", sa.Text(collation="C"), nullable=False),
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["listing_id"], ["listings.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("word", "listing_id", name="pk_search_spellings"),
    )
    op.create_index("ix_search_spellings_listing_id", "search_spellings", ["listing_id"])
    op.execute(
        "CREATE INDEX ix_search_spellings_word_trgm ON search_spellings "
        f'USING gin (word "{schema}".gin_trgm_ops)'
    )
    op.execute("CREATE SEQUENCE search_version")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP SEQUENCE IF EXISTS search_version")
    op.drop_table("search_spellings")
    op.drop_table("search_organisation_documents")
    op.drop_table("search_listing_documents")
