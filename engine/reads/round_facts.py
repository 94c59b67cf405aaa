"""The facts a round's closed-loop checklist is computed from, gathered for any number of rounds at once.

Each evidence table is aggregated by round (``GROUP BY round_id``) for the chosen rounds only and joined to
them, so one statement serves one round or a whole municipality's year. The rounds are given as a list of
ids or as a SELECT of ids; either way one statement, however many rounds it names.
"""
import json

from sqlalchemy import ARRAY, Integer, Select, bindparam, case, func, literal, null, select
from sqlalchemy.orm import Session

from engine.context import GuardLoop
from engine.models import (
    Approval,
    Assessment,
    Attendance,
    Chase,
    DocumentRecord,
    FollowupVisit,
    GuidancePlan,
    GuidanceSession,
    Participant,
    PlanCourseRequirement,
    Round,
    TaskRecord,
)
from engine.models.records import counts_towards_plan
from engine.reference import CODES, NUMBERED_DOCUMENTS
from engine.workflow.catalog import SAFETY_CONTACT_CHASE, Task
from engine.workflow.steps import deployed_versions

HANDLING_DECISION = Task.PROPOSE_MEASURES
_visits_by_version: dict[str, dict[str, int]] = {}


def id_list(session: Session, ids) -> Select:
    """A SELECT of the given ids, bound as one parameter however many there are (a JSON array on SQLite,
    an array on PostgreSQL): no statement grows with the list, none hits a bound-parameter limit."""
    ids = sorted({int(i) for i in ids})
    if session.get_bind().dialect.name == "postgresql":
        return select(func.unnest(bindparam("round_ids", ids, type_=ARRAY(Integer))).column_valued("id"))
    listed = func.json_each(bindparam("round_ids", json.dumps(ids))).table_valued("value")
    return select(listed.c.value)


def chosen(column, rounds):
    """``column IN (SELECT …)``: the chosen rounds."""
    return column.in_(rounds)


def _selection(session: Session, rounds):
    """The chosen rounds as every part of the statement refers to them: a CTE the database computes once
    (inlined, PostgreSQL would run the selection again in each of the nine parts)."""
    if not isinstance(rounds, Select):
        rounds = id_list(session, rounds)
    cte = rounds.cte("chosen_rounds")
    return select(list(cte.c)[0]), cte


def count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def visits_required_by_code(session: Session, gl: GuardLoop, version: str) -> dict[str, int]:
    """The follow-up visits a round of each code needs (``followup_schedule`` DMN of that model version)."""
    if version not in _visits_by_version:
        runtime = gl.runtime(session, version)
        _visits_by_version[version] = {code: int(runtime.decide("followup_schedule", {"risk_code": code})
                                                 ["visits_required"]) for code in CODES}
    return _visits_by_version[version]


def _visits_required(session, gl: GuardLoop, versions):
    groups: dict[tuple, list[str]] = {}
    for version in versions:
        groups.setdefault(tuple(sorted(visits_required_by_code(session, gl, version).items())), []).append(version)
    if not groups:
        return null()
    whens = [(Round.model_version.in_(versions) & (Round.risk_code == code), required)
             for table, versions in groups.items() for code, required in table]
    if len(groups) == 1:
        return case(dict(next(iter(groups))), value=Round.risk_code, else_=None)
    return case(*whens, else_=None)


def _assessments(rounds):
    a = Assessment
    return (select(a.round_id, count_if(a.kind == "initial").label("initial"),
                   count_if(a.kind == "reassessment").label("reassessments"))
            .where(chosen(a.round_id, rounds)).group_by(a.round_id).subquery("assessments"))


def _documents(rounds):
    d = DocumentRecord
    served = d.doc_type.in_(NUMBERED_DOCUMENTS) & (d.status != "superseded")
    report = (d.doc_type == "assessment_report") & (d.status == "issued")
    return (select(d.round_id, count_if(report).label("reports"),
                   count_if(served).label("served"), count_if(served & d.delivered_on.is_(None)).label("undelivered"))
            .where(chosen(d.round_id, rounds)).group_by(d.round_id).subquery("documents"))


def _records(rounds):
    t = TaskRecord  # only the handling decision: an index on (task_spec, round_id) serves it
    return (select(t.round_id, count_if(t.task_spec == HANDLING_DECISION).label("handling_decided"))
            .where(chosen(t.round_id, rounds), t.task_spec == HANDLING_DECISION).group_by(t.round_id)
            .subquery("records"))


# which closed-loop item a late step's chase belongs to
CHASE_ITEMS = {"decision": "handling", "approval": "handling", "delivery": "handling", "report": "handling",
               SAFETY_CONTACT_CHASE: "handling", "session": "guidance", "visit": "follow_up"}
CHASED_ITEMS = ("handling", "guidance", "follow_up")


def _chases(rounds):
    c = Chase
    columns = []
    for item in CHASED_ITEMS:
        kinds = [kind for kind, owner in CHASE_ITEMS.items() if owner == item]
        columns += [count_if(c.kind.in_(kinds) & c.answered_at.is_not(None)).label(f"{item}_chases_explained"),
                    count_if(c.kind.in_(kinds) & c.answered_at.is_(None)).label(f"{item}_chases_open")]
    return select(c.round_id, *columns).where(chosen(c.round_id, rounds)).group_by(c.round_id).subquery("chases")


