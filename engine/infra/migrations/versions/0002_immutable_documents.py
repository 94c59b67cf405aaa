"""Issued documents never change: the database refuses updates and deletes of their bytes and of
the fields that identify them (number, hash, verification code, content).

Revision ID: 0002
Revises: 0001
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

IMMUTABLE = ("number", "sha256", "verification_code", "fields", "doc_type", "case_id", "office_id", "issued_at",
             "issued_by")


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""
            CREATE FUNCTION guardloop_refuse_change() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION 'issued documents are immutable (%)', TG_TABLE_NAME; END $$ LANGUAGE plpgsql
        """)
        op.execute("CREATE TRIGGER document_file_immutable BEFORE UPDATE OR DELETE ON document_file "
                   "FOR EACH ROW EXECUTE FUNCTION guardloop_refuse_change()")
        changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in IMMUTABLE).replace(
            "OLD.fields IS DISTINCT FROM NEW.fields", "OLD.fields::text IS DISTINCT FROM NEW.fields::text")
        op.execute(f"CREATE TRIGGER document_record_immutable BEFORE UPDATE ON document_record FOR EACH ROW "
                   f"WHEN ({changed}) EXECUTE FUNCTION guardloop_refuse_change()")
        op.execute("CREATE TRIGGER document_record_no_delete BEFORE DELETE ON document_record "
                   "FOR EACH ROW EXECUTE FUNCTION guardloop_refuse_change()")
    else:
        op.execute("CREATE TRIGGER document_file_no_update BEFORE UPDATE ON document_file "
                   "BEGIN SELECT RAISE(ABORT, 'issued documents are immutable'); END")
        op.execute("CREATE TRIGGER document_file_no_delete BEFORE DELETE ON document_file "
                   "BEGIN SELECT RAISE(ABORT, 'issued documents are immutable'); END")
        changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in IMMUTABLE)
        op.execute(f"CREATE TRIGGER document_record_immutable BEFORE UPDATE ON document_record "
                   f"WHEN {changed} BEGIN SELECT RAISE(ABORT, 'issued documents are immutable'); END")
        op.execute("CREATE TRIGGER document_record_no_delete BEFORE DELETE ON document_record "
                   "BEGIN SELECT RAISE(ABORT, 'issued documents are immutable'); END")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for trigger, table in (("document_file_immutable", "document_file"),
                               ("document_record_immutable", "document_record"),
                               ("document_record_no_delete", "document_record")):
            op.execute(f"DROP TRIGGER {trigger} ON {table}")
        op.execute("DROP FUNCTION guardloop_refuse_change()")
    else:
        for trigger in ("document_file_no_update", "document_file_no_delete", "document_record_immutable",
                        "document_record_no_delete"):
            op.execute(f"DROP TRIGGER {trigger}")
