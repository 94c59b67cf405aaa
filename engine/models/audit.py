"""The append-only, hash-chained audit log and the gap-free counters behind case and document numbers."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base

GENESIS = "0" * 64  # the ``prev_hash`` of the first entry


class AuditEntry(Base):
    """One state change or one view of a case's personal data: who, what, when, before and after.

    Rows are only ever inserted. Each carries the hash of the entry before it and its own hash over its
    content and that link (``engine.audit.entry_hash``); ids are consecutive, so an altered, inserted or
    deleted entry breaks the chain at a place ``guardloop audit verify`` names.
    """

    __tablename__ = "audit_entry"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    at: Mapped[datetime]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str | None] = mapped_column(String(40))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"))
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (Index("ix_audit_entry_case", "case_id", "id"),)  # a case's trail, newest first


class AuditHead(Base):
    """The end of the chain (one row): writers lock it to append, so the chain never forks, and
    ``audit verify`` compares it with the last entry, so a truncated tail shows."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_id: Mapped[int] = mapped_column(default=0)
    last_hash: Mapped[str] = mapped_column(String(64), default=GENESIS)


class Counter(Base):
    """A named sequence (case numbers per district and year, …), advanced under a row lock."""

    __tablename__ = "counter"
    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[int] = mapped_column(default=0)
