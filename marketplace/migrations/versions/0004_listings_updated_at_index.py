"""Index listings.updated_at for the search index's drift check.

Revision ID: 0004_listings_updated_at
Revises: 0003_exchanges
"""

from alembic import op

revision = "0004_listings_updated_at"
down_revision = "0003_exchanges"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("listings") as batch_op:
        batch_op.create_index("ix_listings_updated_at", ["updated_at"])


def downgrade():
    with op.batch_alter_table("listings") as batch_op:
        batch_op.drop_index("ix_listings_updated_at")
