"""Risk clues, cases, guardians and the agencies taking part in a case."""
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, bindparam, text
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from engine.errors import Conflict
from engine.models.base import Base


class RiskClue(Base):
    """A risk clue (风险线索) as received, with the child it concerns."""

    __tablename__ = "risk_clue"
    id: Mapped[int] = mapped_column(primary_key=True)
    clue_no: Mapped[str] = mapped_column(String(40), unique=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"), index=True)
    source: Mapped[str] = mapped_column(String(30))
    reporter_name: Mapped[str] = mapped_column(String(80))
    reporter_contact: Mapped[str | None] = mapped_column(String(80))
    mandatory_report: Mapped[bool] = mapped_column(default=False)
    received_at: Mapped[datetime]
    description: Mapped[str] = mapped_column(Text)
    child: Mapped[dict] = mapped_column(JSON)
    guardians: Mapped[list] = mapped_column(JSON, default=list)
    family_types: Mapped[list] = mapped_column(JSON, default=list)
    risk_factors: Mapped[list] = mapped_column(JSON, default=list)
    linked_case_no: Mapped[str | None] = mapped_column(String(60))
    registered_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    registering_agency: Mapped[str] = mapped_column(String(40))
    registered_at: Mapped[datetime]
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="received")
    # 强制报告: a mandatory report goes to the police at once; they acknowledge and respond within limits
    # (``mandatory_report.dmn``) and the reporter sees both.
    report_to: Mapped[str | None] = mapped_column(String(40))
    ack_due_at: Mapped[datetime | None]
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    respond_due_at: Mapped[datetime | None]
    responded_at: Mapped[datetime | None]
    responded_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    police_response: Mapped[str | None] = mapped_column(Text)
    # the one-time token of the form it came from: a resubmitted form finds its clue instead of a second one
    form_token: Mapped[str | None] = mapped_column(String(64))
    # the deciding agencies' decision on a clue that becomes no case of its own (status ``rejected`` or
    # ``merged``): the reason, who and when; a merged clue names the clue or the case it joined
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None]
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("risk_clue.id"))
    merged_case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"))

    __table_args__ = (Index("ix_risk_clue_district_received", "district_id", "received_at"),  # new clues
                      Index("ix_risk_clue_district_status", "district_id", "status", "received_at"),  # filters
                      Index("ix_risk_clue_report_open", "report_to", "district_id", "responded_at"),
                      UniqueConstraint("registered_by", "form_token", name="uq_risk_clue_form_token"))


class Case(Base):
    """One child and their family (个案). ``version`` guards every change (optimistic locking)."""

    __tablename__ = "case_file"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_no: Mapped[str] = mapped_column(String(40), unique=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"))
    case_type: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="open")
    child_name: Mapped[str] = mapped_column(String(80))
    child_sex: Mapped[str] = mapped_column(String(1))
    child_birth_date: Mapped[date]
    child_id_number: Mapped[str | None] = mapped_column(String(18), index=True)
    child_school: Mapped[str | None] = mapped_column(String(120))
    child_address: Mapped[str | None] = mapped_column(String(200))
    family_types: Mapped[list] = mapped_column(JSON, default=list)
    risk_factors: Mapped[list] = mapped_column(JSON, default=list)
    linked_case_no: Mapped[str | None] = mapped_column(String(60))
    current_code: Mapped[str | None] = mapped_column(String(10))
    code_review_due: Mapped[date | None]
    opened_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    opened_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(default=1)

    guardians: Mapped[list["Guardian"]] = relationship(order_by="Guardian.id", cascade="all, delete-orphan")

    # Every UPDATE of the row through the ORM is guarded by ``WHERE version = <the version read>``; the
    # version itself advances exactly once per unit of work, in ``bump_version``, however many times the
    # unit of work flushes the row before.
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}

    __table_args__ = (
        Index("ix_case_district_status_code", "district_id", "status", "current_code"),
        Index("ix_case_child_name_birth", "child_name", "child_birth_date"),
        # open cases whose code is due for review (逾期复评), by district
        Index("ix_case_review_due", "district_id", "code_review_due",
              postgresql_where=text("status = 'open'"), sqlite_where=text("status = 'open'")),
        Index("ix_case_status_district", "status", "district_id"),  # open cases of the municipality
    )


class Guardian(Base):
    """A guardian (监护人) or carer (照料人) of the child.

    The record follows the law's changes of guardianship: a parent whose duties are suspended by temporary
    guardianship (``status`` ``suspended``) or whose guardianship a court revoked (``revoked``), and the
    guardians who take over (``kind`` ``temporary`` or ``long_term`` by civil affairs, ``designated`` by a
    court, ``entrusted`` carers), each from ``since`` until ``until``.
    """

    __tablename__ = "guardian"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    relation: Mapped[str] = mapped_column(String(20))
    is_guardian: Mapped[bool] = mapped_column(default=True)
    kind: Mapped[str] = mapped_column(String(20), default="parent")
    status: Mapped[str] = mapped_column(String(20), default="active")
    since: Mapped[date | None]
    until: Mapped[date | None]
    status_reason: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(String(40))
    id_number: Mapped[str | None] = mapped_column(String(18))
    address: Mapped[str | None] = mapped_column(String(200))


class CaseAgency(Base):
    """An agency taking part in a case: its users of the case's district may see it."""

    __tablename__ = "case_agency"
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), primary_key=True)
    agency_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    since: Mapped[datetime]
    __table_args__ = (Index("ix_case_agency_agency", "agency_code", "case_id"),)


def bump_version(session, case: Case, now: datetime) -> None:
    """Advance the case's version by one for this unit of work: the optimistic lock every writer of the
    case races on, and what tells a user their page is stale.

    When the ORM has changes of its own to write, its UPDATE (guarded by the version read) carries the new
    version; otherwise one plain ``UPDATE … WHERE version = :seen`` does, and a lost race raises
    ``StaleDataError`` the same way. A second call in the same unit of work changes nothing.
    """
    bumped = session.info.setdefault("cases_bumped", set())
    if case.id in bumped:
        return
    bumped.add(case.id)
    if session.is_modified(case):
        case.version, case.updated_at = case.version + 1, now
        session.flush()
        return
    result = session.connection().execute(_BUMP, {"case_id": case.id, "seen": case.version, "updated_at": now})
    if result.rowcount != 1:
        raise StaleDataError(f"case {case.id} changed since version {case.version}")
    set_committed_value(case, "version", case.version + 1)
    set_committed_value(case, "updated_at", now)


_BUMP = (Case.__table__.update()
         .where(Case.__table__.c.id == bindparam("case_id"), Case.__table__.c.version == bindparam("seen"))
         .values(version=Case.__table__.c.version + 1))


def require_current_version(case: Case, expected_version: int) -> None:
    """The page the user acted on showed this version of the case; otherwise someone changed it since."""
    if case.version != expected_version:
        raise Conflict("该个案刚被他人修改，请刷新后重试；您填写的内容未丢失。",
                       "This case changed a moment ago; reload and try again. What you typed is kept.")
