"""Load the shipped category taxonomy, version 2026.1.

Revision ID: 0002_category_taxonomy
Revises: 0001_foundation
"""

from alembic import op

from marketplace.categories.taxonomy import sync_taxonomy

revision = "0002_category_taxonomy"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade():
    sync_taxonomy(op.get_bind())


def downgrade():
    op.execute("DELETE FROM categories")
