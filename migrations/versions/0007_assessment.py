"""the model's assessment on each record, and the temperature and seed it was asked with

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07

"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("feedback") as batch:
        batch.add_column(sa.Column("assessment", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("temperature", sa.Float(), nullable=True))
        batch.add_column(sa.Column("seed", sa.BigInteger(), nullable=True))


def downgrade():
    with op.batch_alter_table("feedback") as batch:
        batch.drop_column("seed")
        batch.drop_column("temperature")
        batch.drop_column("assessment")
