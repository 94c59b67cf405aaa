"""Deployed model versions, rounds (one workflow instance each) and their ready work items."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.base import Base


class ModelVersion(Base):
    """An immutable deployment of ``workflows/``: rounds finish on the version they started on."""

    __tablename__ = "model_version"
    version: Mapped[str] = mapped_column(String(16), primary_key=True)
    sources: Mapped[dict] = mapped_column(JSON)
    deployed_at: Mapped[datetime]


class Round(Base):
    """An intervention round (一轮干预): the four steps, one workflow instance."""

    __tablename__ = "round"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    number: Mapped[int]
    process_id: Mapped[str] = mapped_column(String(60))
    model_version: Mapped[str] = mapped_column(ForeignKey("model_version.version"))
    status: Mapped[str] = mapped_column(String(20), default="running")
    outcome: Mapped[str | None] = mapped_column(String(30))
    risk_code: Mapped[str | None] = mapped_column(String(10))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    state: Mapped[str] = mapped_column(Text)
    next_timer_at: Mapped[datetime | None]
    # step -> {"started": ISO time, "ended": ISO time or None}: the steps run side by side, so where a round
    # stands is which of its steps (call activities) have started and ended, kept as the round is saved
    steps: Mapped[dict | None] = mapped_column(JSON)

    __table_args__ = (Index("ix_round_next_timer_at", "next_timer_at"),
                      # rounds ended in a period (the cockpit's closed-loop rate)
                      Index("ix_round_ended", "ended_at", postgresql_where=text("status <> 'running'"),
                            sqlite_where=text("status <> 'running'")))


class WorkItem(Base):
    """Open work of a round, projected on every save: a READY user task (``kind`` ``task``) or a receive task
    waiting for a record people make when it happens (``await``: a visit, a guidance session). Inboxes and
    permissions read it. ``subject``: what the task is about beyond the case (``referral:7``, ``order:12``)."""

    __tablename__ = "work_item"
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"))
    task_id: Mapped[str] = mapped_column(String(36), unique=True)
    task_spec: Mapped[str] = mapped_column(String(60))
    task_name: Mapped[str] = mapped_column(String(120))
    lane: Mapped[str] = mapped_column(String(40))   # the owning agency: the task's lane, or its ``agency``
    roles: Mapped[list] = mapped_column(JSON)
    step: Mapped[str] = mapped_column(String(20))
    ready_at: Mapped[datetime]
    due_at: Mapped[datetime]
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    kind: Mapped[str] = mapped_column(String(10), default="task")
    subject: Mapped[str | None] = mapped_column(String(40))

    __table_args__ = (Index("ix_work_item_inbox", "lane", "district_id", "due_at"),
                      Index("ix_work_item_district_due", "district_id", "due_at"))  # the overdue list
