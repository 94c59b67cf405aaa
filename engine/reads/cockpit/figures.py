"""The cockpit's figures (数字驾驶舱), each one aggregate query (GROUP BY in the database) returning plain data.

``scope`` names the district (``None``: every district) and the period; counts "in the period" use China
time (``periods``). Expressions with bound parameters (month buckets, step ranks) are grouped in an outer
query over a labelled subquery: PostgreSQL does not treat two bindings of one expression as equal.
"""
from datetime import datetime

from sqlalchemy import func, select, true
from sqlalchemy.orm import Session

from engine.context import GuardLoop
from engine.models import Case, DocumentRecord, GuidanceSession, RiskClue, RiskCodeChange, Round, WorkItem
from engine.reads.checklists import complete_if_ended, evidence
from engine.reads.periods import month_keys, month_of_day, month_of_instant, percentile
from engine.reads.round_facts import count_if, facts
from engine.reference import AGENCIES, CLUE_SOURCES, CODES, FAMILY_TYPES
from engine.rules.closed_loop import ITEMS
from engine.workflow.steps import STEP_ORDER

ORDERS = ("supervision_order", "guidance_order")   # 督促监护令, 家庭教育指导令
CODE_ORDER = tuple(reversed(CODES))                 # red first


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _in_district(query, column, scope):
    return query if scope.district_id is None else query.where(column == scope.district_id)


def _in_period(column, scope):
    return (column >= scope.start) & (column < scope.end)


def open_cases_by_code(session: Session, scope) -> list[tuple[str | None, int]]:
    """Open cases now, by current risk code (``None``: not coded yet)."""
    query = _in_district(select(Case.current_code, func.count(Case.id)).where(Case.status == "open")
                         .group_by(Case.current_code), Case.district_id, scope)
    counts = dict(session.execute(query).tuples().all())
    return [(code, counts.pop(code, 0)) for code in CODE_ORDER] + [(None, sum(counts.values()))]


def open_cases_by_family_type(session: Session, scope) -> list[tuple[str | None, int]]:
    """Open cases now, by family type (a case of two types counts under each; ``None``: none recorded)."""
    function = func.json_array_elements_text if _dialect(session) == "postgresql" else func.json_each
    types = function(Case.family_types).table_valued("value").alias("family_type")
    query = _in_district(select(types.c.value, func.count(func.distinct(Case.id))).select_from(Case)
                         .join(types, true()).where(Case.status == "open").group_by(types.c.value),
                         Case.district_id, scope)
    counts = dict(session.execute(query).tuples().all())
    untyped = session.scalar(_in_district(select(func.count(Case.id)).where(
        Case.status == "open", func.json_array_length(Case.family_types) == 0), Case.district_id, scope))
    known = [(code, counts.pop(code, 0)) for code in FAMILY_TYPES]
    return known + sorted(counts.items()) + [(None, untyped or 0)]


def new_clues_by_source(session: Session, scope) -> list[tuple[str, int]]:
    """Risk clues received in the period, by source."""
    query = _in_district(select(RiskClue.source, func.count(RiskClue.id))
                         .where(_in_period(RiskClue.received_at, scope)).group_by(RiskClue.source),
                         RiskClue.district_id, scope)
    counts = dict(session.execute(query).tuples().all())
    return [(source, counts.pop(source, 0)) for source in CLUE_SOURCES] + sorted(counts.items())


def code_changes_by_month(session: Session, scope) -> list[tuple[str, int, int]]:
    """(month, downgrades, upgrades) for every month of the period."""
    changes = _in_district(
        select(month_of_instant(RiskCodeChange.decided_at, _dialect(session)).label("month"), RiskCodeChange.kind)
        .join(Case, Case.id == RiskCodeChange.case_id)
        .where(RiskCodeChange.kind.in_(("downgrade", "upgrade")), _in_period(RiskCodeChange.decided_at, scope)),
        Case.district_id, scope).subquery()
    rows = session.execute(select(changes.c.month, changes.c.kind, func.count())
                           .group_by(changes.c.month, changes.c.kind)).all()
    counts = {(month, kind): n for month, kind, n in rows}
    return [(m, counts.get((m, "downgrade"), 0), counts.get((m, "upgrade"), 0))
            for m in month_keys(scope.date_from, scope.date_to)]


