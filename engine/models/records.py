"""The evidence each step leaves: assessments, codes, plans, sessions, visits, approvals, documents."""
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, and_, case, select
from sqlalchemy.orm import Mapped, column_property, deferred, mapped_column

from engine.models.base import Base


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


def counts_towards_plan(attended, minutes, min_minutes):
    """A guidance session counts towards its plan when the guardian attended, for at least the plan's minutes.
    Written once for a session's values and for its columns in SQL (``&`` is ``and`` on both)."""
    return attended & (minutes >= min_minutes)


class FollowupVisit(_RoundRecord, Base):
    """A follow-up visit (回访), recorded by any agency on the case when it happens: planned (on the code's
    cadence), ad hoc, or joint (several agencies together)."""

    __tablename__ = "followup_visit"
    kind: Mapped[str] = mapped_column(String(20), default="planned")
    participants: Mapped[list] = mapped_column(JSON, default=list)     # agency keys
    recorded_agency: Mapped[str | None] = mapped_column(String(40))
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
    by its officer, approved by the head of department before it is issued: ``subject`` is the document type,
    ``payload`` the draft, ``referral_id`` the measure it carries out). ``status``: ``pending``, then
    ``approved``, ``returned`` (退回补正: back to the requester), ``refused`` (不予批准) or ``withdrawn`` (撤回).
    """

    __tablename__ = "approval"
    kind: Mapped[str] = mapped_column(String(20))
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referral.id"), index=True)
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


def pending_approval(session, kind: str, *, round_id: int | None = None,
                     referral_id: int | None = None) -> Approval | None:
    """The latest request of ``kind`` still waiting for a decision: the round's, the referral's (an order's
    draft), or both."""
    query = select(Approval).where(Approval.kind == kind, Approval.status == "pending")
    if round_id is not None:
        query = query.where(Approval.round_id == round_id)
    if referral_id is not None:
        query = query.where(Approval.referral_id == referral_id)
    return session.scalars(query.order_by(Approval.id.desc())).first()


class DocumentRecord(_RoundRecord, Base):
    """A document (文书) issued in a case: its number, hash and verification code, and its delivery (送达).

    Issued documents never change: a correction is a new document that ``supersedes`` the old one, and
    the old one's status becomes ``superseded``. What the document says is fixed when it is issued, in the
    issuing transaction: number, verification code, issuer, date and ``snapshot`` (the canonical data the
    PDF is rendered from) with its hash ``snapshot_sha256``. The PDF is rendered after the commit
    (``engine.issuing.rendering``); its bytes live in ``document_file`` and ``sha256`` is written once, when they are.
    Documents issued before rendering moved out of the request have no snapshot (their PDF was made at
    issue); seeded copies have neither.
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
    snapshot: Mapped[dict | None] = deferred(mapped_column(JSON))   # large: loaded only to render
    snapshot_sha256: Mapped[str | None] = mapped_column(String(64))
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
    """The PDF bytes of an issued document, written once (by the rendering worker, or at issue before
    rendering moved out of the request)."""

    __tablename__ = "document_file"
    document_id: Mapped[int] = mapped_column(ForeignKey("document_record.id"), primary_key=True)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int]
    rendered_at: Mapped[datetime | None]


class Referral(_RoundRecord, Base):
    """A measure proposed to the agency that decides it (移送/提请): a 督促监护令 to the procuratorate, a 家庭教育
    指导令 or a 人身安全保护令 to the court, a 训诫 or 告诫书 to the police, court or procuratorate. The issuing
    agency decides in its own right (受理 / 调查核实 / 不予采纳 with a reason that goes back to the proposer);
    accepted, it drafts, has approved, issues and delivers the document.

    ``origin``: ``proposal`` (the case's proposing agency), ``joint_meeting`` (rigid measures decided at a
    联席会商) or ``non_compliance`` (the issuer's response to an order not complied with, ``parent_document_id``).
    ``judicial_case``: the judicial case the measure arises from — {number (案号), cause (案由), stage}.
    """

    __tablename__ = "referral"
    measure: Mapped[str] = mapped_column(String(40))
    issuer: Mapped[str] = mapped_column(String(40))
    proposer: Mapped[str] = mapped_column(String(40))
    origin: Mapped[str] = mapped_column(String(20), default="proposal")
    rigid: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str] = mapped_column(Text, default="")
    judicial_case: Mapped[dict | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    proposed_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    proposed_at: Mapped[datetime]
    decision: Mapped[str | None] = mapped_column(String(20))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    findings: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None]
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document_record.id"))
    parent_document_id: Mapped[int | None] = mapped_column(ForeignKey("document_record.id"))


