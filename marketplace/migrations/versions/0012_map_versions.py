"""Map versions: one row whose token every write the map shows replaces, so that workers know
when the map's points they hold in memory are stale (directory/map_version.py); the district in
ix_listings_map, so that a worker reads its points from the index alone.

Revision ID: 0012_map_versions
Revises: 0009_map_clusters
"""

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0012_map_versions"
down_revision = "0009_map_clusters"
branch_labels = None
depends_on = None

_LISTINGS_MAP = [
    "status",
    "kind",
    "lat",
    "lon",
    "available_until",
    "category_id",
    "organisation_id",
    "created_at",
]


def upgrade():
    table = op.create_table(
        "map_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_map_versions")),
    )
    op.bulk_insert(table, [{"id": 1, "token": uuid.uuid4().hex}])
    op.drop_index("ix_listings_map", table_name="listings")
    op.create_index("ix_listings_map", "listings", [*_LISTINGS_MAP, "district"])


def downgrade():
    op.drop_index("ix_listings_map", table_name="listings")
    op.create_index("ix_listings_map", "listings", _LISTINGS_MAP)
    op.drop_table("map_versions")
