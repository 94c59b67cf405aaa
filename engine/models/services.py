"""Family-education services: practice bases managed as providers (validity, service area, staff, activities,
annual reports), the family-education activities of schools, kindergartens and communities, and the
screening register of children in difficulty (摸排台账) with its visits."""
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.base import Base


class PracticeBase(Base):
    """What managing a guidance provider as a practice base (实践基地) adds: the period it is recognised for
    (seed 002: five years, renewed by the district office), a suspension, capacity and the kinds of service."""

    __tablename__ = "practice_base"
    provider_id: Mapped[int] = mapped_column(ForeignKey("guidance_provider.id"), primary_key=True)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    suspended: Mapped[bool] = mapped_column(Boolean, default=False)
    capacity: Mapped[int | None]                       # families a year
    service_kinds: Mapped[list] = mapped_column(JSON, default=list)
    renewed_at: Mapped[datetime | None]
    renewed_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    version: Mapped[int] = mapped_column(default=1)

    __table_args__ = (Index("ix_practice_base_valid_until", "valid_until"),)


class BaseServiceArea(Base):
    """A district a base serves (its own, and any other the district office adds)."""

    __tablename__ = "base_service_area"
    provider_id: Mapped[int] = mapped_column(ForeignKey("guidance_provider.id"), primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"), primary_key=True)

    __table_args__ = (Index("ix_base_service_area_district", "district_id"),)


class BaseStaff(Base):
    """A ``base_staff`` account and the base it works for."""

    __tablename__ = "base_staff"
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("guidance_provider.id"))


class BaseActivity(Base):
    """An activity a base held (a lecture, a parent-child activity, a consultation day)."""

    __tablename__ = "base_activity"
    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("guidance_provider.id"))
    held_on: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))
    participants: Mapped[int]
    hours: Mapped[float] = mapped_column(Float)
    recorded_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime]

    __table_args__ = (Index("ix_base_activity_provider_day", "provider_id", "held_on"),)


class BaseAnnualReport(Base):
    """A base's annual report (年度报告): generated from its activities, submitted by its staff by the end of
    December, approved or returned by the district family-education office."""

    __tablename__ = "base_annual_report"
    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("guidance_provider.id"))
    year: Mapped[int]
    status: Mapped[str] = mapped_column(String(20))    # submitted, approved, returned
    figures: Mapped[dict] = mapped_column(JSON, default=dict)
    summary: Mapped[str] = mapped_column(Text, default="")
    submitted_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    submitted_at: Mapped[datetime]
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reviewed_at: Mapped[datetime | None]
    review_note: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1)

    __table_args__ = (UniqueConstraint("provider_id", "year", name="uq_base_annual_report_provider_year"),)


class EduOrganisation(Base):
    """A school, kindergarten or community that owes family-education activities (a quota per period)."""

    __tablename__ = "edu_organisation"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20))      # school, kindergarten, community
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"))

    __table_args__ = (UniqueConstraint("district_id", "name", name="uq_edu_organisation_district_name"),
                      Index("ix_edu_organisation_district_kind", "district_id", "kind"))


class EduActivity(Base):
    """A family-education activity an organisation held (家长会, 讲座, 亲子活动 …)."""

    __tablename__ = "edu_activity"
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("edu_organisation.id"))
    kind: Mapped[str] = mapped_column(String(30))
    held_on: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(200))
    participants: Mapped[int]
    hours: Mapped[float] = mapped_column(Float)
    recorded_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime]

    __table_args__ = (Index("ix_edu_activity_org_day", "organisation_id", "held_on"),)


class ScreeningEntry(Base):
    """A child in difficulty on the screening register (摸排台账), watched and visited on a schedule."""

    __tablename__ = "screening_entry"
    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"))
    agency_code: Mapped[str] = mapped_column(String(40))      # the registering agency
    registered_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    registered_at: Mapped[datetime]
    child_name: Mapped[str] = mapped_column(String(80))
    child_sex: Mapped[str] = mapped_column(String(1))
    child_id_number: Mapped[str | None] = mapped_column(String(18))
    birth_date: Mapped[date] = mapped_column(Date)
    address: Mapped[str] = mapped_column(String(200))
    guardian_name: Mapped[str] = mapped_column(String(80))
    guardian_relation: Mapped[str] = mapped_column(String(20))
    guardian_phone: Mapped[str | None] = mapped_column(String(40))
    family_types: Mapped[list] = mapped_column(JSON, default=list)
    watch_status: Mapped[str] = mapped_column(String(20))     # routine, watch, key
    visit_every_days: Mapped[int]
    next_visit_on: Mapped[date] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")
    clue_id: Mapped[int | None] = mapped_column(ForeignKey("risk_clue.id"))
    closed_on: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(default=1)

    __table_args__ = (Index("ix_screening_entry_district_agency", "district_id", "agency_code"),
                      Index("ix_screening_entry_due", "district_id", "next_visit_on"))


class ScreeningVisit(Base):
    """A visit to a child on the register."""

    __tablename__ = "screening_visit"
    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("screening_entry.id"))
    visited_on: Mapped[date] = mapped_column(Date)
    visitor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    findings: Mapped[str] = mapped_column(Text)
    risk_found: Mapped[bool] = mapped_column(Boolean, default=False)
    # 心理监测: the child's psychological screening at the visit (none, normal, warning); a warning is dealt
    # with (处置) when the child is seen again or reported as a risk clue by ``psych_follow_up_by``
    psych_check: Mapped[str] = mapped_column(String(10), default="none")
    psych_follow_up_by: Mapped[date | None] = mapped_column(Date, nullable=True)
    recorded_at: Mapped[datetime]

    __table_args__ = (Index("ix_screening_visit_entry", "entry_id", "visited_on"),)
