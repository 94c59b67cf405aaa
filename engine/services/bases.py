"""Practice bases (家庭教育指导服务实践基地, seed 002) managed as guidance providers.

A base is recognised for a period (the seed's 20: 2020–2024, five years) and renewed by the district
family-education office (区家庭教育指导中心: the women's federation's caseworkers and supervisors of the base's
district). Its status on a day: ``suspended`` (by the office), ``expired`` (past its period, or not begun),
``expiring`` (ends within ``Settings.base_expiring_days``) or ``active``. Only a base that is active or expiring
and serves the family's district is offered where a guidance plan or order names a provider
(``offered_providers``); guidance centres (no ``PracticeBase`` row) are offered in their own district.

Base staff (role ``base_staff``, linked to one base in ``BaseStaff``) record the activities it held and submit
its annual report (figures generated from the activities) by the end of December; the office approves or
returns it. Bases expiring soon raise a work item (a notification to the office; ``raise_expiry_notices``,
run by ``guardloop tick``, idempotent).
"""
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from engine.actor import Actor
from engine.auditlog import record as audit
from engine.context import GuardLoop
from engine.errors import Conflict, InvalidInput, NotFound
from engine.models import (
    BaseActivity,
    BaseAnnualReport,
    BaseServiceArea,
    BaseStaff,
    District,
    GuidanceProvider,
    Notification,
    PracticeBase,
)
from engine.reference import PRACTICE_BASES
from engine.rules import validate as v
from engine.rules.permissions import (
    ANNUAL_REPORT_REFUSED,
    BASE_OFFICE_ONLY,
    BASE_STAFF_OR_OFFICE_ONLY,
    BASES_REFUSED,
    OFFICE_AGENCY,
    is_district_office,
    is_family_education_office,
    may_read_bases,
    may_record_for_base,
    require,
)
from engine.workflow.clock import clock

SEED_VALID_FROM, SEED_VALID_UNTIL = date(2020, 1, 1), date(2024, 12, 31)   # seed 002: 2020–2024
VALIDITY_YEARS = 5
STATUSES = {
    "active": ("有效", "Active"),
    "expiring": ("即将到期", "Expiring"),
    "expired": ("已过期", "Expired"),
    "suspended": ("已暂停", "Suspended"),
}
SERVICE_KINDS = {
    "lecture": ("家庭教育讲座", "Lectures"),
    "parent_child": ("亲子活动", "Parent-child activities"),
    "consultation": ("咨询指导", "Consultation"),
    "practice": ("实践体验", "Hands-on practice"),
    "special_family": ("特殊家庭帮扶", "Support for families in difficulty"),
}
ACTIVITY_KINDS = SERVICE_KINDS
REPORT_STATUSES = {"submitted": ("已提交", "Submitted"), "approved": ("已通过", "Approved"),
                   "returned": ("已退回", "Returned")}
EXPIRY_NOTICE = "base_expiring"


# ---------------------------------------------------------------- status and what is offered

def status_on(base: PracticeBase | None, on: date, expiring_days: int) -> str:
    if base is None:
        return "active"
    if base.suspended:
        return "suspended"
    if on < base.valid_from or on > base.valid_until:
        return "expired"
    if base.valid_until < on + timedelta(days=expiring_days):
        return "expiring"
    return "active"



def seed_validity(session) -> None:
    """The 20 bases of seed 002 as managed providers, recognised 2020–2024 and serving their own district.
    Idempotent: bases already managed are left as the office set them."""
    names = [name for _, name in PRACTICE_BASES]
    managed = set(session.scalars(select(PracticeBase.provider_id)))
    for provider in session.scalars(select(GuidanceProvider).where(GuidanceProvider.name.in_(names))):
        if provider.id not in managed:
            session.add(PracticeBase(provider_id=provider.id, valid_from=SEED_VALID_FROM,
                                     valid_until=SEED_VALID_UNTIL, suspended=False, service_kinds=[], version=1))
            if provider.district_id is not None:
                session.add(BaseServiceArea(provider_id=provider.id, district_id=provider.district_id))
    session.flush()


# ---------------------------------------------------------------- who may do what

