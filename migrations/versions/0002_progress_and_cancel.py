"""progress and cancel: progress_at, cancel_requested

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24

"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("feedback") as batch:
        batch.add_column(sa.Column("progress_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column("cancel_requested", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.create_index("ix_feedback_status_progress", "feedback", ["status", "progress_at"])


def downgrade():
    op.drop_index("ix_feedback_status_progress", table_name="feedback")
    with op.batch_alter_table("feedback") as batch:
        batch.drop_column("cancel_requested")
        batch.drop_column("progress_at")
