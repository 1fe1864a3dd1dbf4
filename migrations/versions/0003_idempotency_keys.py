"""idempotency keys: idempotency_key, request_digest

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24

"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("feedback") as batch:
        batch.add_column(sa.Column("idempotency_key", sa.String(length=300), nullable=True))
        batch.add_column(sa.Column("request_digest", sa.String(length=64), nullable=True))
        batch.create_unique_constraint("uq_feedback_idempotency_key", ["idempotency_key"])


def downgrade():
    with op.batch_alter_table("feedback") as batch:
        batch.drop_constraint("uq_feedback_idempotency_key", type_="unique")
        batch.drop_column("request_digest")
        batch.drop_column("idempotency_key")