def closed_loop_rate(session: Session, gl: GuardLoop, scope) -> dict:
    """Rounds that ended in the period, and the share of them closed-loop complete (闭环率).

    Interrupted rounds (a new incident stopped them) are counted in the rate only when the setting says so.
    """
    ended = _in_district(select(Round.id).join(Case, Case.id == Round.case_id)
                         .where(Round.status != "running", _in_period(Round.ended_at, scope)), Case.district_id, scope)
    f = facts(session, gl, ended).c
    ok, interrupted = evidence(f), f.status == "interrupted"
    counted = true() if gl.settings.closed_loop_rate_counts_interrupted else ~interrupted
    row = session.execute(select(
        func.count(), count_if(interrupted), count_if(counted), count_if(counted & complete_if_ended(f)),
        *(count_if(~interrupted & ~ok[key]) for key in ITEMS))).one()
    ended_n, interrupted_n, counted_n, complete_n, *missing = (int(x or 0) for x in row)
    return {"ended": ended_n, "interrupted": interrupted_n, "counted": counted_n, "complete": complete_n,
            "rate": complete_n / counted_n if counted_n else None, "missing_by_item": dict(zip(ITEMS, missing))}


def step_durations(session: Session, gl: GuardLoop, scope) -> list[dict]:
    """Days spent in each step by the rounds that finished that step in the period: count, median, 90th pct.

    The steps run side by side, so each is timed on its own: from when it began to when it ended, as the
    round records them (``Round.steps``, written at every save). Read per round and summed up here (the
    step times are a small JSON object per round; the rounds are those alive in the period).
    """
    query = _in_district(select(Round.steps).join(Case, Case.id == Round.case_id)
                         .where(Round.started_at < scope.end, Round.steps.is_not(None),
                                Round.ended_at.is_(None) | (Round.ended_at >= scope.start)), Case.district_id, scope)
    by_step: dict[str, list[float]] = {step: [] for step in STEP_ORDER}
    for steps in session.scalars(query):
        for step, times in steps.items():
            ended = times.get("ended")
            if step in by_step and ended and _iso_in(ended, scope):
                span = datetime.fromisoformat(ended) - datetime.fromisoformat(times["started"])
                by_step[step].append(span.total_seconds() / 86400)
    return [{"step": step, "rounds": len(values), "median_days": _days(percentile(values, 0.5) if values else None),
             "p90_days": _days(percentile(values, 0.9) if values else None)} for step, values in by_step.items()]


def _iso_in(stamp: str, scope) -> bool:
    moment = datetime.fromisoformat(stamp)
    return scope.start <= moment < scope.end


def _days(value) -> float | None:
    return None if value is None else round(max(float(value), 0.0), 1)


def overdue_by_agency(session: Session, scope, now: datetime) -> list[tuple[str, int]]:
    """Open tasks past their due date now, by the agency that owns them (the BPMN lane)."""
    query = _in_district(select(WorkItem.lane, func.count(WorkItem.id)).where(WorkItem.due_at < now)
                         .group_by(WorkItem.lane), WorkItem.district_id, scope)
    counts = dict(session.execute(query).tuples().all())
    return [(agency, counts.pop(agency, 0)) for agency in AGENCIES] + sorted(counts.items())


def orders_by_agency_and_month(session: Session, scope) -> dict:
    """Orders (督促监护令, 家庭教育指导令) issued in the period, by issuing agency and month; a correction
    (a document superseding another) is not a new order."""
    d = DocumentRecord
    orders = _in_district(
        select(month_of_instant(d.issued_at, _dialect(session)).label("month"), d.issuing_agency)
        .join(Case, Case.id == d.case_id)
        .where(d.doc_type.in_(ORDERS), d.supersedes_id.is_(None), _in_period(d.issued_at, scope)),
        Case.district_id, scope).subquery()
    rows = session.execute(select(orders.c.month, orders.c.issuing_agency, func.count())
                           .group_by(orders.c.month, orders.c.issuing_agency)).all()
    counts = {(month, agency): n for month, agency, n in rows}
    found = {agency for _, agency in counts}
    agencies = [a for a in AGENCIES if a in found] + sorted(found - set(AGENCIES))
    months = month_keys(scope.date_from, scope.date_to)
    return {"agencies": agencies, "months": [(m, [counts.get((m, a), 0) for a in agencies]) for m in months]}


def guidance_by_month(session: Session, scope) -> list[dict]:
    """Guidance sessions held in the period, by month: sessions, hours, sessions the guardian attended."""
    s = GuidanceSession
    held = _in_district(
        select(month_of_day(s.held_on, _dialect(session)).label("month"), s.minutes, s.guardian_attended)
        .join(Case, Case.id == s.case_id).where(s.held_on >= scope.date_from, s.held_on <= scope.date_to),
        Case.district_id, scope).subquery()
    rows = session.execute(select(held.c.month, func.count(), func.coalesce(func.sum(held.c.minutes), 0),
                                  count_if(held.c.guardian_attended.is_(True))).group_by(held.c.month)).all()
    found = {month: (n, minutes, attended) for month, n, minutes, attended in rows}
    result = []
    for month in month_keys(scope.date_from, scope.date_to):
        n, minutes, attended = found.get(month, (0, 0, 0))
        result.append({"month": month, "sessions": int(n), "minutes": int(minutes), "attended": int(attended)})
    return result
