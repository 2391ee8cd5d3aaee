"""Consent to the terms and privacy notice (version and time) and the moment an account was
erased (GDPR Art. 17) on users.

Revision ID: 0014_consent
Revises: 0013_ledger
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_consent"
down_revision = "0013_ledger"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("consent_version", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("consent_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("erased_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("users") as batch:
        batch.drop_column("erased_at")
        batch.drop_column("consent_at")
        batch.drop_column("consent_version")
