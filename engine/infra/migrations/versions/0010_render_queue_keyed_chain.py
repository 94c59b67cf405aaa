"""Documents rendered after commit, access entries off the chain's lock, a keyed chain, and triggers that
cover every content column of an issued document.

- ``document_record.snapshot`` / ``snapshot_sha256``: what a document says, fixed at issue;
  ``document_file.rendered_at``; ``render_job``: the rendering queue.
- ``audit_staged``: access entries written without the chain's lock, chained later in batches;
  ``audit_entry.staged_id`` names the staged row an entry came from (a staged row may be deleted only
  once it is chained).
- ``audit_head.keyed_from``: entries from this id on are hashed with HMAC-SHA256 and the key kept outside
  the database; set once here (the entries before stay as they were chained) and never changed.
- Issued documents: every column but the delivery record is fixed at insert; ``sha256`` is written once
  (when the PDF is); ``status`` changes only from ``issued`` to ``superseded``, and only once a correction
  that supersedes the document exists.

Revision ID: 0010
Revises: 0009
"""
from alembic import op
import sqlalchemy as sa

from engine.models.base import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# The columns of an issued document that may change after issue: its delivery (送达), its status (only by
# supersede) and the PDF's hash (once). Every other column, present or added later, is fixed.
MUTABLE = ("delivery_method", "delivered_on", "delivery_recipient", "delivery_signed", "delivered_by",
           "status", "sha256")
SUPERSEDED = ("OLD.status = 'issued' AND NEW.status = 'superseded' AND EXISTS "
              "(SELECT 1 FROM document_record n WHERE n.supersedes_id = OLD.id)")
SHA_ONCE = "OLD.sha256 IS NOT NULL AND NEW.sha256 IS DISTINCT FROM OLD.sha256"

PG_DOCUMENT_GUARD = f"""
CREATE FUNCTION guardloop_document_guard() RETURNS trigger AS $$
BEGIN
  IF (to_jsonb(OLD) - ARRAY{list(MUTABLE)}) IS DISTINCT FROM (to_jsonb(NEW) - ARRAY{list(MUTABLE)}) THEN
    RAISE EXCEPTION 'issued documents are immutable (content of document %)', OLD.id;
  END IF;
  IF {SHA_ONCE} THEN
    RAISE EXCEPTION 'issued documents are immutable (the PDF hash of document % is written once)', OLD.id;
  END IF;
  IF NEW.status IS DISTINCT FROM OLD.status AND NOT ({SUPERSEDED}) THEN
    RAISE EXCEPTION 'issued documents are immutable (status of document % changes only by supersede)', OLD.id;
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql
"""
PG_STAGED_GUARD = """
CREATE FUNCTION guardloop_audit_staged_guard() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' AND EXISTS (SELECT 1 FROM audit_entry WHERE staged_id = OLD.id) THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit entries are append-only (% of a staged entry not yet chained)', TG_OP;
END $$ LANGUAGE plpgsql
"""
PG_KEYED_FROM_GUARD = """
CREATE FUNCTION guardloop_audit_keyed_from_guard() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'audit entries are append-only (keyed_from is set once)'; END $$ LANGUAGE plpgsql
"""


def upgrade():
    bind = op.get_bind()
    _documents()
    _audit(bind)
    if bind.dialect.name == "postgresql":
        _postgres_triggers()
    else:
        _sqlite_triggers(bind)


def _documents():
    with op.batch_alter_table("document_record") as batch:
        batch.add_column(sa.Column("snapshot", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("snapshot_sha256", sa.String(length=64), nullable=True))
    with op.batch_alter_table("document_file") as batch:
        batch.add_column(sa.Column("rendered_at", UTCDateTime(), nullable=True))
    op.create_table(
        "render_job",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("not_before", UTCDateTime(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["document_record.id"],
                                name=op.f("fk_render_job_document_id_document_record")),
        sa.PrimaryKeyConstraint("document_id", name=op.f("pk_render_job")),
    )
    op.create_index("ix_render_job_due", "render_job", ["state", "not_before"])


def _audit(bind):
    op.create_table(
        "audit_staged",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.String(length=40), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"], name=op.f("fk_audit_staged_case_id_case_file")),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_audit_staged_user_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_staged")),
        sqlite_autoincrement=True,    # SQLite would reuse the ids of chained (deleted) rows
    )
    with op.batch_alter_table("audit_entry") as batch:
        batch.add_column(sa.Column("staged_id", sa.Integer(), nullable=True))
    op.create_index("ux_audit_entry_staged", "audit_entry", ["staged_id"], unique=True)
    # added NOT NULL with a default (SQLite would otherwise rebuild the table and lose its triggers)
    with op.batch_alter_table("audit_head") as batch:
        batch.add_column(sa.Column("keyed_from", sa.Integer(), nullable=False, server_default="1"))
    op.execute("UPDATE audit_head SET keyed_from = last_id + 1")