def _latest_plans(rounds):
    p = GuidancePlan
    latest = select(func.max(p.id)).where(chosen(p.round_id, rounds)).group_by(p.round_id)
    return (select(p.round_id, p.sessions_required, p.min_minutes, p.period_days, p.drafted_at)
            .where(p.id.in_(latest)).subquery("plans"))


def _sessions(rounds, plans):
    s = GuidanceSession
    attended = s.guardian_attended.is_(True)
    return (select(s.round_id, func.count(s.id).label("sessions"), func.coalesce(func.sum(s.minutes), 0).label("minutes"),
                   count_if(attended).label("attended"),
                   count_if(counts_towards_plan(s.guardian_attended, s.minutes, plans.c.min_minutes)).label("qualifying"))
            .outerjoin(plans, plans.c.round_id == s.round_id)
            .where(chosen(s.round_id, rounds)).group_by(s.round_id).subquery("sessions"))


def _courses(rounds):
    """Per round: the parent-school course requirements of its latest plan, and how many are met (the linked
    participant's minutes of the required kinds since the plan reach the requirement)."""
    r, a, p = PlanCourseRequirement, Attendance, Participant
    latest = select(func.max(GuidancePlan.id)).where(chosen(GuidancePlan.round_id, rounds)).group_by(GuidancePlan.round_id)
    kind_counts = (r.kinds == "") | r.kinds.contains(literal(",") + a.kind + literal(","))
    attended = (select(func.coalesce(func.sum(a.minutes), 0)).join(p, p.id == a.participant_id)
                .where(p.guardian_id == r.guardian_id, a.held_on >= r.since, kind_counts).scalar_subquery())
    return (select(r.round_id, func.count(r.id).label("courses_required"),
                   count_if(attended >= r.minutes).label("courses_met"))
            .where(r.plan_id.in_(latest)).group_by(r.round_id).subquery("courses"))


def _visits(rounds):
    v = FollowupVisit
    return (select(v.round_id, func.count(v.id).label("visits"))
            .where(chosen(v.round_id, rounds)).group_by(v.round_id).subquery("visits"))


def approval_needed(gl: GuardLoop):
    """SQL: the approval kind the round's outcome needs on record (NULL when it needs none)."""
    return case(gl.settings.closed_loop_approvals, value=Round.outcome, else_=None)


def _approvals(gl: GuardLoop, rounds):
    a = Approval
    needed = a.kind == approval_needed(gl)
    return (select(a.round_id, count_if(needed & (a.status == "approved")).label("approved"),
                   count_if(needed & (a.status == "pending")).label("approvals_pending"))
            .join(Round, Round.id == a.round_id)
            .where(chosen(a.round_id, rounds)).group_by(a.round_id).subquery("approvals"))


def facts(session: Session, gl: GuardLoop, rounds):
    """A subquery with one row of facts per chosen round (where a running round stands is its ``steps``)."""
    versions = deployed_versions(session)
    rounds, cte = _selection(session, rounds)
    assessments, documents, records = _assessments(rounds), _documents(rounds), _records(rounds)
    chases, plans, visits, approvals = _chases(rounds), _latest_plans(rounds), _visits(rounds), _approvals(gl, rounds)
    sessions, courses = _sessions(rounds, plans), _courses(rounds)
    zero = lambda column, name: func.coalesce(column, 0).label(name)  # noqa: E731
    columns = [
        Round.id.label("round_id"), Round.case_id, Round.number, Round.status, Round.outcome, Round.risk_code,
        Round.started_at, Round.ended_at, Round.steps,
        zero(assessments.c.initial, "initial"), zero(assessments.c.reassessments, "reassessments"),
        zero(documents.c.reports, "reports"), zero(documents.c.served, "served"),
        zero(documents.c.undelivered, "undelivered"),
        zero(records.c.handling_decided, "handling_decided"),
        *[zero(chases.c[f"{item}_chases_{state}"], f"{item}_chases_{state}")
          for item in CHASED_ITEMS for state in ("explained", "open")],
        plans.c.sessions_required.label("plan_sessions"), plans.c.min_minutes.label("plan_min_minutes"),
        plans.c.period_days.label("plan_period_days"), plans.c.drafted_at.label("plan_drafted_at"),
        zero(sessions.c.sessions, "sessions"), zero(sessions.c.minutes, "minutes"),
        zero(sessions.c.attended, "attended"), zero(sessions.c.qualifying, "qualifying"),
        zero(visits.c.visits, "visits"), _visits_required(session, gl, versions).label("visits_required"),
        approval_needed(gl).label("approval_needed"), zero(approvals.c.approved, "approved"),
        zero(approvals.c.approvals_pending, "approvals_pending"),
        zero(courses.c.courses_required, "courses_required"), zero(courses.c.courses_met, "courses_met"),
    ]
    query = (select(*columns).select_from(cte).join(Round, Round.id == list(cte.c)[0])
             .outerjoin(assessments, assessments.c.round_id == Round.id)
             .outerjoin(documents, documents.c.round_id == Round.id)
             .outerjoin(records, records.c.round_id == Round.id)
             .outerjoin(chases, chases.c.round_id == Round.id)
             .outerjoin(plans, plans.c.round_id == Round.id)
             .outerjoin(sessions, sessions.c.round_id == Round.id)
             .outerjoin(visits, visits.c.round_id == Round.id)
             .outerjoin(approvals, approvals.c.round_id == Round.id)
             .outerjoin(courses, courses.c.round_id == Round.id))
    return query.subquery("facts")
