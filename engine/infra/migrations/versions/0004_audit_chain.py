"""The audit log becomes tamper-evident: every entry carries the hash of the one before it and its own,
ids are consecutive, ``audit_head`` holds the end of the chain, and the database refuses to change or
delete an entry (on PostgreSQL for every role but a superuser who disables the trigger; on SQLite for
every connection that does not drop it).

Existing entries are chained in id order, renumbered consecutively.

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa

from engine.auditlog.record import chain
from engine.models.audit import GENESIS
from engine.models.base import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

REFUSE_PG = """
CREATE FUNCTION guardloop_audit_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'audit entries are append-only (%)', TG_OP; END $$ LANGUAGE plpgsql
"""


def upgrade():
    bind = op.get_bind()
    with op.batch_alter_table("audit_entry") as batch:
        batch.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
    last_id, last_hash = _chain_existing(bind)
    with op.batch_alter_table("audit_entry") as batch:
        batch.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=False)
        batch.alter_column("hash", existing_type=sa.String(length=64), nullable=False)
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    op.execute(sa.text("INSERT INTO audit_head (id, last_id, last_hash) VALUES (1, :i, :h)")
               .bindparams(i=last_id, h=last_hash))
    if bind.dialect.name == "postgresql":
        op.execute("ALTER TABLE audit_entry ALTER COLUMN id DROP DEFAULT")
        op.execute(REFUSE_PG)
        op.execute("CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry "
                   "FOR EACH ROW EXECUTE FUNCTION guardloop_audit_append_only()")
        op.execute("CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_entry "
                   "FOR EACH STATEMENT EXECUTE FUNCTION guardloop_audit_append_only()")
        op.execute("CREATE TRIGGER audit_head_no_delete BEFORE DELETE OR TRUNCATE ON audit_head "
                   "FOR EACH STATEMENT EXECUTE FUNCTION guardloop_audit_append_only()")
    else:
        for name, event in (("audit_entry_no_update", "UPDATE"), ("audit_entry_no_delete", "DELETE")):
            op.execute(f"CREATE TRIGGER {name} BEFORE {event} ON audit_entry "
                       f"BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END")
        op.execute("CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head "
                   "BEGIN SELECT RAISE(ABORT, 'the audit head is never deleted'); END")


def _chain_existing(bind):
    """Chain the entries written before this revision, in id order, renumbered 1, 2, 3, …"""
    entries = sa.table("audit_entry", sa.column("id", sa.Integer), sa.column("at", UTCDateTime()),
                       sa.column("user_id", sa.Integer), sa.column("action", sa.String),
                       sa.column("entity", sa.String), sa.column("entity_id", sa.String),
                       sa.column("case_id", sa.Integer), sa.column("before", sa.JSON), sa.column("after", sa.JSON),
                       sa.column("prev_hash", sa.String), sa.column("hash", sa.String))
    old = [dict(r._mapping) for r in bind.execute(sa.select(entries).order_by(entries.c.id))]
    if not old:
        return 0, GENESIS
    bind.execute(entries.delete())
    rows = chain([{k: v for k, v in r.items() if k not in ("id", "prev_hash", "hash")} for r in old], 0, GENESIS)
    bind.execute(entries.insert(), rows)
    return rows[-1]["id"], rows[-1]["hash"]


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_entry_append_only ON audit_entry")
        op.execute("DROP TRIGGER audit_entry_no_truncate ON audit_entry")
        op.execute("DROP TRIGGER audit_head_no_delete ON audit_head")
        op.execute("DROP FUNCTION guardloop_audit_append_only()")
    else:
        for name in ("audit_entry_no_update", "audit_entry_no_delete", "audit_head_no_delete"):
            op.execute(f"DROP TRIGGER {name}")
    op.drop_table("audit_head")
    with op.batch_alter_table("audit_entry") as batch:
        batch.drop_column("hash")
        batch.drop_column("prev_hash")
