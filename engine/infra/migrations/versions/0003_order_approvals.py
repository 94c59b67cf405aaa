"""Approvals of drafted orders: what is approved (``subject``, the document type) and the draft (``payload``).

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("approval") as batch:
        batch.add_column(sa.Column("subject", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("payload", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("approval") as batch:
        batch.drop_column("payload")
        batch.drop_column("subject")
