"""Every cockpit figure on the demo data equals a count made another way: plain ORM rows and Python.

Nothing here calls the cockpit's queries or the closed-loop module: the six checklist rules, the step times
(from each round's own record of when its steps began and ended), China-time months and the percentiles are
all redone below.
"""
import statistics
from collections import Counter
from datetime import datetime, time, timedelta, timezone

import pytest
from sqlalchemy import select

from engine.actor import actor_by_username
from engine.reads.cockpit import compute, read_scope
from engine.reads.ledger import ledger
from engine.models import (
    Approval, Assessment, Case, Chase, DocumentRecord, FollowupVisit, GuidancePlan, GuidanceSession, RiskClue,
    RiskCodeChange, Round, TaskRecord, WorkItem,
)
from engine.reads.access import visible_cases

BEIJING = timezone(timedelta(hours=8))
STEPS = ["assess", "handle", "guide", "follow_up", "review"]
SERVED = {"supervision_order", "guidance_order", "reprimand", "duty_notice", "warning_letter", "protection_order",
          "objection_decision", "revocation_support"}
# which checklist item a chase of each kind holds up while unanswered
CHASED = {"visit": "follow_up", "session": "guidance", "decision": "handling", "approval": "handling",
          "delivery": "handling", "report": "handling", "safety_contact": "handling"}


@pytest.fixture(params=[("wf_supervisor", {}), ("leader", {"district": "all"}),
                        ("pro_supervisor", {"from": "2026-01-01"})], ids=["JB", "all", "JB-from-January"])
def computed(request, gl):
    username, filters = request.param
    with gl.reading() as s:
        actor = actor_by_username(s, username)
        scope = read_scope(s, gl, actor, filters)
        figures = compute(s, gl, scope)
        rows = load_rows(s)
        ledger_rows = ledger(s, gl, actor, scope).rows
        works_on = set(s.scalars(select(Case.case_no).where(visible_cases(actor))))
    start = datetime.combine(scope.date_from, time.min, BEIJING)
    end = datetime.combine(scope.date_to + timedelta(days=1), time.min, BEIJING)
    return {"figures": figures, "scope": scope, "start": start, "end": end, "rows": rows, "gl": gl,
            "ledger": ledger_rows, "works_on": works_on}


def load_rows(s) -> dict:
    models = {"cases": Case, "clues": RiskClue, "changes": RiskCodeChange, "rounds": Round, "records": TaskRecord,
              "items": WorkItem, "docs": DocumentRecord, "plans": GuidancePlan, "sessions": GuidanceSession,
              "visits": FollowupVisit, "approvals": Approval, "assessments": Assessment, "chases": Chase}
    return {name: s.scalars(select(model)).all() for name, model in models.items()}


def in_scope(c, district_id) -> bool:
    return c["scope"].district_id is None or district_id == c["scope"].district_id


def case_district(c) -> dict:
    return {case.id: case.district_id for case in c["rows"]["cases"]}


def in_period(c, moment) -> bool:
    return moment is not None and c["start"] <= moment < c["end"]


def test_open_cases_by_code_and_family_type(computed):
    c = computed
    open_cases = [k for k in c["rows"]["cases"] if k.status == "open" and in_scope(c, k.district_id)]
    by_code = Counter(k.current_code for k in open_cases)
    assert dict(c["figures"]["open_by_code"]) == {code: by_code.get(code, 0)
                                                  for code in ("red", "orange", "yellow", "blue", "watch", None)}
    by_type = Counter(t for k in open_cases for t in k.family_types)
    found = dict(c["figures"]["open_by_family_type"])
    assert {t: n for t, n in found.items() if t} == {t: by_type.get(t, 0) for t in found if t}
    assert found[None] == sum(1 for k in open_cases if not k.family_types)
    assert sum(n for t, n in found.items() if t) == sum(len(k.family_types) for k in open_cases)


def test_new_clues_by_source(computed):
    c = computed
    expected = Counter(k.source for k in c["rows"]["clues"] if in_period(c, k.received_at) and in_scope(c, k.district_id))
    assert {s: n for s, n in c["figures"]["clues_by_source"] if n} == dict(expected)
    assert sum(expected.values()) > 0


def month(moment) -> str:
    return moment.astimezone(BEIJING).strftime("%Y-%m")


def test_downgrades_and_upgrades_by_month(computed):
    c, districts = computed, case_district(computed)
    expected = Counter((month(k.decided_at), k.kind) for k in c["rows"]["changes"]
                       if k.kind in ("downgrade", "upgrade") and in_period(c, k.decided_at)
                       and in_scope(c, districts[k.case_id]))
    found = {(m, kind): n for m, down, up in c["figures"]["code_changes"]
             for kind, n in (("downgrade", down), ("upgrade", up)) if n}
    assert found == dict(expected) and expected


def test_orders_by_agency_and_month(computed):
    c, districts = computed, case_district(computed)
    expected = Counter((month(d.issued_at), d.issuing_agency) for d in c["rows"]["docs"]
                       if d.doc_type in ("supervision_order", "guidance_order") and d.supersedes_id is None
                       and in_period(c, d.issued_at) and in_scope(c, districts[d.case_id]))
    orders = c["figures"]["orders"]
    found = {(m, agency): n for m, counts in orders["months"] for agency, n in zip(orders["agencies"], counts) if n}
    assert found == dict(expected) and expected


