"""The evidence each step leaves: assessments, codes, plans, sessions, visits, approvals, documents."""
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class _RoundRecord:
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("round.id"), index=True)


class Assessment(_RoundRecord, Base):
    """A scored assessment (评估) or re-assessment, with the code the risk-code table gave."""

    __tablename__ = "assessment"
    kind: Mapped[str] = mapped_column(String(20))
    item_scores: Mapped[dict] = mapped_column(JSON)
    total_score: Mapped[int]
    risk_factors: Mapped[list] = mapped_column(JSON)
    summary: Mapped[str] = mapped_column(Text)
    decided_code: Mapped[str | None] = mapped_column(String(10))
    assessed_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    assessed_at: Mapped[datetime]


class RiskCodeChange(_RoundRecord, Base):
    """One entry of the risk-code history (赋码、降级、升级)."""

    __tablename__ = "risk_code_change"
    __table_args__ = (Index("ix_risk_code_change_kind_decided", "kind", "decided_at"),)  # changes by month
    kind: Mapped[str] = mapped_column(String(20))
    code: Mapped[str] = mapped_column(String(10))
    previous_code: Mapped[str | None] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text)
    decided_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime]
    next_review: Mapped[date | None]
    approval_id: Mapped[int | None] = mapped_column(ForeignKey("approval.id"))


class GuidancePlan(_RoundRecord, Base):
    """The family-education guidance plan (家庭教育指导方案) of a round."""

    __tablename__ = "guidance_plan"
    provider_id: Mapped[int] = mapped_column(ForeignKey("guidance_provider.id"))
    sessions_required: Mapped[int]
    min_minutes: Mapped[int]
    period_days: Mapped[int]
    goals: Mapped[str] = mapped_column(Text)
    drafted_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    drafted_at: Mapped[datetime]


class GuidanceSession(_RoundRecord, Base):
    """A guidance session (指导) as delivered."""

    __tablename__ = "guidance_session"
    __table_args__ = (Index("ix_guidance_session_held", "held_on"),)  # guidance by month
    kind: Mapped[str] = mapped_column(String(30))
    held_on: Mapped[date]
    minutes: Mapped[int]
    guardian_attended: Mapped[bool]
    notes: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime]


class FollowupVisit(_RoundRecord, Base):
    """A follow-up visit (回访)."""

    __tablename__ = "followup_visit"
    method: Mapped[str] = mapped_column(String(20))
    visited_on: Mapped[date]
    findings: Mapped[str] = mapped_column(Text)
    orders_complied: Mapped[bool]
    new_incident: Mapped[bool]
    recorded_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime]


class Approval(_RoundRecord, Base):
    """A request that needs a supervisor: who asked, who decided, and why.

    ``kind``: ``downgrade`` (降级), ``closure`` (结案), ``escalation`` (提请联席会商) or ``order`` (an order drafted
    by a prosecutor or judge, approved by the head of department before it is issued: ``subject`` is the
    document type, ``payload`` the draft).
    """

    __tablename__ = "approval"
    kind: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str | None] = mapped_column(String(40))
    payload: Mapped[dict | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    from_code: Mapped[str | None] = mapped_column(String(10))
    to_code: Mapped[str | None] = mapped_column(String(10))
    request_reason: Mapped[str] = mapped_column(Text)
    requested_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    requested_at: Mapped[datetime]
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(Text)


class DocumentRecord(_RoundRecord, Base):
    """A document (文书) issued in a case: its number, hash and verification code, and its delivery (送达).

    Issued documents never change: a correction is a new document that ``supersedes`` the old one, and
    the old one's status becomes ``superseded``. The PDF bytes live in ``document_file``.
    """

    __tablename__ = "document_record"
    __table_args__ = (Index("ix_document_record_type_issued", "doc_type", "issued_at"),)  # orders by month
    doc_type: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(80), default="")
    issuing_agency: Mapped[str] = mapped_column(String(40))
    office_id: Mapped[int | None] = mapped_column(ForeignKey("office.id"))
    status: Mapped[str] = mapped_column(String(20), default="issued")
    number: Mapped[str | None] = mapped_column(String(60), unique=True)
    year: Mapped[int | None]
    sequence: Mapped[int | None]
    sha256: Mapped[str | None] = mapped_column(String(64))
    verification_code: Mapped[str | None] = mapped_column(String(12), unique=True)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("document_record.id"))
    served_document_id: Mapped[int | None] = mapped_column(ForeignKey("document_record.id"))
    fields: Mapped[dict] = mapped_column(JSON, default=dict)
    issued_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    issued_at: Mapped[datetime]
    delivery_method: Mapped[str | None] = mapped_column(String(20))
    delivered_on: Mapped[date | None]
    delivery_recipient: Mapped[str | None] = mapped_column(String(80))
    delivery_signed: Mapped[bool | None]
    delivered_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class TaskRecord(_RoundRecord, Base):
    """What was submitted to complete a workflow task: the evidence behind every step."""

    __tablename__ = "task_record"
    __table_args__ = (Index("ix_task_record_round_spec_time", "round_id", "task_spec", "completed_at"),)  # step times
    task_id: Mapped[str | None] = mapped_column(String(36), index=True)
    task_spec: Mapped[str] = mapped_column(String(60))
    lane: Mapped[str | None] = mapped_column(String(40))
    data: Mapped[dict] = mapped_column(JSON)
    completed_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    completed_at: Mapped[datetime]


class DocumentFile(Base):
    """The PDF bytes of an issued document, written once."""

    __tablename__ = "document_file"
    document_id: Mapped[int] = mapped_column(ForeignKey("document_record.id"), primary_key=True)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int]
