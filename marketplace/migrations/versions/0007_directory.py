"""Directory: the functions organisations take for the region, further sites, logo, address.

Revision ID: 0007_directory
Revises: 0006_report_month
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_directory"
down_revision = "0006_report_month"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("organisations") as batch:
        batch.add_column(sa.Column("logo_filename", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("public_address", sa.String(length=200), nullable=True))
    op.create_table(
        "organisation_functions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=1), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("verified_at", sa.DateTime(), nullable=True),
        sa.Column("verified_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_organisation_functions_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["verified_by_id"],
            ["users.id"],
            name=op.f("fk_organisation_functions_verified_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation_functions")),
        sa.UniqueConstraint(
            "organisation_id", "code", name=op.f("uq_organisation_functions_organisation_id")
        ),
    )
    op.create_index(
        "ix_organisation_functions_code_org",
        "organisation_functions",
        ["code", "organisation_id"],
    )
    op.create_table(
        "organisation_sites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("postcode", sa.String(length=5), nullable=False),
        sa.Column("district", sa.String(length=120), nullable=True),
        sa.Column("lat", sa.Double(), nullable=False),
        sa.Column("lon", sa.Double(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_organisation_sites_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation_sites")),
    )
    op.create_index(
        op.f("ix_organisation_sites_organisation_id"), "organisation_sites", ["organisation_id"]
    )
    op.create_index(op.f("ix_organisation_sites_district"), "organisation_sites", ["district"])


    op.create_index(
        "ix_listings_map",
        "listings",
        [
            "status",
            "kind",
            "lat",
            "lon",
            "available_until",
            "category_id",
            "organisation_id",
            "created_at",
        ],
    )
    with op.batch_alter_table("listings") as batch:
        batch.drop_index("ix_listings_org_status")
        batch.create_index(
            "ix_listings_org_status", ["organisation_id", "status", "kind", "available_until"]
        )


def downgrade():
    op.drop_index("ix_listings_map", table_name="listings")
    with op.batch_alter_table("listings") as batch:
        batch.drop_index("ix_listings_org_status")
        batch.create_index("ix_listings_org_status", ["organisation_id", "status"])
    op.drop_table("organisation_sites")
    op.drop_table("organisation_functions")
    with op.batch_alter_table("organisations") as batch:
        batch.drop_column("public_address")
        batch.drop_column("logo_filename")
