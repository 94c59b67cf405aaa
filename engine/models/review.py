"""Closed-loop audits (闭环审查): a supervisor's sign-off or return of a round, and random samples drawn for
review."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.base import Base


class RoundReview(Base):
    """A supervisor's audit of a round: signed off (审查通过) or returned for rework (退回整改), with the
    checklist as it stood at that moment."""

    __tablename__ = "round_review"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))          # signed_off, returned
    reopened_at_step: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    checklist: Mapped[dict] = mapped_column(JSON)
    sample_id: Mapped[int | None] = mapped_column(ForeignKey("review_sample.id"))
    reviewed_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    reviewed_at: Mapped[datetime]


class ReviewSample(Base):
    """A random sample of closed cases drawn for review (抽查), with the seed that reproduces the draw."""

    __tablename__ = "review_sample"
    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"))
    agency: Mapped[str] = mapped_column(String(40))
    drawn_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    drawn_at: Mapped[datetime]
    seed: Mapped[str] = mapped_column(String(32))
    population: Mapped[int]
    case_ids: Mapped[list] = mapped_column(JSON)