def test_guidance_sessions_hours_and_attendance(computed):
    c, districts = computed, case_district(computed)
    held = [g for g in c["rows"]["sessions"] if c["scope"].date_from <= g.held_on <= c["scope"].date_to
            and in_scope(c, districts[g.case_id])]
    by_month: dict = {}
    for g in held:
        entry = by_month.setdefault(g.held_on.strftime("%Y-%m"), [0, 0, 0])
        entry[0] += 1
        entry[1] += g.minutes
        entry[2] += g.guardian_attended
    found = {g["month"]: [g["sessions"], g["minutes"], g["attended"]] for g in c["figures"]["guidance"] if g["sessions"]}
    assert found == by_month and held


def test_overdue_tasks_by_agency(computed):
    c, now = computed, computed["figures"]["computed_at"]
    expected = Counter(w.lane for w in c["rows"]["items"] if w.due_at < now and in_scope(c, w.district_id))
    assert {a: n for a, n in c["figures"]["overdue"] if n} == dict(expected) and expected


def closed_loop_by_hand(c, rnd) -> dict:
    """The six checklist items of an ended round, each True when its evidence is on record."""
    rows = c["rows"]
    of = lambda name: [r for r in rows[name] if r.round_id == rnd.id]  # noqa: E731
    kinds = Counter(a.kind for a in of("assessments"))
    reports = sum(1 for d in of("docs") if d.doc_type == "assessment_report" and d.status == "issued")
    served = [d for d in of("docs") if d.doc_type in SERVED and d.status != "superseded"]
    plans = sorted(of("plans"), key=lambda p: p.id)
    plan = plans[-1] if plans else None
    qualifying = sum(1 for s in of("sessions") if plan and s.guardian_attended and s.minutes >= plan.min_minutes)
    with c["gl"].reading() as s:
        runtime = c["gl"].runtime(s, rnd.model_version)
    required = runtime.decide("followup_schedule", {"risk_code": rnd.risk_code})["visits_required"]
    unanswered = Counter(CHASED[c.kind] for c in of("chases") if c.answered_at is None)
    needed = {"downgraded": "downgrade", "closed": "closure", "escalated": "escalation"}.get(rnd.outcome)
    watched = rnd.risk_code == "watch"   # followed up only: no handling, no guidance
    return {
        "assessment": kinds["initial"] > 0 and reports >= 1,
        "handling": watched or (any(t.task_spec == "propose_measures" for t in of("records"))
                                and all(d.delivered_on for d in served) and not unanswered["handling"]),
        "guidance": watched or (plan is not None and qualifying >= plan.sessions_required
                                and not unanswered["guidance"]),
        "follow_up": len(of("visits")) >= required and not unanswered["follow_up"],
        "reassessment": kinds["reassessment"] > 0 and reports >= kinds["initial"] + kinds["reassessment"],
        "approval": needed is None or any(a.kind == needed and a.status == "approved" for a in of("approvals")),
    }


def test_closed_loop_rate(computed):
    c, districts = computed, case_district(computed)
    ended = [r for r in c["rows"]["rounds"] if r.status != "running" and in_period(c, r.ended_at)
             and in_scope(c, districts[r.case_id])]
    counted = [r for r in ended if r.status != "interrupted"]
    checks = {r.id: closed_loop_by_hand(c, r) for r in counted}
    complete = sum(1 for r in counted if all(checks[r.id].values()))
    found = c["figures"]["closed_loop"]
    assert (found["ended"], found["interrupted"], found["counted"], found["complete"]) == (
        len(ended), len(ended) - len(counted), len(counted), complete)
    assert found["rate"] == (complete / len(counted) if counted else None)
    assert found["missing_by_item"] == {item: sum(1 for r in counted if not checks[r.id][item])
                                        for item in checks[counted[0].id]}
    assert counted and found["complete"] > 0, "the demo closes some loops completely"


def test_days_in_each_step(computed):
    c, districts = computed, case_district(computed)
    durations: dict[str, list[float]] = {s: [] for s in STEPS}
    for rnd in c["rows"]["rounds"]:
        if not in_scope(c, districts[rnd.case_id]):
            continue
        for step, times in (rnd.steps or {}).items():
            ended = datetime.fromisoformat(times["ended"]) if times.get("ended") else None
            if step in durations and in_period(c, ended):
                durations[step].append((ended - datetime.fromisoformat(times["started"])).total_seconds() / 86400)
    for found in c["figures"]["step_times"]:
        values = durations[found["step"]]
        assert found["rounds"] == len(values), found
        if values:
            p90 = statistics.quantiles(values, n=10, method="inclusive")[8] if len(values) > 1 else values[0]
            assert found["median_days"] == round(max(statistics.median(values), 0), 1)
            assert found["p90_days"] == pytest.approx(round(max(p90, 0), 1), abs=0.05)
    assert durations["follow_up"] and durations["handle"]


def test_the_ledger_lists_the_cases_open_in_the_period_that_the_agency_works_on(computed):
    c = computed
    # only the cases the agency works on: all of the district's for the coordinating agency, the
    # procuratorate's own for its supervisor, none for a leader (who may not export it anyway)
    expected = sorted(k.case_no for k in c["rows"]["cases"] if in_scope(c, k.district_id) and k.case_no in c["works_on"]
                      and k.opened_at < c["end"] and (k.closed_at is None or k.closed_at >= c["start"]))
    assert [row[0] for row in c["ledger"]] == expected
    sessions = Counter(g.case_id for g in c["rows"]["sessions"])
    numbers = {k.case_no: k.id for k in c["rows"]["cases"]}
    assert {row[0]: row[14] for row in c["ledger"]} == {no: sessions.get(numbers[no], 0) for no in expected}
    names = {k.case_no: k.child_name for k in c["rows"]["cases"]}
    assert all(row[2] == names[row[0]] for row in c["ledger"])
