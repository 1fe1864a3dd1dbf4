"""transcriptions of spoken answers, and the delivery figures on each record

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07

"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "transcription",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=True),
        sa.Column("caller", sa.String(length=64), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=32), nullable=True),
        sa.Column("duration_s", sa.Float(), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("delivery", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_transcription_created", "transcription", ["created_at"])
    with op.batch_alter_table("feedback") as batch:
        batch.add_column(sa.Column("delivery", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("feedback") as batch:
        batch.drop_column("delivery")
    op.drop_index("ix_transcription_created", table_name="transcription")
    op.drop_table("transcription")
