"""Indexes for a municipality's cases (10⁵–10⁶): a clue by its case, open cases due for a code review, the
overdue list across agencies, a case's audit trail newest first, and — on PostgreSQL — trigram indexes
that let searches by part of a case number or a child's name use an index (pg_trgm).

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# PostgreSQL only (not in the models: SQLite has no trigram indexes); tests/integration skips them when it
# compares the migrated schema with the models.
TRIGRAM_INDEXES = {"ix_trgm_case_no": "case_no", "ix_trgm_child_name": "child_name"}


def upgrade():
    op.create_index("ix_risk_clue_case_id", "risk_clue", ["case_id"])
    op.create_index("ix_case_review_due", "case_file", ["district_id", "code_review_due"],
                    postgresql_where=sa.text("status = 'open'"), sqlite_where=sa.text("status = 'open'"))
    op.create_index("ix_work_item_district_due", "work_item", ["district_id", "due_at"])
    op.create_index("ix_audit_entry_case", "audit_entry", ["case_id", "id"])
    op.drop_index("ix_audit_entry_case_id", table_name="audit_entry")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, column in TRIGRAM_INDEXES.items():
            op.execute(f"CREATE INDEX {name} ON case_file USING gin ({column} gin_trgm_ops)")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for name in TRIGRAM_INDEXES:
            op.execute(f"DROP INDEX {name}")
    op.create_index("ix_audit_entry_case_id", "audit_entry", ["case_id"])
    op.drop_index("ix_audit_entry_case", table_name="audit_entry")
    op.drop_index("ix_work_item_district_due", table_name="work_item")
    op.drop_index("ix_case_review_due", table_name="case_file")
    op.drop_index("ix_risk_clue_case_id", table_name="risk_clue")
