"""Matching: pairs not of interest, alerts about new listings, saved searches, e-mail choice.

Revision ID: 0005_matching
Revises: 0004_listings_updated_at
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_matching"
down_revision = "0004_listings_updated_at"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "match_dismissals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["listings.id"],
            name=op.f("fk_match_dismissals_candidate_id_listings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_match_dismissals_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["listing_id"],
            ["listings.id"],
            name=op.f("fk_match_dismissals_listing_id_listings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_match_dismissals_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_match_dismissals")),
        sa.UniqueConstraint(
            "organisation_id",
            "listing_id",
            "candidate_id",
            name=op.f("uq_match_dismissals_organisation_id"),
        ),
    )
    op.create_index("ix_match_dismissals_candidate_id", "match_dismissals", ["candidate_id"])
    op.create_index("ix_match_dismissals_listing_id", "match_dismissals", ["listing_id"])

    op.create_table(
        "saved_searches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("q", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=True),
        sa.Column("category", sa.String(length=60), nullable=True),
        sa.Column("near", sa.String(length=5), nullable=True),
        sa.Column("radius_km", sa.Double(), nullable=True),
        sa.Column("alerts", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_saved_searches_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_saved_searches_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_searches")),
    )
    op.create_index(
        op.f("ix_saved_searches_organisation_id"), "saved_searches", ["organisation_id"]
    )
    op.create_index(op.f("ix_saved_searches_user_id"), "saved_searches", ["user_id"])

    op.create_table(
        "match_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("own_listing_id", sa.Integer(), nullable=True),
        sa.Column("saved_search_id", sa.Integer(), nullable=True),
        sa.Column("score", sa.Double(), nullable=True),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=True),
        sa.Column("dismissed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["listing_id"],
            ["listings.id"],
            name=op.f("fk_match_alerts_listing_id_listings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_match_alerts_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["own_listing_id"],
            ["listings.id"],
            name=op.f("fk_match_alerts_own_listing_id_listings"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["saved_search_id"],
            ["saved_searches.id"],
            name=op.f("fk_match_alerts_saved_search_id_saved_searches"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_match_alerts")),
        sa.UniqueConstraint(
            "organisation_id", "listing_id", name=op.f("uq_match_alerts_organisation_id")
        ),
    )
    op.create_index(op.f("ix_match_alerts_listing_id"), "match_alerts", ["listing_id"])
    op.create_index(
        "ix_match_alerts_organisation_id_created_at",
        "match_alerts",
        ["organisation_id", "created_at"],
    )

    op.create_table(
        "match_alert_settings",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=10), nullable=False),
        sa.Column("mailed_until", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_match_alert_settings_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_match_alert_settings")),
    )


def downgrade():
    op.drop_table("match_alert_settings")
    op.drop_index("ix_match_alerts_organisation_id_created_at", table_name="match_alerts")
    op.drop_index(op.f("ix_match_alerts_listing_id"), table_name="match_alerts")
    op.drop_table("match_alerts")
    op.drop_index(op.f("ix_saved_searches_user_id"), table_name="saved_searches")
    op.drop_index(op.f("ix_saved_searches_organisation_id"), table_name="saved_searches")
    op.drop_table("saved_searches")
    op.drop_index("ix_match_dismissals_listing_id", table_name="match_dismissals")
    op.drop_index("ix_match_dismissals_candidate_id", table_name="match_dismissals")
    op.drop_table("match_dismissals")
