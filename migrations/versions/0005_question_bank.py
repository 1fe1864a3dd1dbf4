"""custom question bank: question

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02

"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "question",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("tips", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=200), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_question_category_position", "question", ["category", "position"])


def downgrade():
    op.drop_index("ix_question_category_position", table_name="question")
    op.drop_table("question")
