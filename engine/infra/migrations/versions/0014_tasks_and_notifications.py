"""Task assignment and the notification centre (issue 14): notifications addressed to one person, written
once per key (a task's deadline at a threshold); users' e-mail address and daily digest choice.

Revision ID: 0014
Revises: 0013
"""
from alembic import op
import sqlalchemy as sa

import engine.models.base

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("notification") as batch:
        batch.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("dedup_key", sa.String(length=120), nullable=True))
        batch.create_foreign_key(op.f("fk_notification_user_id_user_account"), "user_account", ["user_id"], ["id"])
        batch.create_unique_constraint(op.f("uq_notification_dedup_key"), ["dedup_key"])
    op.create_index("ix_notification_user", "notification", ["user_id", "read_at"])
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("email", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("digest_opt_in", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("digest_sent_at", engine.models.base.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("digest_sent_at")
        batch.drop_column("digest_opt_in")
        batch.drop_column("email")
    op.drop_index("ix_notification_user", table_name="notification")
    with op.batch_alter_table("notification") as batch:
        batch.drop_constraint(op.f("uq_notification_dedup_key"), type_="unique")
        batch.drop_constraint(op.f("fk_notification_user_id_user_account"), type_="foreignkey")
        batch.drop_column("dedup_key")
        batch.drop_column("user_id")
