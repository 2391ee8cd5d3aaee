"""Reports: the local month of completion on each exchange, and covering indexes for the
monthly and per-offer groupings.

Revision ID: 0006_report_month
Revises: 0005_matching
"""

from datetime import UTC
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = "0006_report_month"
down_revision = "0005_matching"
branch_labels = None
depends_on = None

BERLIN = ZoneInfo("Europe/Berlin")
BATCH = 2000


def upgrade():
    with op.batch_alter_table("exchanges") as batch:
        batch.add_column(sa.Column("completed_month", sa.String(length=7), nullable=True))
    exchanges = sa.table(
        "exchanges",
        sa.column("id", sa.Integer),
        sa.column("completed_at", sa.DateTime),
        sa.column("completed_month", sa.String),
    )
    conn = op.get_bind()
    last_id = 0
    while True:
        rows = conn.execute(
            sa.select(exchanges.c.id, exchanges.c.completed_at)
            .where(exchanges.c.completed_at.is_not(None), exchanges.c.id > last_id)
            .order_by(exchanges.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        for row in rows:
            month = row.completed_at.replace(tzinfo=UTC).astimezone(BERLIN).strftime("%Y-%m")
            conn.execute(
                exchanges.update().where(exchanges.c.id == row.id).values(completed_month=month)
            )
        last_id = rows[-1].id
    op.create_index(
        "ix_exchanges_report_month",
        "exchanges",
        [
            "status",
            "completed_month",
            "category_id",
            "factor_version",
            "completed_at",
            "mass_kg",
            "co2e_avoided_kg",
        ],
    )
    op.create_index(
        "ix_exchanges_report_offer",
        "exchanges",
        [
            "status",
            "offer_id",
            "provider_id",
            "receiver_id",
            "category_id",
            "completed_at",
            "mass_kg",
            "co2e_avoided_kg",
        ],
    )


def downgrade():
    op.drop_index("ix_exchanges_report_offer", table_name="exchanges")
    op.drop_index("ix_exchanges_report_month", table_name="exchanges")
    with op.batch_alter_table("exchanges") as batch:
        batch.drop_column("completed_month")
