"""The 案号 the judicial agencies give a case in their own systems; XLSX uploads of clues with their reports.

Revision ID: 0016
Revises: 0015
"""
from alembic import op
import sqlalchemy as sa

import engine.models.base

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "case_external_ref",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("agency_code", sa.String(length=40), nullable=False),
        sa.Column("ref_no", sa.String(length=60), nullable=False),
        sa.Column("created_at", engine.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"], name=op.f("fk_case_external_ref_case_id_case_file")),
        sa.ForeignKeyConstraint(["created_by"], ["user_account.id"],
                                name=op.f("fk_case_external_ref_created_by_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_external_ref")),
        sa.UniqueConstraint("case_id", "agency_code", "ref_no", name="uq_case_external_ref"),
    )
    op.create_index("ix_case_external_ref_ref_no", "case_external_ref", ["ref_no"])
    op.create_table(
        "clue_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", engine.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("file_hash", sa.String(length=64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["district_id"], ["district.id"], name=op.f("fk_clue_import_district_id_district")),
        sa.ForeignKeyConstraint(["uploaded_by"], ["user_account.id"],
                                name=op.f("fk_clue_import_uploaded_by_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clue_import")),
    )
    op.create_index("ix_clue_import_district_hash", "clue_import", ["district_id", "file_hash"])


def downgrade():
    op.drop_index("ix_clue_import_district_hash", table_name="clue_import")
    op.drop_table("clue_import")
    op.drop_index("ix_case_external_ref_ref_no", table_name="case_external_ref")
    op.drop_table("case_external_ref")
