"""Exchanges with their reuse records, message threads, audit trail and read marks.

Revision ID: 0003_exchanges
Revises: 0002_category_taxonomy
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_exchanges"
down_revision = "0002_category_taxonomy"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "exchanges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("receiver_id", sa.Integer(), nullable=False),
        sa.Column("proposed_by_id", sa.Integer(), nullable=True),
        sa.Column("category_id", sa.Integer(), nullable=True),
        sa.Column("quantity", sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column("unit", sa.String(length=10), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("accepted_at", sa.DateTime(), nullable=True),
        sa.Column("declined_at", sa.DateTime(), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(), nullable=True),
        sa.Column("completed_at", sa.DateTime(), nullable=True),
        sa.Column("quantity_completed", sa.Numeric(precision=14, scale=3), nullable=True),
        sa.Column("mass_kg", sa.Numeric(precision=14, scale=3), nullable=True),
        sa.Column("mass_basis", sa.String(length=10), nullable=True),
        sa.Column("co2e_avoided_kg", sa.Numeric(precision=14, scale=3), nullable=True),
        sa.Column("co2e_factor", sa.Numeric(precision=10, scale=4), nullable=True),
        sa.Column("factor_source", sa.String(length=300), nullable=True),
        sa.Column("factor_basis", sa.String(length=30), nullable=True),
        sa.Column("factor_version", sa.String(length=20), nullable=True),
        sa.Column("space_m2_days", sa.Numeric(precision=16, scale=3), nullable=True),
        sa.Column("space_hours", sa.Numeric(precision=14, scale=3), nullable=True),
        sa.Column("space_days", sa.Numeric(precision=14, scale=3), nullable=True),
        sa.Column("distance_km", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("transport_mode", sa.String(length=10), nullable=True),
        sa.Column("transport_co2e_kg", sa.Numeric(precision=10, scale=3), nullable=True),
        sa.Column("value_eur", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("activity_seq", sa.Integer(), nullable=False),
        sa.Column("provider_seq", sa.Integer(), nullable=False),
        sa.Column("receiver_seq", sa.Integer(), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_exchanges_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["category_id"], ["categories.id"], name=op.f("fk_exchanges_category_id_categories")
        ),
        sa.ForeignKeyConstraint(
            ["offer_id"], ["listings.id"], name=op.f("fk_exchanges_offer_id_listings")
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by_id"], ["users.id"], name=op.f("fk_exchanges_proposed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["organisations.id"],
            name=op.f("fk_exchanges_provider_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["receiver_id"],
            ["organisations.id"],
            name=op.f("fk_exchanges_receiver_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["request_id"], ["listings.id"], name=op.f("fk_exchanges_request_id_listings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchanges")),
    )
    op.create_index("ix_exchanges_offer_status", "exchanges", ["offer_id", "status"], unique=False)
    op.create_index(
        "ix_exchanges_provider_status_created",
        "exchanges",
        ["provider_id", "status", "created_at"],
        unique=False,
    )
    op.create_index(
        "ix_exchanges_receiver_status_created",
        "exchanges",
        ["receiver_id", "status", "created_at"],
        unique=False,
    )
    op.create_index(op.f("ix_exchanges_request_id"), "exchanges", ["request_id"], unique=False)
    op.create_index(
        "ix_exchanges_status_completed", "exchanges", ["status", "completed_at"], unique=False
    )

    op.create_table(
        "exchange_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("exchange_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=12), nullable=False),
        sa.Column("from_status", sa.String(length=12), nullable=True),
        sa.Column("to_status", sa.String(length=12), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_organisation_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_exchange_events_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["actor_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_exchange_events_actor_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["exchange_id"],
            ["exchanges.id"],
            name=op.f("fk_exchange_events_exchange_id_exchanges"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_events")),
    )
    op.create_index(
        "ix_exchange_events_exchange_seq", "exchange_events", ["exchange_id", "seq"], unique=False
    )

    op.create_table(
        "exchange_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("exchange_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_exchange_messages_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["exchange_id"],
            ["exchanges.id"],
            name=op.f("fk_exchange_messages_exchange_id_exchanges"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_exchange_messages_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_messages")),
    )
    op.create_index(
        "ix_exchange_messages_exchange_seq",
        "exchange_messages",
        ["exchange_id", "seq"],
        unique=False,
    )

    op.create_table(
        "exchange_read_marks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("exchange_id", sa.Integer(), nullable=False),
        sa.Column("seen_seq", sa.Integer(), nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["exchange_id"],
            ["exchanges.id"],
            name=op.f("fk_exchange_read_marks_exchange_id_exchanges"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_exchange_read_marks_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_read_marks")),
        sa.UniqueConstraint("user_id", "exchange_id", name=op.f("uq_exchange_read_marks_user_id")),
    )
    op.create_index(
        op.f("ix_exchange_read_marks_exchange_id"),
        "exchange_read_marks",
        ["exchange_id"],
        unique=False,
    )


def downgrade():
    op.drop_index(op.f("ix_exchange_read_marks_exchange_id"), table_name="exchange_read_marks")

    op.drop_table("exchange_read_marks")
    op.drop_index("ix_exchange_messages_exchange_seq", table_name="exchange_messages")

    op.drop_table("exchange_messages")
    op.drop_index("ix_exchange_events_exchange_seq", table_name="exchange_events")

    op.drop_table("exchange_events")
    op.drop_index("ix_exchanges_status_completed", table_name="exchanges")
    op.drop_index(op.f("ix_exchanges_request_id"), table_name="exchanges")
    op.drop_index("ix_exchanges_receiver_status_created", table_name="exchanges")
    op.drop_index("ix_exchanges_provider_status_created", table_name="exchanges")
    op.drop_index("ix_exchanges_offer_status", table_name="exchanges")

    op.drop_table("exchanges")