def staff_base(session, actor: Actor) -> int | None:
    """The base a ``base_staff`` account works for (None for anyone else)."""
    if actor.role != "base_staff":
        return None
    return session.scalar(select(BaseStaff.provider_id).where(BaseStaff.user_id == actor.id))


def _require_office(actor: Actor, provider: GuidanceProvider) -> None:
    require(is_district_office(actor, provider.district_id), BASE_OFFICE_ONLY)


def _require_staff_or_office(session, actor: Actor, provider: GuidanceProvider) -> None:
    require(may_record_for_base(actor, provider.id, provider.district_id, staff_base(session, actor)),
            BASE_STAFF_OR_OFFICE_ONLY)


def _base(session, provider_id, *, for_update=False) -> tuple[GuidanceProvider, PracticeBase]:
    try:
        provider_id = int(provider_id)
    except (TypeError, ValueError):
        raise NotFound("实践基地不存在。", "No such practice base.") from None
    provider = session.get(GuidanceProvider, provider_id) if 0 < provider_id < 2**31 else None
    query = select(PracticeBase).where(PracticeBase.provider_id == provider_id)
    base = session.scalars(query.with_for_update() if for_update else query).first() if provider else None
    if base is None:
        raise NotFound("实践基地不存在。", "No such practice base.")
    return provider, base


# ---------------------------------------------------------------- reading

@dataclass(frozen=True)
class BaseRow:
    provider_id: int
    name: str
    district: tuple[str, str]
    valid_from: date
    valid_until: date
    status: str
    capacity: int | None
    service_kinds: list
    serves: list            # (zh, en) of the districts served
    activities: int         # this calendar year
    participants: int
    hours: float
    version: int
    last_report: str | None  # the status of last year's annual report (None: not submitted)


def list_bases(gl: GuardLoop, actor: Actor, *, district_id: int | None = None) -> list[BaseRow]:
    """Every managed base (of one district, when given) with its status today and this year's activity."""
    require(may_read_bases(actor), BASES_REFUSED)
    today = clock.today()
    year_start, year_end = date(today.year, 1, 1), date(today.year, 12, 31)
    with gl.reading() as session:
        totals = (select(BaseActivity.provider_id, func.count().label("n"),
                         func.coalesce(func.sum(BaseActivity.participants), 0).label("people"),
                         func.coalesce(func.sum(BaseActivity.hours), 0).label("hours"))
                  .where(BaseActivity.held_on >= year_start, BaseActivity.held_on <= year_end)
                  .group_by(BaseActivity.provider_id).subquery())
        query = (select(GuidanceProvider, PracticeBase, District, totals.c.n, totals.c.people, totals.c.hours)
                 .join(PracticeBase, PracticeBase.provider_id == GuidanceProvider.id)
                 .outerjoin(District, District.id == GuidanceProvider.district_id)
                 .outerjoin(totals, totals.c.provider_id == GuidanceProvider.id).order_by(GuidanceProvider.id))
        if district_id is not None:
            query = query.where(GuidanceProvider.district_id == district_id)
        rows = session.execute(query).all()
        reports = dict(session.execute(select(BaseAnnualReport.provider_id, BaseAnnualReport.status)
                                       .where(BaseAnnualReport.year == today.year - 1)).all())
        areas: dict[int, list] = {}
        for pid, zh, en in session.execute(select(BaseServiceArea.provider_id, District.name_zh, District.name_en)
                                           .join(District, District.id == BaseServiceArea.district_id)
                                           .order_by(District.id)):
            areas.setdefault(pid, []).append((zh, en))
    return [BaseRow(p.id, p.name, (d.name_zh, d.name_en) if d else ("", ""), b.valid_from, b.valid_until,
                    status_on(b, today, gl.settings.base_expiring_days), b.capacity, list(b.service_kinds or []),
                    areas.get(p.id, []), int(n or 0), int(people or 0), float(hours or 0), b.version,
                    reports.get(p.id))
            for p, b, d, n, people, hours in rows]


