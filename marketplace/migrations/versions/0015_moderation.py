"""Trust and moderation: saved listings, reports of listings, hidings with their appeal, and
the append-only moderation audit log.

Revision ID: 0015_moderation
Revises: 0014_consent
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_moderation"
down_revision = "0014_consent"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "listing_favourites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_listing_favourites_user_id_users", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["listing_id"],
            ["listings.id"],
            name="fk_listing_favourites_listing_id_listings",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_listing_favourites"),
        sa.UniqueConstraint("user_id", "listing_id", name="uq_listing_favourites_user_id"),
    )
    op.create_index("ix_listing_favourites_listing_id", "listing_favourites", ["listing_id"])

    op.create_table(
        "listing_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["listing_id"],
            ["listings.id"],
            name="fk_listing_reports_listing_id_listings",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"], ["users.id"], name="fk_listing_reports_reporter_id_users"
        ),
        sa.ForeignKeyConstraint(
            ["closed_by_id"], ["users.id"], name="fk_listing_reports_closed_by_id_users"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_listing_reports"),
    )
    op.create_index(
        "uq_listing_reports_open",
        "listing_reports",
        ["listing_id", "reporter_id"],
        unique=True,
        sqlite_where=sa.text("status = 'open'"),
        postgresql_where=sa.text("status = 'open'"),
    )
    op.create_index(
        "ix_listing_reports_status_listing", "listing_reports", ["status", "listing_id"]
    )
    op.create_index(
        "ix_listing_reports_reporter_created", "listing_reports", ["reporter_id", "created_at"]
    )

    op.create_table(
        "listing_hidings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("previous_status", sa.String(length=12), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("hidden_by_id", sa.Integer(), nullable=False),
        sa.Column("hidden_at", sa.DateTime(), nullable=False),
        sa.Column("appeal_text", sa.Text(), nullable=True),
        sa.Column("appealed_by_id", sa.Integer(), nullable=True),
        sa.Column("appealed_at", sa.DateTime(), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["listing_id"],
            ["listings.id"],
            name="fk_listing_hidings_listing_id_listings",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["hidden_by_id"], ["users.id"], name="fk_listing_hidings_hidden_by_id_users"
        ),
        sa.ForeignKeyConstraint(
            ["appealed_by_id"], ["users.id"], name="fk_listing_hidings_appealed_by_id_users"
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name="fk_listing_hidings_decided_by_id_users"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_listing_hidings"),
    )
    op.create_index(
        "uq_listing_hidings_active",
        "listing_hidings",
        ["listing_id"],
        unique=True,
        sqlite_where=sa.text("state IN ('hidden', 'appealed', 'upheld')"),
        postgresql_where=sa.text("state IN ('hidden', 'appealed', 'upheld')"),
    )
    op.create_index("ix_listing_hidings_state", "listing_hidings", ["state"])

    op.create_table(
        "moderation_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=12), nullable=False),
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name="fk_moderation_events_actor_id_users"
        ),
        sa.ForeignKeyConstraint(
            ["listing_id"],
            ["listings.id"],
            name="fk_moderation_events_listing_id_listings",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_moderation_events"),
    )
    op.create_index("ix_moderation_events_created_at", "moderation_events", ["created_at"])
    op.create_index(
        "ix_moderation_events_listing_created", "moderation_events", ["listing_id", "created_at"]
    )


def downgrade():
    op.drop_table("moderation_events")
    op.drop_table("listing_hidings")
    op.drop_table("listing_reports")
    op.drop_table("listing_favourites")
