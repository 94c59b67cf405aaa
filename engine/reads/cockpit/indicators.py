"""Cockpit indicators as data (家庭教育数字驾驶舱, seed 001): each indicator defined once — its name, unit,
target, nominal period and formula in words — with a ``compute(session, district_id, start, end)`` that is
one aggregate query (``district_id`` None: every district; ``start`` … ``end`` local days, both included).

``INDICATORS`` holds the family-education service indicators (practice bases, activities and quotas, the
screening register), the parent schools' (``engine.reads.cockpit.parent_school_indicators``: participation, certificates,
hours, satisfaction — the seed's named ones, listed first) and the case-loop figures the cockpit already showed.
"""
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Callable

from sqlalchemy import and_, exists, func, or_, select

from engine.infra.settings import Settings
from engine.models import (
    BaseActivity,
    Case,
    EduActivity,
    EduOrganisation,
    GuidanceProvider,
    GuidanceSession,
    PracticeBase,
    RiskClue,
    ScreeningEntry,
    ScreeningVisit,
)
from engine.reads.cockpit.parent_school_indicators import PARENT_SCHOOL_INDICATORS
from engine.reads.periods import bounds
from engine.reads.round_facts import count_if
from engine.reference import ORG_KINDS
from engine.workflow.runtime import WorkflowRuntime

UNITS = {"%": ("%", "%"), "人": ("人", "people"), "人次": ("人次", "person-times"), "次": ("次", "times"),
         "课时": ("课时", "class hours"), "个": ("个", "count")}
PERIODS = {"school_year": ("学年", "School year"), "year": ("年度", "Year"), "term": ("学期", "Term"),
           "month": ("月", "Month")}


@dataclass(frozen=True)
class Indicator:
    key: str            # "parent_training_rate"
    name_zh: str
    name_en: str
    unit: str           # "%", "人", "人次", "次", "课时", "个"
    target: float | None
    period: str         # "school_year" | "year" | "term" | "month"
    formula_zh: str     # the formula in words, shown on the cockpit
    compute: Callable   # compute(session, district_id: int | None, start: date, end: date) -> float | int | None


def _where_district(column, district_id):
    return True if district_id is None else column == district_id


def _ratio(part, whole):
    return None if not whole else round(100 * part / whole, 1)


# ---------------------------------------------------------------- parent-child activities (seed 001)

def _parent_child(session, district_id, start, end, what):
    """(activities, participants) of parent-child activities, computed once per unit of work and scope."""
    memo = session.info.setdefault("indicators_parent_child", {})
    key = (district_id, start, end)
    if key not in memo:
        memo[key] = _parent_child_counts(session, district_id, start, end)
    return memo[key][what]


def _parent_child_counts(session, district_id, start, end):
    edu = session.execute(select(func.count(), func.coalesce(func.sum(EduActivity.participants), 0))
                          .join(EduOrganisation, EduOrganisation.id == EduActivity.organisation_id)
                          .where(EduActivity.kind == "parent_child", EduActivity.held_on >= start,
                                 EduActivity.held_on <= end,
                                 _where_district(EduOrganisation.district_id, district_id))).one()
    base = session.execute(select(func.count(), func.coalesce(func.sum(BaseActivity.participants), 0))
                           .join(GuidanceProvider, GuidanceProvider.id == BaseActivity.provider_id)
                           .where(BaseActivity.kind == "parent_child", BaseActivity.held_on >= start,
                                  BaseActivity.held_on <= end,
                                  _where_district(GuidanceProvider.district_id, district_id))).one()
    return (int(edu[0] or 0) + int(base[0] or 0), int(edu[1] or 0) + int(base[1] or 0))


def parent_child_activities(session, district_id, start, end):
    return _parent_child(session, district_id, start, end, 0)


def parent_child_participants(session, district_id, start, end):
    return _parent_child(session, district_id, start, end, 1)


# ---------------------------------------------------------------- practice bases

def bases_in_force(session, district_id, start, end):
    """Bases of the district recognised (not suspended) on the period's last day."""
    return session.scalar(select(func.count()).select_from(PracticeBase)
                          .join(GuidanceProvider, GuidanceProvider.id == PracticeBase.provider_id)
                          .where(PracticeBase.suspended.is_(False), PracticeBase.valid_from <= end,
                                 PracticeBase.valid_until >= end,
                                 _where_district(GuidanceProvider.district_id, district_id))) or 0


