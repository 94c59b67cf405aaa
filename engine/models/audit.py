"""The append-only, hash-chained audit log and the gap-free counters behind case and document numbers."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.base import Base

GENESIS = "0" * 64  # the ``prev_hash`` of the first entry


class _EntryContent:
    """What an audit entry says: who, what, when, about which case, before and after."""

    at: Mapped[datetime]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str | None] = mapped_column(String(40))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"))
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)


class AuditEntry(_EntryContent, Base):
    """One state change or one view of a case's personal data: who, what, when, before and after.

    Rows are only ever inserted. Each carries the hash of the entry before it and its own hash over its
    content and that link (``engine.auditlog.record.entry_hash``: HMAC-SHA256 with the key kept outside the database
    from ``audit_head.keyed_from`` on, plain SHA-256 before); ids are consecutive, so an altered, inserted
    or deleted entry breaks the chain at a place ``guardloop audit verify`` names. ``staged_id`` names the
    ``audit_staged`` row an access entry was chained from.
    """

    __tablename__ = "audit_entry"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    staged_id: Mapped[int | None]

    __table_args__ = (Index("ix_audit_entry_case", "case_id", "id"),  # a case's trail, newest first
                      Index("ux_audit_entry_staged", "staged_id", unique=True))


class AuditStaged(_EntryContent, Base):
    """An access entry (a view of a case's personal data) written without the chain's lock, waiting to be
    chained (``engine.auditlog.record.chain_staged``: by the workers, or by the next state change's commit). The
    database refuses to change a staged entry, and to delete one that is not yet in the chain."""

    __tablename__ = "audit_staged"
    __table_args__ = {"sqlite_autoincrement": True}   # ids never reused: a chained entry keeps naming its row
    id: Mapped[int] = mapped_column(primary_key=True)


class AuditHead(Base):
    """The end of the chain (one row): writers lock it to append, so the chain never forks, and
    ``audit verify`` compares it with the last entry, so a truncated tail shows. ``keyed_from``: the first
    entry hashed with the key (set once by the migration that keyed the chain; the database refuses to
    change it)."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_id: Mapped[int] = mapped_column(default=0)
    last_hash: Mapped[str] = mapped_column(String(64), default=GENESIS)
    keyed_from: Mapped[int] = mapped_column(default=1)


class Counter(Base):
    """A named sequence (case numbers per district and year, …), advanced under a row lock."""

    __tablename__ = "counter"
    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[int] = mapped_column(default=0)
