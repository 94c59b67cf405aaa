"""API clients (issue 18): the agencies' systems, each acting through an account of its own, with the hash of
its bearer token, its scopes and its webhook; the idempotency keys of the clues they send; the webhook
deliveries (an outbox).

Revision ID: 0013
Revises: 0012
"""
from alembic import op
import sqlalchemy as sa

import engine.models.base

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "api_client",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", engine.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("rotated_at", engine.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", engine.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", engine.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("webhook_url", sa.String(length=500), nullable=True),
        sa.Column("webhook_secret", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_api_client_user_id_user_account")),
        sa.ForeignKeyConstraint(["created_by"], ["user_account.id"],
                                name=op.f("fk_api_client_created_by_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_client")),
        sa.UniqueConstraint("name", name=op.f("uq_api_client_name")),
        sa.UniqueConstraint("user_id", name=op.f("uq_api_client_user_id")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_client_token_hash")),
    )
    op.create_table(
        "api_idempotency_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("clue_id", sa.Integer(), nullable=True),
        sa.Column("created_at", engine.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["api_client.id"],
                                name=op.f("fk_api_idempotency_key_client_id_api_client")),
        sa.ForeignKeyConstraint(["clue_id"], ["risk_clue.id"], name=op.f("fk_api_idempotency_key_clue_id_risk_clue")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_idempotency_key")),
        sa.UniqueConstraint("client_id", "key", name="uq_api_idempotency_key_client_key"),
    )
    op.create_table(
        "api_webhook_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("clue_id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=40), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", engine.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", engine.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("delivered_at", engine.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["client_id"], ["api_client.id"],
                                name=op.f("fk_api_webhook_delivery_client_id_api_client")),
        sa.ForeignKeyConstraint(["clue_id"], ["risk_clue.id"], name=op.f("fk_api_webhook_delivery_clue_id_risk_clue")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_webhook_delivery")),
    )
    op.create_index("ix_api_webhook_delivery_due", "api_webhook_delivery", ["next_attempt_at"])


def downgrade():
    op.drop_index("ix_api_webhook_delivery_due", table_name="api_webhook_delivery")
    op.drop_table("api_webhook_delivery")
    op.drop_table("api_idempotency_key")
    op.drop_table("api_client")