def base_activities(session, district_id, start, end):
    return session.scalar(select(func.count()).select_from(BaseActivity)
                          .join(GuidanceProvider, GuidanceProvider.id == BaseActivity.provider_id)
                          .where(BaseActivity.held_on >= start, BaseActivity.held_on <= end,
                                 _where_district(GuidanceProvider.district_id, district_id))) or 0


def base_participants(session, district_id, start, end):
    return int(session.scalar(select(func.coalesce(func.sum(BaseActivity.participants), 0))
                              .join(GuidanceProvider, GuidanceProvider.id == BaseActivity.provider_id)
                              .where(BaseActivity.held_on >= start, BaseActivity.held_on <= end,
                                     _where_district(GuidanceProvider.district_id, district_id))) or 0)


def active_base_rate(session, district_id, start, end):
    """Bases in force on the last day that held at least one activity in the period ÷ bases in force."""
    held = (select(BaseActivity.provider_id).where(BaseActivity.held_on >= start, BaseActivity.held_on <= end)
            .distinct().subquery())
    row = session.execute(select(func.count(), count_if(held.c.provider_id.is_not(None))).select_from(PracticeBase)
                          .join(GuidanceProvider, GuidanceProvider.id == PracticeBase.provider_id)
                          .outerjoin(held, held.c.provider_id == PracticeBase.provider_id)
                          .where(PracticeBase.suspended.is_(False), PracticeBase.valid_from <= end,
                                 PracticeBase.valid_until >= end,
                                 _where_district(GuidanceProvider.district_id, district_id))).one()
    return _ratio(int(row[1] or 0), int(row[0] or 0))


# ---------------------------------------------------------------- activities and quotas

@lru_cache(maxsize=1)
def _file_quotas() -> dict:
    """Organisation kind → (activities, period kind), from ``workflows/activity_quota.dmn``."""
    runtime = WorkflowRuntime.from_directory(Settings().models_dir)
    return {kind: (int(d["activities"]), str(d["period"]))
            for kind in ORG_KINDS for d in [runtime.decide("activity_quota", {"org_kind": kind})]}


def required_in(kind_quota: tuple[int, str], start: date, end: date) -> int:
    """The quota pro rata over the period: per term (half a year) or per year, by the period's length in days,
    rounded half up, at least one."""
    activities, period = kind_quota
    days = (end - start).days + 1
    length = 365 / 2 if period == "term" else 365
    return max(1, int(activities * days / length + 0.5))


def edu_activities(session, district_id, start, end):
    return session.scalar(select(func.count()).select_from(EduActivity)
                          .join(EduOrganisation, EduOrganisation.id == EduActivity.organisation_id)
                          .where(EduActivity.held_on >= start, EduActivity.held_on <= end,
                                 _where_district(EduOrganisation.district_id, district_id))) or 0


def quota_completion_rate(session, district_id, start, end):
    """Organisations whose activities in the period reach their quota (pro rata) ÷ organisations."""
    done = select(EduActivity.organisation_id, func.count().label("n")).where(EduActivity.held_on >= start,
                                                                             EduActivity.held_on <= end)
    if district_id is not None:     # only the district's organisations' activities
        done = done.where(EduActivity.organisation_id.in_(
            select(EduOrganisation.id).where(EduOrganisation.district_id == district_id)))
    done = done.group_by(EduActivity.organisation_id).subquery()
    rows = session.execute(select(EduOrganisation.kind, func.coalesce(done.c.n, 0))
                           .outerjoin(done, done.c.organisation_id == EduOrganisation.id)
                           .where(_where_district(EduOrganisation.district_id, district_id))).all()
    quotas = _file_quotas()
    met = sum(1 for kind, n in rows if n >= required_in(quotas[kind], start, end))
    return _ratio(met, len(rows))


# ---------------------------------------------------------------- screening register

def _on_register(district_id, end):
    end_instant = bounds(end, end)[1]
    return and_(ScreeningEntry.registered_at < end_instant,
                or_(ScreeningEntry.closed_on.is_(None), ScreeningEntry.closed_on > end),
                _where_district(ScreeningEntry.district_id, district_id))


def screening_registered(session, district_id, start, end):
    return session.scalar(select(func.count()).select_from(ScreeningEntry).where(_on_register(district_id, end))) or 0


