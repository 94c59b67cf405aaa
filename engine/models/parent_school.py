"""Parent schools (家长学校 / 家长夜校): courses, their sessions and attendance, the register of the guardians
who take part, certificates (结业证书), the public links (QR sign-in sheets, survey forms), satisfaction
surveys, and the courses a case's guidance plan requires.

Hours are kept in minutes (a class hour, 学时, is 60 minutes). A school year runs from 1 September to
31 August and is named by the year it starts in (2025 → 2025—2026学年).
"""
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.base import Base


class Course(Base):
    """A parent-school course: its kind (通识/基础/定制/网络), who runs it (a school, a community, a practice base
    — a ``GuidanceProvider`` — or an online platform), its planned hours and capacity, in a district and a
    school year. ``agency`` is the agency of the staff who run it (education, community, womens_federation)."""

    __tablename__ = "ps_course"
    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"))
    school_year: Mapped[int]
    title: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20))
    provider_kind: Mapped[str] = mapped_column(String(20))
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("guidance_provider.id"))
    provider_name: Mapped[str] = mapped_column(String(120))
    planned_minutes: Mapped[int]
    capacity: Mapped[int]
    description: Mapped[str | None] = mapped_column(Text)
    agency: Mapped[str] = mapped_column(String(40))
    created_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (Index("ix_ps_course_district_year", "district_id", "school_year"),)


class CourseSession(Base):
    """One class of a course (课次): date, time, place and its length."""

    __tablename__ = "ps_session"
    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("ps_course.id"), index=True)
    held_on: Mapped[date]
    starts_at: Mapped[str] = mapped_column(String(5))
    place: Mapped[str] = mapped_column(String(200))
    minutes: Mapped[int]
    created_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime]


class Participant(Base):
    """A guardian in the parent-school register (家长学员) of a district, keyed by ID number or mobile phone.
    ``guardian_id`` links the person to a case's guardian when the case's guidance plan sends them to
    courses; only then does their learning record show on the case (to those on it)."""

    __tablename__ = "ps_participant"
    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"))
    name: Mapped[str] = mapped_column(String(80))
    phone: Mapped[str | None] = mapped_column(String(20))
    phone_last4: Mapped[str | None] = mapped_column(String(4))
    id_number: Mapped[str | None] = mapped_column(String(18), unique=True)
    child_school: Mapped[str | None] = mapped_column(String(120))
    guardian_id: Mapped[int | None] = mapped_column(ForeignKey("guardian.id"), index=True)
    created_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("district_id", "phone", name="uq_ps_participant_district_phone"),
                      Index("ix_ps_participant_name_last4", "district_id", "name", "phone_last4"))


class Attendance(Base):
    """A participant at a session (签到), with the minutes that count. The session's district, school year and
    date are copied here so the hours per guardian and the indicators read one table."""

    __tablename__ = "ps_attendance"
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("ps_session.id"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("ps_participant.id"))
    course_id: Mapped[int] = mapped_column(ForeignKey("ps_course.id"))
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"))
    school_year: Mapped[int]
    held_on: Mapped[date]
    kind: Mapped[str] = mapped_column(String(20))
    minutes: Mapped[int]
    method: Mapped[str] = mapped_column(String(10))       # qr, roster, manual
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("session_id", "participant_id", name="uq_ps_attendance_session_participant"),
                      Index("ix_ps_attendance_participant_year", "participant_id", "school_year"),
                      Index("ix_ps_attendance_district_day", "district_id", "held_on", "participant_id"))


class Certificate(Base):
    """结业证书: issued when a participant's hours of a school year reach the year's requirement. The PDF is
    made from ``snapshot`` on first download and kept with its SHA-256; ``code`` is what /verify accepts."""

    __tablename__ = "ps_certificate"
    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("ps_participant.id"))
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"))
    school_year: Mapped[int]
    number: Mapped[str] = mapped_column(String(60), unique=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    minutes: Mapped[int]
    earned_on: Mapped[date]          # the day of the class with which the year's hours were reached
    issuer: Mapped[str] = mapped_column(String(120))
    issued_at: Mapped[datetime]
    snapshot: Mapped[dict] = mapped_column(JSON)
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    sha256: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (UniqueConstraint("participant_id", "school_year", name="uq_ps_certificate_participant_year"),
                      Index("ix_ps_certificate_district_earned", "district_id", "earned_on"))


class PublicLink(Base):
    """A link anyone may open without signing in, printed as a QR code: a session's sign-in sheet or a
    survey form. The token is random (256 bits), expires, can be withdrawn, and locks after too many
    failed sign-in attempts; the page it opens shows no personal data."""

    __tablename__ = "ps_public_link"
    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(10))     # signin, survey
    session_id: Mapped[int | None] = mapped_column(ForeignKey("ps_session.id"))
    course_id: Mapped[int | None] = mapped_column(ForeignKey("ps_course.id"))
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("guidance_plan.id"))
    expires_at: Mapped[datetime]
    withdrawn: Mapped[bool] = mapped_column(default=False)
    failures: Mapped[int] = mapped_column(default=0)
    uses: Mapped[int] = mapped_column(default=0)
    created_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime]


class SurveyResponse(Base):
    """A satisfaction survey (满意度调查) after a course or a guidance plan: four 1–5 scores and a comment,
    entered from paper by staff or submitted on the public form. No name, no contact: nothing personal.
    ``provider_label`` names who delivered it (the course's provider, the plan's guidance provider)."""

    __tablename__ = "ps_survey_response"
    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(10))     # course, plan
    course_id: Mapped[int | None] = mapped_column(ForeignKey("ps_course.id"), index=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("guidance_plan.id"), index=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"))
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("guidance_provider.id"))
    provider_label: Mapped[str] = mapped_column(String(120))
    scores: Mapped[dict] = mapped_column(JSON)
    overall: Mapped[int]
    comment: Mapped[str | None] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(10))     # paper, qr
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    submitted_at: Mapped[datetime]

    __table_args__ = (Index("ix_ps_survey_district_submitted", "district_id", "submitted_at"),)


class PlanCourseRequirement(Base):
    """The parent-school courses a guidance plan requires of a case's guardian: the kinds that count (empty:
    any) and the minutes. Attendance of the participant linked to that guardian, from the plan's drafting
    on, counts towards it and towards the closed-loop checklist's guidance item."""

    __tablename__ = "ps_plan_requirement"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("guidance_plan.id"))
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"))
    guardian_id: Mapped[int] = mapped_column(ForeignKey("guardian.id"))
    kinds: Mapped[str] = mapped_column(String(80), default="")   # ",basic,custom," ("": any kind counts)
    minutes: Mapped[int]
    since: Mapped[date]

    __table_args__ = (UniqueConstraint("plan_id", "guardian_id", name="uq_ps_plan_requirement_plan_guardian"),)