def _postgres_triggers():
    op.execute("DROP TRIGGER document_record_immutable ON document_record")
    op.execute(PG_DOCUMENT_GUARD)
    op.execute("CREATE TRIGGER document_record_immutable BEFORE UPDATE ON document_record FOR EACH ROW "
               "EXECUTE FUNCTION guardloop_document_guard()")
    op.execute(PG_STAGED_GUARD)
    op.execute("CREATE TRIGGER audit_staged_guard BEFORE UPDATE OR DELETE ON audit_staged FOR EACH ROW "
               "EXECUTE FUNCTION guardloop_audit_staged_guard()")
    op.execute("CREATE TRIGGER audit_staged_no_truncate BEFORE TRUNCATE ON audit_staged "
               "FOR EACH STATEMENT EXECUTE FUNCTION guardloop_audit_append_only()")
    op.execute(PG_KEYED_FROM_GUARD)
    op.execute("CREATE TRIGGER audit_head_keyed_from BEFORE UPDATE ON audit_head FOR EACH ROW "
               "WHEN (OLD.keyed_from IS DISTINCT FROM NEW.keyed_from) "
               "EXECUTE FUNCTION guardloop_audit_keyed_from_guard()")


def _sqlite_triggers(bind):
    """SQLite has no row-as-JSON: the fixed columns are listed, read from the table as it is now (a later
    migration that adds a column to ``document_record`` calls ``sqlite_document_guard`` again)."""
    op.execute("DROP TRIGGER document_record_immutable")
    sqlite_document_guard(bind)
    op.execute("CREATE TRIGGER audit_staged_no_update BEFORE UPDATE ON audit_staged "
               "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END")
    op.execute("CREATE TRIGGER audit_staged_no_delete BEFORE DELETE ON audit_staged "
               "WHEN NOT EXISTS (SELECT 1 FROM audit_entry WHERE staged_id = OLD.id) "
               "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only (a staged entry not yet chained)'); END")
    op.execute("CREATE TRIGGER audit_head_keyed_from BEFORE UPDATE ON audit_head "
               "WHEN OLD.keyed_from IS NOT NEW.keyed_from "
               "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only (keyed_from is set once)'); END")


def sqlite_document_guard(bind) -> None:
    """(Re)create SQLite's triggers on ``document_record`` over every column it has now."""
    for name in ("document_record_content", "document_record_sha_once", "document_record_status"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    fixed = [c["name"] for c in sa.inspect(bind).get_columns("document_record") if c["name"] not in MUTABLE]
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in fixed)
    sha_once = SHA_ONCE.replace("IS DISTINCT FROM", "IS NOT")
    for name, when, why in (("document_record_content", changed, "content"),
                            ("document_record_sha_once", sha_once, "the PDF hash is written once"),
                            ("document_record_status", f"NEW.status IS NOT OLD.status AND NOT ({SUPERSEDED})",
                             "status changes only by supersede")):
        op.execute(f"CREATE TRIGGER {name} BEFORE UPDATE ON document_record WHEN {when} "
                   f"BEGIN SELECT RAISE(ABORT, 'issued documents are immutable ({why})'); END")


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_head_keyed_from ON audit_head")
        op.execute("DROP FUNCTION guardloop_audit_keyed_from_guard()")
        op.execute("DROP TRIGGER audit_staged_no_truncate ON audit_staged")
        op.execute("DROP TRIGGER audit_staged_guard ON audit_staged")
        op.execute("DROP FUNCTION guardloop_audit_staged_guard()")
        op.execute("DROP TRIGGER document_record_immutable ON document_record")
        op.execute("DROP FUNCTION guardloop_document_guard()")
    else:
        for name in ("audit_head_keyed_from", "audit_staged_no_update", "audit_staged_no_delete",
                     "document_record_content", "document_record_sha_once", "document_record_status"):
            op.execute(f"DROP TRIGGER {name}")
    with op.batch_alter_table("audit_head") as batch:
        batch.drop_column("keyed_from")
    op.drop_index("ux_audit_entry_staged", table_name="audit_entry")
    with op.batch_alter_table("audit_entry") as batch:
        batch.drop_column("staged_id")
    op.drop_table("audit_staged")
    op.drop_index("ix_render_job_due", table_name="render_job")
    op.drop_table("render_job")
    with op.batch_alter_table("document_file") as batch:
        batch.drop_column("rendered_at")
    with op.batch_alter_table("document_record") as batch:
        batch.drop_column("snapshot_sha256")
        batch.drop_column("snapshot")
    _restore_0002_triggers(bind)


def _restore_0002_triggers(bind):
    from importlib import import_module
    immutable = import_module("engine.infra.migrations.versions.0002_immutable_documents").IMMUTABLE
    if bind.dialect.name == "postgresql":
        changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in immutable).replace(
            "OLD.fields IS DISTINCT FROM NEW.fields", "OLD.fields::text IS DISTINCT FROM NEW.fields::text")
        op.execute(f"CREATE TRIGGER document_record_immutable BEFORE UPDATE ON document_record FOR EACH ROW "
                   f"WHEN ({changed}) EXECUTE FUNCTION guardloop_refuse_change()")
    else:
        changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in immutable)
        op.execute(f"CREATE TRIGGER document_record_immutable BEFORE UPDATE ON document_record "
                   f"WHEN {changed} BEGIN SELECT RAISE(ABORT, 'issued documents are immutable'); END")
