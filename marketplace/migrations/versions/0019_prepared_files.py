"""Report files prepared by background jobs (issue 15: large exports and PDFs as jobs).

Revision ID: 0019_prepared_files
Revises: 0018_search_filter_columns
"""

import sqlalchemy as sa
from alembic import op

revision = "0019_prepared_files"
down_revision = "0018_search_filter_columns"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "prepared_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("language", sa.String(5), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("request_key", sa.String(64), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_prepared_files_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_prepared_files"),
    )
    op.create_index("ix_prepared_files_created_at", "prepared_files", ["created_at"])
    op.create_index(
        "ix_prepared_files_user_created", "prepared_files", ["user_id", "created_at"]
    )


def downgrade():
    op.drop_table("prepared_files")
