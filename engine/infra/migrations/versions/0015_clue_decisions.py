"""Clue decisions (issue 14): a clue rejected with a reason, or merged into another clue or an existing case,
by whom and when.

Revision ID: 0015
Revises: 0014
"""
from alembic import op
import sqlalchemy as sa

import engine.models.base

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("risk_clue") as batch:
        batch.add_column(sa.Column("decision_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("decided_by", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("decided_at", engine.models.base.UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("merged_into_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("merged_case_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_risk_clue_decided_by_user_account"), "user_account", ["decided_by"], ["id"])
        batch.create_foreign_key(op.f("fk_risk_clue_merged_into_id_risk_clue"), "risk_clue", ["merged_into_id"], ["id"])
        batch.create_foreign_key(op.f("fk_risk_clue_merged_case_id_case_file"), "case_file", ["merged_case_id"], ["id"])
        batch.create_index("ix_risk_clue_district_status", ["district_id", "status", "received_at"])


def downgrade():
    with op.batch_alter_table("risk_clue") as batch:
        batch.drop_index("ix_risk_clue_district_status")
        batch.drop_constraint(op.f("fk_risk_clue_merged_case_id_case_file"), type_="foreignkey")
        batch.drop_constraint(op.f("fk_risk_clue_merged_into_id_risk_clue"), type_="foreignkey")
        batch.drop_constraint(op.f("fk_risk_clue_decided_by_user_account"), type_="foreignkey")
        for column in ("merged_case_id", "merged_into_id", "decided_at", "decided_by", "decision_reason"):
            batch.drop_column(column)
