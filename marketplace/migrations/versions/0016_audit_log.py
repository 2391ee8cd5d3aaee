"""The audit log of coordinators' and admins' actions (issue 16).

Revision ID: 0016_audit_log
Revises: 0015_moderation
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_audit_log"
down_revision = "0015_moderation"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "audit_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(200), nullable=False),
        sa.Column("actor_role", sa.String(20), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name="fk_audit_entries_actor_id_users", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_audit_entries"),
    )
    op.create_index("ix_audit_entries_created_at", "audit_entries", ["created_at"])
    op.create_index("ix_audit_entries_organisation_id", "audit_entries", ["organisation_id"])
    op.create_index("ix_audit_entries_action_created", "audit_entries", ["action", "created_at"])


def downgrade():
    op.drop_table("audit_entries")