class OrderSupervision(Base):
    """An order in force and its issuer's supervision of it (履行监督): the guardian's duties run from delivery
    until ``ends_on``; the issuer checks compliance every ``report_every_days``."""

    __tablename__ = "order_supervision"
    document_id: Mapped[int] = mapped_column(ForeignKey("document_record.id"), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    issuer: Mapped[str] = mapped_column(String(40))
    report_every: Mapped[str] = mapped_column(String(20))
    chase_every: Mapped[str] = mapped_column(String(20))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(20), default="in_force")   # in_force, completed, revoked
    breaches: Mapped[int] = mapped_column(default=0)
    last_checked_on: Mapped[date | None]


class ComplianceCheck(_RoundRecord, Base):
    """One check by the issuer of whether the guardian carries out an order (履行情况检查)."""

    __tablename__ = "compliance_check"
    document_id: Mapped[int] = mapped_column(ForeignKey("document_record.id"), index=True)
    checked_on: Mapped[date]
    report_received: Mapped[bool]
    result: Mapped[str] = mapped_column(String(20))        # complied, partial, not_complied
    notes: Mapped[str] = mapped_column(Text, default="")
    consequence: Mapped[str | None] = mapped_column(String(20))
    checked_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    checked_at: Mapped[datetime]


class Chase(_RoundRecord, Base):
    """A chase (督办): something overdue, raised by the model's repeating timer and addressed to the
    supervisors of an agency (by default the late party's own; ``chase_routing.dmn``). It never adds an agency
    to the case and never holds the procedure open: it is ``resolved`` when the late thing is done, and
    ``answered`` when a supervisor records the explanation and what was done."""

    __tablename__ = "chase"
    __table_args__ = (Index("ix_chase_to_agency_open", "to_agency", "answered_at"),)
    kind: Mapped[str] = mapped_column(String(20))
    task_id: Mapped[str] = mapped_column(String(36), index=True)
    task_spec: Mapped[str] = mapped_column(String(60))
    late_agency: Mapped[str | None] = mapped_column(String(40))
    to_agency: Mapped[str] = mapped_column(String(40))
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"))
    times: Mapped[int] = mapped_column(default=1)
    first_raised_at: Mapped[datetime]
    last_raised_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    answered_at: Mapped[datetime | None]
    explanation: Mapped[str | None] = mapped_column(Text)
    action: Mapped[str | None] = mapped_column(Text)


class RenderJob(Base):
    """A document waiting for its PDF (the rendering queue): queued at issue, in the issuing transaction;
    deleted in the transaction that stores the PDF. ``state``: ``queued`` (due at ``not_before``; retried
    after a failure with ``attempts`` and ``last_error`` kept) or ``failed`` (given up after
    ``engine.issuing.rendering.MAX_ATTEMPTS``: shown on the case page, rendered again on download or by
    ``guardloop render --retry-failed``)."""

    __tablename__ = "render_job"
    __table_args__ = (Index("ix_render_job_due", "state", "not_before"),)
    document_id: Mapped[int] = mapped_column(ForeignKey("document_record.id"), primary_key=True)
    state: Mapped[str] = mapped_column(String(20), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    not_before: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime]


# What the case page shows of a document's PDF, read with the document (no statement of its own): None once
# rendered (or never to be), else ``queued`` (生成中), ``retrying`` (failed, will be retried) or ``failed``.
DocumentRecord.render_state = column_property(
    select(case((and_(RenderJob.state == "queued", RenderJob.attempts > 0), "retrying"), else_=RenderJob.state))
    .where(RenderJob.document_id == DocumentRecord.id).correlate_except(RenderJob).scalar_subquery())
