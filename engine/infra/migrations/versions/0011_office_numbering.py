"""Offices: type codes and number format of their document numbers, the office acting for a district
without its own, and an optional electronic seal image.

Revision ID: 0011
Revises: 0010
"""
from alembic import op
import sqlalchemy as sa

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("office") as batch:
        batch.add_column(sa.Column("type_codes", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("number_format", sa.String(length=60), nullable=True))
        batch.add_column(sa.Column("acting_office_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("seal_image", sa.LargeBinary(), nullable=True))
        batch.create_foreign_key(op.f("fk_office_acting_office_id_office"), "office", ["acting_office_id"], ["id"])


def downgrade():
    with op.batch_alter_table("office") as batch:
        batch.drop_constraint(op.f("fk_office_acting_office_id_office"), type_="foreignkey")
        for column in ("seal_image", "acting_office_id", "number_format", "type_codes"):
            batch.drop_column(column)