def screening_visit_coverage(session, district_id, start, end):
    """Children on the register at the period's end visited at least once in the period ÷ children on it."""
    visited = exists().where(ScreeningVisit.entry_id == ScreeningEntry.id, ScreeningVisit.visited_on >= start,
                             ScreeningVisit.visited_on <= end)      # along ix_screening_visit_entry
    row = session.execute(select(func.count(), count_if(visited)).select_from(ScreeningEntry)
                          .where(_on_register(district_id, end))).one()
    return _ratio(int(row[1] or 0), int(row[0] or 0))


def psych_screening_coverage(session, district_id, start, end):
    """心理监测覆盖率: children on the register at the period's end whose psychological state was screened at a
    visit in the period ÷ children on it."""
    screened = exists().where(ScreeningVisit.entry_id == ScreeningEntry.id, ScreeningVisit.visited_on >= start,
                              ScreeningVisit.visited_on <= end, ScreeningVisit.psych_check != "none")
    row = session.execute(select(func.count(), count_if(screened)).select_from(ScreeningEntry)
                          .where(_on_register(district_id, end))).one()
    return _ratio(int(row[1] or 0), int(row[0] or 0))


def psych_warning_handling_rate(session, district_id, start, end):
    """心理预警处置率: psychological warnings at visits in the period after which the child was seen again, or
    reported as a risk clue, by the warning's follow-up date ÷ those warnings."""
    later = ScreeningVisit.__table__.alias("later")
    seen_again = exists().where(later.c.entry_id == ScreeningVisit.entry_id,
                                later.c.visited_on > ScreeningVisit.visited_on,
                                later.c.visited_on <= ScreeningVisit.psych_follow_up_by)
    dealt_with = or_(seen_again, ScreeningEntry.clue_id.is_not(None))
    row = session.execute(select(func.count(), count_if(dealt_with)).select_from(ScreeningVisit)
                          .join(ScreeningEntry, ScreeningEntry.id == ScreeningVisit.entry_id)
                          .where(ScreeningVisit.psych_check == "warning", ScreeningVisit.visited_on >= start,
                                 ScreeningVisit.visited_on <= end,
                                 _where_district(ScreeningEntry.district_id, district_id))).one()
    return _ratio(int(row[1] or 0), int(row[0] or 0))


def screening_visits(session, district_id, start, end):
    return session.scalar(select(func.count()).select_from(ScreeningVisit)
                          .join(ScreeningEntry, ScreeningEntry.id == ScreeningVisit.entry_id)
                          .where(ScreeningVisit.visited_on >= start, ScreeningVisit.visited_on <= end,
                                 _where_district(ScreeningEntry.district_id, district_id))) or 0


def screening_clues(session, district_id, start, end):
    """Entries turned into a risk clue received in the period."""
    begin, finish = bounds(start, end)
    return session.scalar(select(func.count()).select_from(ScreeningEntry)
                          .join(RiskClue, RiskClue.id == ScreeningEntry.clue_id)
                          .where(RiskClue.received_at >= begin, RiskClue.received_at < finish,
                                 _where_district(ScreeningEntry.district_id, district_id))) or 0


# ---------------------------------------------------------------- the case loop (as the cockpit counts it)

def new_clues(session, district_id, start, end):
    begin, finish = bounds(start, end)
    return session.scalar(select(func.count(RiskClue.id)).where(
        RiskClue.received_at >= begin, RiskClue.received_at < finish,
        _where_district(RiskClue.district_id, district_id))) or 0


def open_cases(session, district_id, start, end):
    """Open cases now (as the cockpit's 在办个案)."""
    return session.scalar(select(func.count(Case.id)).where(
        Case.status == "open", _where_district(Case.district_id, district_id))) or 0


def _guidance(session, district_id, start, end):
    return session.execute(select(func.count(GuidanceSession.id), count_if(GuidanceSession.guardian_attended.is_(True)))
                           .join(Case, Case.id == GuidanceSession.case_id)
                           .where(GuidanceSession.held_on >= start, GuidanceSession.held_on <= end,
                                  _where_district(Case.district_id, district_id))).one()


def guidance_sessions(session, district_id, start, end):
    return int(_guidance(session, district_id, start, end)[0] or 0)