def read_base(gl: GuardLoop, actor: Actor, provider_id) -> dict:
    require(may_read_bases(actor), BASES_REFUSED)
    with gl.reading() as session:
        provider, base = _base(session, provider_id)
        district = session.get(District, provider.district_id) if provider.district_id else None
        serves = [d for d in session.scalars(select(BaseServiceArea.district_id)
                                             .where(BaseServiceArea.provider_id == provider.id))]
        activities = session.scalars(select(BaseActivity).where(BaseActivity.provider_id == provider.id)
                                     .order_by(BaseActivity.held_on.desc(), BaseActivity.id.desc()).limit(200)).all()
        reports = session.scalars(select(BaseAnnualReport).where(BaseAnnualReport.provider_id == provider.id)
                                  .order_by(BaseAnnualReport.year.desc())).all()
        districts = session.execute(select(District.id, District.code, District.name_zh, District.name_en)
                                    .order_by(District.id)).all()
        is_staff = staff_base(session, actor) == provider.id
        session.expunge_all()
    return {"provider": provider, "base": base, "district": district, "serves": serves, "activities": activities,
            "reports": reports, "districts": districts,
            "status": status_on(base, clock.today(), gl.settings.base_expiring_days),
            "may_manage": is_district_office(actor, provider.district_id),
            "may_record": is_staff or is_district_office(actor, provider.district_id), "is_staff": is_staff}


# ---------------------------------------------------------------- managing (district office)

def _version(data) -> int:
    try:
        return int(str(data.get("version")).strip())
    except (TypeError, ValueError):
        raise InvalidInput("version", "表单不完整，请刷新页面。", "The form was incomplete; reload the page.") from None


def _stale() -> Conflict:
    return Conflict("该基地刚被他人修改，请刷新后再试。", "This base changed a moment ago; reload and try again.")


def update_base(gl: GuardLoop, actor: Actor, provider_id, data: dict) -> None:
    """The office sets a base's capacity, kinds of service, service area and suspension."""
    with gl.transaction() as session:
        provider, base = _base(session, provider_id, for_update=True)
        _require_office(actor, provider)
        capacity = v.integer(data, "capacity", low=0, high=100000, required=False)
        kinds = v.choices(data, "service_kinds", SERVICE_KINDS)
        suspended = v.boolean(data, "suspended")
        wanted = data.get("serves") or []
        wanted = wanted if isinstance(wanted, (list, tuple)) else [wanted]
        if base.version != _version(data):
            raise _stale()
        known = dict(session.execute(select(District.code, District.id)).all())
        serves = set()
        for code in wanted:
            if str(code) not in known:
                raise InvalidInput("serves", "区县不存在。", "No such district.")
            serves.add(known[str(code)])
        if provider.district_id is not None:
            serves.add(provider.district_id)
        before = {"capacity": base.capacity, "service_kinds": base.service_kinds, "suspended": base.suspended}
        base.capacity, base.service_kinds, base.suspended = capacity, kinds, suspended
        base.version += 1
        current = set(session.scalars(select(BaseServiceArea.district_id)
                                      .where(BaseServiceArea.provider_id == provider.id)))
        for district_id in current - serves:
            session.delete(session.get(BaseServiceArea, (provider.id, district_id)))
        for district_id in serves - current:
            session.add(BaseServiceArea(provider_id=provider.id, district_id=district_id))
        audit.record(session, actor, "update_practice_base", "practice_base", provider.id, before=before,
                     after={"capacity": capacity, "service_kinds": kinds, "suspended": suspended,
                            "serves": sorted(serves)})


def renew_base(gl: GuardLoop, actor: Actor, provider_id, data: dict) -> None:
    """The office renews a base's recognition (by default five years from 1 January of the year after the old
    period ended, or of this year when it lapsed earlier)."""
    with gl.transaction() as session:
        provider, base = _base(session, provider_id, for_update=True)
        _require_office(actor, provider)
        if base.version != _version(data):
            raise _stale()
        default_from = date(max(base.valid_until.year + 1, clock.today().year), 1, 1)
        valid_from = v.day(data, "valid_from", required=False, not_future=False) or default_from
        valid_until = (v.day(data, "valid_until", required=False, not_future=False)
                       or date(valid_from.year + VALIDITY_YEARS - 1, 12, 31))
        if valid_until <= valid_from:
            raise InvalidInput("valid_until", "有效期截止日须晚于起始日。", "The period must end after it begins.")
        if valid_until > valid_from + timedelta(days=366 * 10):
            raise InvalidInput("valid_until", "认定有效期最长十年。", "A recognition lasts at most ten years.")
        before = {"valid_from": base.valid_from, "valid_until": base.valid_until}
        base.valid_from, base.valid_until = valid_from, valid_until
        base.renewed_at, base.renewed_by = clock.now(), actor.id
        base.version += 1
        audit.record(session, actor, "renew_practice_base", "practice_base", provider.id, before=before,
                     after={"valid_from": valid_from, "valid_until": valid_until})


