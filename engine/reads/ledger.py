"""The case ledger (台账): one row per case of the district open at any time in the period that the
user's agency takes part in (the engine's visibility rule): a case another agency works on alone is not
in it at all — its numbers are in the cockpit's aggregate figures only. No ID number, address or guardian
is in the ledger.
A fixed number of queries, however many cases: counts are grouped by case, checklists computed in bulk.
"""
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.actor import Actor
from engine.context import GuardLoop
from engine.models import Case, District, DocumentRecord, FollowupVisit, GuidanceSession, Round
from engine.reads.access import visible_cases
from engine.reads.checklists import checklists, round_facts
from engine.reads.cockpit.tables import Column, Table
from engine.reference import CASE_TYPES, CODE_NAMES, FAMILY_TYPES, STEPS
from engine.rules.closed_loop import ITEMS, current_step
from engine.workflow.clock import CHINA_TZ, clock

SEX = {"M": ("男", "Male"), "F": ("女", "Female")}
STATUS = {"open": ("在办", "Open"), "closed": ("已结案", "Closed")}
NO_ROUND_ENDED = ("尚无结束的轮次", "No round ended yet")

COLUMNS = (
    Column(("案号", "Case no.")), Column(("区县", "District")), Column(("儿童", "Child")), Column(("性别", "Sex")),
    Column(("年龄", "Age"), "int"), Column(("家庭类型", "Family types")), Column(("案件类型", "Case type")),
    Column(("当前风险码", "Current code")), Column(("状态", "Status")), Column(("建档日期", "Opened"), "date"),
    Column(("结案日期", "Closed"), "date"), Column(("轮次", "Rounds"), "int"), Column(("当前步骤", "Current step")),
    Column(("已制发文书", "Documents issued"), "int"), Column(("指导次数", "Guidance sessions"), "int"),
    Column(("回访次数", "Follow-up visits"), "int"), Column(("最近结束轮次的闭环审查", "Closed loop, latest ended round")),
)


def cases_in_scope(scope):
    """A SELECT of the ids of the district's cases open at any time in the period."""
    query = select(Case.id).where(Case.opened_at < scope.end, Case.closed_at.is_(None) | (Case.closed_at >= scope.start))
    return query if scope.district_id is None else query.where(Case.district_id == scope.district_id)


def _count_by_case(model, in_scope, *conditions):
    return (select(model.case_id, func.count(model.id).label("n")).where(model.case_id.in_(in_scope), *conditions)
            .group_by(model.case_id).subquery())


def _rows(session: Session, in_scope):
    rounds = _count_by_case(Round, in_scope)
    documents = _count_by_case(DocumentRecord, in_scope, DocumentRecord.doc_type != "delivery_receipt")
    sessions, visits = _count_by_case(GuidanceSession, in_scope), _count_by_case(FollowupVisit, in_scope)
    zero = lambda sub: func.coalesce(sub.c.n, 0)  # noqa: E731
    query = (select(Case, District.name_zh, District.name_en, zero(rounds), zero(documents), zero(sessions), zero(visits))
             .join(District, District.id == Case.district_id)
             .outerjoin(rounds, rounds.c.case_id == Case.id).outerjoin(documents, documents.c.case_id == Case.id)
             .outerjoin(sessions, sessions.c.case_id == Case.id).outerjoin(visits, visits.c.case_id == Case.id)
             .where(Case.id.in_(in_scope)).order_by(Case.case_no))
    return session.execute(query).all()


def _current_steps(session: Session, gl: GuardLoop, in_scope) -> dict[int, str]:
    running = select(Round.id).where(Round.status == "running", Round.case_id.in_(in_scope))
    now = clock.now()
    return {f.case_id: current_step(f, now) for f in round_facts(session, gl, running)}


def _latest_ended(session: Session, gl: GuardLoop, in_scope) -> dict[int, object]:
    # Rounds of a case are created one after another: the highest id is the latest.
    latest = (select(func.max(Round.id)).where(Round.status != "running", Round.case_id.in_(in_scope))
              .group_by(Round.case_id))
    return {c.case_id: c for c in checklists(session, gl, latest).values()}


def closed_loop_label(checklist) -> tuple[str, str]:
    if checklist is None:
        return NO_ROUND_ENDED
    if checklist.round_status == "interrupted":
        return (f"第 {checklist.number} 轮：因新情况升级中止", f"Round {checklist.number}: stopped by a new incident")
    if checklist.complete:
        return (f"第 {checklist.number} 轮：闭环完整", f"Round {checklist.number}: complete")
    unmet = [ITEMS[i.key] for i in checklist.items if i.status not in ("met", "not_required")]
    return (f"第 {checklist.number} 轮：未闭环（" + "、".join(u[0] for u in unmet) + "）",
            f"Round {checklist.number}: incomplete (" + ", ".join(u[1] for u in unmet) + ")")


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def ledger(session: Session, gl: GuardLoop, actor: Actor, scope) -> Table:
    in_scope = cases_in_scope(scope).where(visible_cases(actor))
    steps, ended = _current_steps(session, gl, in_scope), _latest_ended(session, gl, in_scope)
    today = clock.today()
    rows = []
    for case, district_zh, district_en, n_rounds, n_documents, n_sessions, n_visits in _rows(session, in_scope):
        step = steps.get(case.id)
        rows.append([
            case.case_no, (district_zh, district_en),
            case.child_name,
            SEX.get(case.child_sex, case.child_sex), age_on(case.child_birth_date, today),
            _joined([FAMILY_TYPES[t][:2] for t in case.family_types if t in FAMILY_TYPES]),
            CASE_TYPES.get(case.case_type, (case.case_type, case.case_type))[:2],
            CODE_NAMES[case.current_code][:2] if case.current_code in CODE_NAMES else ("未赋码", "Not coded"),
            STATUS.get(case.status, (case.status, case.status)), _local_day(case.opened_at), _local_day(case.closed_at),
            n_rounds, STEPS[step] if step else ("—", "—"), n_documents, n_sessions, n_visits,
            closed_loop_label(ended.get(case.id)),
        ])
    return Table("case_ledger", ("个案台账", "Case ledger"), COLUMNS, rows)


def _joined(pairs) -> tuple[str, str]:
    return ("、".join(p[0] for p in pairs), ", ".join(p[1] for p in pairs))


def _local_day(moment) -> date | None:
    return moment.astimezone(CHINA_TZ).date() if moment else None
