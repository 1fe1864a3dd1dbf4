"""caller of the request, for the open-stream cap; created_at index, for retention

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01

"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("feedback") as batch:
        batch.add_column(sa.Column("caller", sa.String(length=64), nullable=True))
        batch.create_index("ix_feedback_caller_status", ["caller", "status"])
        batch.create_index("ix_feedback_created", ["created_at"])


def downgrade():
    with op.batch_alter_table("feedback") as batch:
        batch.drop_index("ix_feedback_created")
        batch.drop_index("ix_feedback_caller_status")
        batch.drop_column("caller")