# ---------------------------------------------------------------- activities (base staff or office)

def _activity_fields(data: dict) -> dict:
    return {"held_on": v.day(data, "held_on"), "title": v.text(data, "title", max_len=200),
            "kind": v.choice(data, "kind", ACTIVITY_KINDS),
            "participants": v.integer(data, "participants", low=0, high=100000),
            "hours": hours(data, "hours")}


def hours(data: dict, field: str) -> float:
    raw = str(data.get(field) or "").strip()
    try:
        value = float(raw)
    except ValueError:
        raise InvalidInput(field, "请填写时长（小时，如 1.5）。", "Enter the hours, e.g. 1.5.") from None
    if not 0 < value <= 24 or value != value:
        raise InvalidInput(field, "时长应在 0 到 24 小时之间。", "The hours must be between 0 and 24.")
    return round(value, 1)


def record_base_activity(gl: GuardLoop, actor: Actor, provider_id, data: dict) -> int:
    with gl.transaction() as session:
        provider, _ = _base(session, provider_id)
        _require_staff_or_office(session, actor, provider)
        fields = _activity_fields(data)
        activity = BaseActivity(provider_id=provider.id, recorded_by=actor.id, recorded_at=clock.now(), **fields)
        session.add(activity)
        session.flush()
        audit.record(session, actor, "record_base_activity", "base_activity", activity.id, after=fields)
        return activity.id


# ---------------------------------------------------------------- annual report

def report_figures(session, provider_id: int, year: int) -> dict:
    """The year's figures, from the activity records: how many, participants, hours, by kind."""
    rows = session.execute(select(BaseActivity.kind, func.count(), func.coalesce(func.sum(BaseActivity.participants), 0),
                                  func.coalesce(func.sum(BaseActivity.hours), 0))
                           .where(BaseActivity.provider_id == provider_id, BaseActivity.held_on >= date(year, 1, 1),
                                  BaseActivity.held_on <= date(year, 12, 31))
                           .group_by(BaseActivity.kind).order_by(BaseActivity.kind)).all()
    by_kind = {kind: {"activities": int(n), "participants": int(p), "hours": round(float(h), 1)}
               for kind, n, p, h in rows}
    return {"year": year, "activities": sum(k["activities"] for k in by_kind.values()),
            "participants": sum(k["participants"] for k in by_kind.values()),
            "hours": round(sum(k["hours"] for k in by_kind.values()), 1), "by_kind": by_kind}


def draft_report(gl: GuardLoop, actor: Actor, provider_id, year) -> dict:
    year = _year(year)
    with gl.reading() as session:
        provider, _ = _base(session, provider_id)
        _require_staff_or_office(session, actor, provider)
        return report_figures(session, provider.id, year)


def _year(value) -> int:
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        year = 0
    if not 2000 <= year <= clock.today().year:
        raise InvalidInput("year", "年度无效。", "No such year.")
    return year


