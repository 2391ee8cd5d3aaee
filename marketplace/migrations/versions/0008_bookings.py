"""Lending and booking: an offer's mode and capacity, bookings, their rules and calendar feeds.

Revision ID: 0008_bookings
Revises: 0007_directory
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_bookings"
down_revision = "0007_directory"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("listings") as batch:
        batch.add_column(sa.Column("mode", sa.String(length=4), server_default="give", nullable=False))
        batch.add_column(sa.Column("capacity", sa.Integer(), server_default="1", nullable=False))
    op.create_table(
        "bookings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("borrower_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("start_at", sa.DateTime(), nullable=False),
        sa.Column("end_at", sa.DateTime(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("accepted_at", sa.DateTime(), nullable=True),
        sa.Column("declined_at", sa.DateTime(), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(), nullable=True),
        sa.Column("checked_out_at", sa.DateTime(), nullable=True),
        sa.Column("returned_at", sa.DateTime(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("checkout_note", sa.Text(), nullable=True),
        sa.Column("checkout_photo", sa.String(length=64), nullable=True),
        sa.Column("return_note", sa.Text(), nullable=True),
        sa.Column("damage_note", sa.Text(), nullable=True),
        sa.Column("extension_end_at", sa.DateTime(), nullable=True),
        sa.Column("pickup_reminded_at", sa.DateTime(), nullable=True),
        sa.Column("return_reminded_at", sa.DateTime(), nullable=True),
        sa.Column("overdue_notified_at", sa.DateTime(), nullable=True),
        sa.Column("fee_eur", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("deposit_eur", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.CheckConstraint("units > 0", name=op.f("ck_bookings_units_positive")),
        sa.CheckConstraint("end_at > start_at", name=op.f("ck_bookings_span_positive")),
        sa.ForeignKeyConstraint(
            ["listing_id"], ["listings.id"], name=op.f("fk_bookings_listing_id_listings")
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["organisations.id"], name=op.f("fk_bookings_provider_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["borrower_id"], ["organisations.id"], name=op.f("fk_bookings_borrower_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_bookings_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["listings.id"],
            name=op.f("fk_bookings_request_id_listings"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bookings")),
    )
    op.create_index(
        "ix_bookings_listing_status_span", "bookings", ["listing_id", "status", "start_at", "end_at"]
    )
    op.create_index(
        "ix_bookings_provider_status_start", "bookings", ["provider_id", "status", "start_at"]
    )
    op.create_index(
        "ix_bookings_borrower_status_start", "bookings", ["borrower_id", "status", "start_at"]
    )
    op.create_index("ix_bookings_status_end", "bookings", ["status", "end_at"])
    op.create_table(
        "booking_rules",
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("min_minutes", sa.Integer(), nullable=True),
        sa.Column("max_minutes", sa.Integer(), nullable=True),
        sa.Column("lead_minutes", sa.Integer(), nullable=True),
        sa.Column("buffer_minutes", sa.Integer(), nullable=True),
        sa.Column("opening_hours", sa.JSON(), nullable=True),
        sa.Column("closed_dates", sa.JSON(), nullable=True),
        sa.Column("deposit_eur", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("fee_eur", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("fee_per", sa.String(length=8), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["listing_id"],
            ["listings.id"],
            name=op.f("fk_booking_rules_listing_id_listings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("listing_id", name=op.f("pk_booking_rules")),
    )
    op.create_table(
        "calendar_feeds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("listing_id", sa.Integer(), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "(listing_id IS NULL) <> (organisation_id IS NULL)",
            name=op.f("ck_calendar_feeds_one_owner"),
        ),
        sa.ForeignKeyConstraint(
            ["listing_id"],
            ["listings.id"],
            name=op.f("fk_calendar_feeds_listing_id_listings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_calendar_feeds_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_feeds")),
        sa.UniqueConstraint("listing_id", name=op.f("uq_calendar_feeds_listing_id")),
        sa.UniqueConstraint("organisation_id", name=op.f("uq_calendar_feeds_organisation_id")),
        sa.UniqueConstraint("token", name=op.f("uq_calendar_feeds_token")),
    )


def downgrade():
    op.drop_table("calendar_feeds")
    op.drop_table("booking_rules")
    op.drop_index("ix_bookings_status_end", table_name="bookings")
    op.drop_index("ix_bookings_borrower_status_start", table_name="bookings")
    op.drop_index("ix_bookings_provider_status_start", table_name="bookings")
    op.drop_index("ix_bookings_listing_status_span", table_name="bookings")
    op.drop_table("bookings")
    with op.batch_alter_table("listings") as batch:
        batch.drop_column("capacity")
        batch.drop_column("mode")
