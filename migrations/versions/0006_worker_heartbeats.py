"""worker heartbeats, and the worker generating each record, for the stale sweep

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07

"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "worker",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("beats", sa.Integer(), nullable=False),
        sa.Column("beat_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("feedback") as batch:
        batch.add_column(sa.Column("worker_id", sa.String(length=64), nullable=True))
        batch.create_index("ix_feedback_status_worker", ["status", "worker_id"])


def downgrade():
    with op.batch_alter_table("feedback") as batch:
        batch.drop_index("ix_feedback_status_worker")
        batch.drop_column("worker_id")
    op.drop_table("worker")
