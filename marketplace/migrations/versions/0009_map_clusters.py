"""Map clusters: covering indexes that count and group a viewport's places by position.

Revision ID: 0009_map_clusters
Revises: 0008_bookings
"""

from alembic import op

revision = "0009_map_clusters"
down_revision = "0008_bookings"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_organisations_map", "organisations", ["lat", "lon", "kind", "district", "id"]
    )
    op.create_index(
        "ix_organisation_sites_map",
        "organisation_sites",
        ["lat", "lon", "organisation_id", "district", "id"],
    )


def downgrade():
    op.drop_index("ix_organisation_sites_map", table_name="organisation_sites")
    op.drop_index("ix_organisations_map", table_name="organisations")
