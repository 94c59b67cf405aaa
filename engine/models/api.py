"""API clients (issue 18): the agencies' own systems that send clues and read their status.

Each client acts through an account of its own (``user_account``, role ``api_client``, no password), so
the clues it registers and the audit entries of its calls carry its identity the way a person's do. Only
the SHA-256 of its bearer token is stored; the token is shown once, when it is made."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.base import Base


class ApiClient(Base):
    __tablename__ = "api_client"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), unique=True)
    scopes: Mapped[list] = mapped_column(JSON, default=list)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    rotated_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    # where the status of the clues it sent is pushed (``engine.services.webhooks``), and the key that signs
    # each payload (HMAC-SHA256); the key is shown once, when it is set
    webhook_url: Mapped[str | None] = mapped_column(String(500))
    webhook_secret: Mapped[str | None] = mapped_column(String(64))


class ApiIdempotencyKey(Base):
    """One ``Idempotency-Key`` of one client: the hash of the body first sent with it and, once done, the
    clue it registered. A row without a clue is a request in progress (or one whose process died)."""

    __tablename__ = "api_idempotency_key"
    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("api_client.id"))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    clue_id: Mapped[int | None] = mapped_column(ForeignKey("risk_clue.id"))
    created_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("client_id", "key", name="uq_api_idempotency_key_client_key"),)


class ApiWebhookDelivery(Base):
    """One event for one client's webhook (an outbox row, written in the unit of work that changed the
    clue): delivered, retried with growing delays, or given up after the last attempt."""

    __tablename__ = "api_webhook_delivery"
    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("api_client.id"))
    clue_id: Mapped[int] = mapped_column(ForeignKey("risk_clue.id"))
    event: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime | None]     # None once delivered or given up
    attempts: Mapped[int] = mapped_column(default=0)
    delivered_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_api_webhook_delivery_due", "next_attempt_at"),)
