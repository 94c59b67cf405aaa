"""Indexes for the cockpit's figures at a municipality's scale: rounds ended in a period, step times from
the task records, orders, clues, code changes and guidance sessions by date, open cases across districts.

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

INDEXES = [
    ("ix_task_record_round_spec_time", "task_record", ["round_id", "task_spec", "completed_at"]),
    ("ix_document_record_type_issued", "document_record", ["doc_type", "issued_at"]),
    ("ix_risk_clue_district_received", "risk_clue", ["district_id", "received_at"]),
    ("ix_risk_code_change_kind_decided", "risk_code_change", ["kind", "decided_at"]),
    ("ix_guidance_session_held", "guidance_session", ["held_on"]),
    ("ix_case_status_district", "case_file", ["status", "district_id"]),
]


def upgrade():
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)
    op.create_index("ix_round_ended", "round", ["ended_at"], postgresql_where=sa.text("status <> 'running'"),
                    sqlite_where=sa.text("status <> 'running'"))


def downgrade():
    op.drop_index("ix_round_ended", table_name="round")
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
