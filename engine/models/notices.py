"""Notifications to an agency (a duplicate clue matched one of its cases, a round was quarantined) and the
counters behind the rate limits on signing in and verification."""
from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.base import Base


class Notification(Base):
    """Something an agency of a district must look at; its users (of ``role``, when set) see it in the
    inbox until one of them marks it read. ``kind`` and ``payload`` say what, in no language.

    ``user_id``: addressed to one person only (a task assigned to them, a case handed to them); only they
    see it and mark it read. ``dedup_key``: a notice that must be written once only (a deadline of a task
    at a threshold), unique, so a second tick writes nothing."""

    __tablename__ = "notification"
    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"))
    agency_code: Mapped[str] = mapped_column(String(40))
    role: Mapped[str | None] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(40))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"))
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None]
    read_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    dedup_key: Mapped[str | None] = mapped_column(String(120), unique=True)

    __table_args__ = (Index("ix_notification_inbox", "agency_code", "district_id", "read_at"),
                      Index("ix_notification_user", "user_id", "read_at"))


class RateLimitWindow(Base):
    """One fixed rate-limit window (``limits``' storage interface): shared by every worker through the
    database, so a limit holds across gunicorn processes and hosts without Redis."""

    __tablename__ = "rate_limit_window"
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    expires_at: Mapped[float] = mapped_column(Float)   # seconds since the epoch
    hits: Mapped[int] = mapped_column(default=0)
