"""mock interview sessions, their questions, and each record's kind and session

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08

"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "interview_session",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=True),
        sa.Column("caller", sa.String(length=64), nullable=True),
        sa.Column("role", sa.String(length=200), nullable=False),
        sa.Column("seniority", sa.String(length=16), nullable=False),
        sa.Column("job_description", sa.Text(), nullable=True),
        sa.Column("question_count", sa.Integer(), nullable=False),
        sa.Column("mix", sa.JSON(), nullable=False),
        sa.Column("question_source", sa.String(length=8), nullable=False),
        sa.Column("questions_id", sa.String(length=32), nullable=True),
        sa.Column("questions_note", sa.Text(), nullable=True),
        sa.Column("report_id", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("idempotency_key", sa.String(length=300), nullable=True),
        sa.Column("request_digest", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("idempotency_key", name="uq_interview_session_idempotency_key"),
    )
    op.create_index(
        "ix_interview_session_owner_created", "interview_session", ["owner", "created_at", "id"]
    )
    op.create_table(
        "session_question",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("session_id", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("follow_up", sa.Boolean(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("why", sa.Text(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("bank_id", sa.String(length=64), nullable=True),
        sa.Column("feedback_id", sa.String(length=32), nullable=True),
        sa.Column("follow_up_id", sa.String(length=32), nullable=True),
        sa.Column("skipped", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "session_id", "position", "follow_up", name="uq_session_question_number"
        ),
    )
    with op.batch_alter_table("feedback") as batch:
        batch.add_column(
            sa.Column("kind", sa.String(length=16), nullable=False, server_default="answer")
        )
        batch.add_column(sa.Column("session_id", sa.String(length=32), nullable=True))
        batch.create_index("ix_feedback_session", ["session_id"])


def downgrade():
    with op.batch_alter_table("feedback") as batch:
        batch.drop_index("ix_feedback_session")
        batch.drop_column("session_id")
        batch.drop_column("kind")
    op.drop_table("session_question")
    op.drop_index("ix_interview_session_owner_created", table_name="interview_session")
    op.drop_table("interview_session")