def submit_annual_report(gl: GuardLoop, actor: Actor, provider_id, data: dict) -> int:
    """Base staff submit the year's report (figures generated now from the activities); a returned report is
    submitted again, an approved or pending one is not replaced."""
    with gl.transaction() as session:
        provider, _ = _base(session, provider_id)
        require(staff_base(session, actor) == provider.id, ANNUAL_REPORT_REFUSED)
        year = _year(data.get("year"))
        summary = v.text(data, "summary", max_len=5000)
        report = session.scalars(select(BaseAnnualReport).where(BaseAnnualReport.provider_id == provider.id,
                                                                BaseAnnualReport.year == year)
                                 .with_for_update()).first()
        if report is not None and report.status != "returned":
            raise Conflict("该年度报告已提交，等待审核或已通过。", "This year's report is already submitted or approved.")
        figures = report_figures(session, provider.id, year)
        if report is None:
            report = BaseAnnualReport(provider_id=provider.id, year=year, version=1)
            session.add(report)
        else:
            report.version += 1
        report.status, report.figures, report.summary = "submitted", figures, summary
        report.submitted_by, report.submitted_at = actor.id, clock.now()
        report.reviewed_by = report.reviewed_at = report.review_note = None
        session.flush()
        audit.record(session, actor, "submit_base_report", "base_annual_report", report.id,
                     after={"year": year, "figures": figures})
        return report.id


def review_annual_report(gl: GuardLoop, actor: Actor, report_id, data: dict) -> None:
    with gl.transaction() as session:
        report = session.get(BaseAnnualReport, _version({"version": report_id}))
        if report is None:
            raise NotFound("报告不存在。", "No such report.")
        provider = session.get(GuidanceProvider, report.provider_id)
        _require_office(actor, provider)
        decision = v.choice(data, "decision", {"approved": REPORT_STATUSES["approved"],
                                               "returned": REPORT_STATUSES["returned"]})
        note = v.text(data, "note", required=decision == "returned", max_len=2000) or None
        if report.version != _version(data) or report.status != "submitted":
            raise Conflict("该报告已被处理或刚被重新提交，请刷新。", "This report was handled or resubmitted; reload.")
        report.status, report.review_note = decision, note
        report.reviewed_by, report.reviewed_at = actor.id, clock.now()
        report.version += 1
        audit.record(session, actor, "review_base_report", "base_annual_report", report.id,
                     after={"decision": decision, "note": note})


def reports_due(gl: GuardLoop, actor: Actor) -> list:
    """Submitted reports waiting for the actor's office to review them."""
    with gl.reading() as session:
        rows = session.execute(select(BaseAnnualReport, GuidanceProvider.name)
                               .join(GuidanceProvider, GuidanceProvider.id == BaseAnnualReport.provider_id)
                               .where(BaseAnnualReport.status == "submitted",
                                      GuidanceProvider.district_id == actor.district_id)
                               .order_by(BaseAnnualReport.submitted_at)).all()
        session.expunge_all()
    if not is_family_education_office(actor):
        return []
    return rows


# ---------------------------------------------------------------- work items: bases expiring soon

def raise_expiry_notices(gl: GuardLoop) -> int:
    """A notification to the district office for each base that is expiring (in force, ends within
    ``base_expiring_days``) and has no notice yet for its current period. Idempotent; returns how many."""
    today = clock.today()
    horizon = today + timedelta(days=gl.settings.base_expiring_days)
    raised = 0
    with gl.transaction() as session:
        due = session.execute(select(PracticeBase, GuidanceProvider)
                              .join(GuidanceProvider, GuidanceProvider.id == PracticeBase.provider_id)
                              .where(PracticeBase.suspended.is_(False), PracticeBase.valid_from <= today,
                                     PracticeBase.valid_until >= today, PracticeBase.valid_until < horizon,
                                     GuidanceProvider.district_id.is_not(None))).all()
        if not due:
            return 0
        known = {(n.payload.get("provider_id"), n.payload.get("valid_until"))
                 for n in session.scalars(select(Notification).where(Notification.kind == EXPIRY_NOTICE))}
        for base, provider in due:
            key = (provider.id, base.valid_until.isoformat())
            if key in known:
                continue
            session.add(Notification(district_id=provider.district_id, agency_code=OFFICE_AGENCY, role=None,
                                     kind=EXPIRY_NOTICE, created_at=clock.now(),
                                     payload={"provider_id": provider.id, "name": provider.name,
                                              "valid_until": base.valid_until.isoformat()}))
            known.add(key)
            raised += 1
        if raised:
            audit.record(session, None, "raise_base_expiry_notices", "practice_base", None, after={"count": raised})
    return raised