def guardian_attendance_rate(session, district_id, start, end):
    held, attended = _guidance(session, district_id, start, end)
    return _ratio(int(attended or 0), int(held or 0))


INDICATORS: list[Indicator] = [Indicator(**d) for d in PARENT_SCHOOL_INDICATORS] + [
    Indicator("parent_child_activities", "亲子活动次数", "Parent-child activities", "次", None, "school_year",
              "学校、幼儿园、社区和实践基地在期间开展的亲子活动次数之和", parent_child_activities),
    Indicator("parent_child_participants", "亲子活动参与人数", "Parent-child activity participants", "人次", None,
              "school_year", "期间亲子活动登记的参与人数之和（按人次）", parent_child_participants),
    Indicator("psych_screening_coverage", "心理监测覆盖率", "Psychological screening coverage", "%", 100, "term",
              "期间走访时做过心理状况筛查的在册儿童数 ÷ 期末在册儿童数", psych_screening_coverage),
    Indicator("psych_warning_handling_rate", "心理预警处置率", "Psychological warnings dealt with", "%", 100, "term",
              "期间心理预警中，在跟进期限（预警后14日，可设置）内再次走访或已转为风险线索的数 ÷ 期间心理预警数",
              psych_warning_handling_rate),
    Indicator("bases_in_force", "有效实践基地数", "Practice bases in force", "个", None, "year",
              "期末在认定有效期内且未暂停的实践基地数", bases_in_force),
    Indicator("active_base_rate", "实践基地活跃率", "Active practice bases", "%", 100, "year",
              "期间至少开展1次活动的有效实践基地数 ÷ 期末有效实践基地数", active_base_rate),
    Indicator("base_activities", "实践基地活动次数", "Practice-base activities", "次", None, "year",
              "期间实践基地登记的活动次数", base_activities),
    Indicator("base_participants", "实践基地服务人次", "Practice-base participants", "人次", None, "year",
              "期间实践基地活动登记的参与人数之和", base_participants),
    Indicator("edu_activities", "家校社指导活动次数", "School, kindergarten and community activities", "次", None,
              "term", "期间学校、幼儿园、社区登记的家庭教育指导活动次数", edu_activities),
    Indicator("quota_completion_rate", "指导活动配额达标率", "Activity quota met", "%", 100, "term",
              "期间活动次数达到配额的机构数 ÷ 登记机构数（配额按期间长度折算：中小学每学期2次、幼儿园每学期3次、"
              "社区每年4次）", quota_completion_rate),
    Indicator("screening_registered", "摸排在册儿童数", "Children on the screening register", "人", None, "year",
              "期末在摸排台账在册（未销册）的困境儿童数", screening_registered),
    Indicator("screening_visit_coverage", "摸排走访覆盖率", "Screening visit coverage", "%", 100, "term",
              "期间至少走访1次的在册儿童数 ÷ 期末在册儿童数", screening_visit_coverage),
    Indicator("screening_visits", "摸排走访次数", "Screening visits", "次", None, "term",
              "期间登记的摸排走访次数", screening_visits),
    Indicator("screening_clues", "摸排转线索数", "Screening entries turned into clues", "个", None, "year",
              "在册儿童中转为风险线索且线索在期间接收的人数", screening_clues),
    Indicator("new_clues", "新增风险线索数", "New risk clues", "个", None, "month",
              "期间接收的风险线索数", new_clues),
    Indicator("open_cases", "在办个案数", "Open cases", "个", None, "month", "当前在办的个案数", open_cases),
    Indicator("guidance_sessions", "家庭教育指导次数", "Guidance sessions", "次", None, "month",
              "期间个案家庭教育指导的次数", guidance_sessions),
    Indicator("guardian_attendance_rate", "监护人到场率", "Guardian attendance", "%", None, "month",
              "期间监护人到场的指导次数 ÷ 指导次数", guardian_attendance_rate),
]
BY_KEY = {i.key: i for i in INDICATORS}


def compute_all(session, district_id: int | None, start: date, end: date, indicators=None) -> list[dict]:
    """Every indicator's value for the district (None: all) and period, with its definition."""
    return [{"key": i.key, "name": (i.name_zh, i.name_en), "value": i.compute(session, district_id, start, end),
             "target": i.target, "unit": i.unit, "period": i.period, "formula": i.formula_zh}
            for i in (indicators or INDICATORS)]
