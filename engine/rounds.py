"""Rounds: starting one, loading its workflow, and saving it with its work items and timer column."""
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm import Session
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from . import audit
from .clock import clock
from .models import Case, CaseAgency, Round, WorkItem
from .permissions import known_to_take_part, takes_part
from .runtime import WorkflowRuntime

PROCESS_ID = "intervention_round"
_ITEMS = WorkItem.__table__
_INSERT_ITEMS = _ITEMS.insert()
_MOVE_ITEM = _ITEMS.update().where(_ITEMS.c.task_id == bindparam("done_task_id"))
_DELETE_ITEMS = _ITEMS.delete().where(_ITEMS.c.task_id.in_(bindparam("task_ids", expanding=True)))
_SAVE_STATE = Round.__table__.update().where(Round.__table__.c.id == bindparam("round_id"))
_INSERT_PARTY = CaseAgency.__table__.insert()

OUTCOME_ENDS = {
    "round_downgraded": "downgraded",
    "case_closed": "closed",
    "round_escalated": "escalated",
    "round_continues": "another_round",
}


def join_case(session: Session, case_id: int, agency: str) -> None:
    """Record that ``agency`` takes part in the case (its users of the district may then see it)."""
    if not takes_part(session, case_id, agency):
        session.connection().execute(_INSERT_PARTY, [{"case_id": case_id, "agency_code": agency,
                                                      "since": clock.now()}])
        known_to_take_part(session).add((case_id, agency))


def start_round(session: Session, gl, actor, case: Case, reason: str) -> Round:
    version = gl.current_version(session)
    runtime = gl.runtime(session, version)
    number = (session.scalar(select(func.count(Round.id)).where(Round.case_id == case.id)) or 0) + 1
    workflow = runtime.new_workflow(PROCESS_ID, {"case_type": case.case_type, "current_code": case.current_code or ""})
    rnd = Round(case_id=case.id, number=number, process_id=PROCESS_ID, model_version=version,
                status="running", risk_code=case.current_code, started_at=clock.now(), state="")
    session.add(rnd)
    session.flush()
    save_round(session, runtime, case, rnd, workflow)
    audit.record(session, actor, "start_round", "round", rnd.id, case.id, None,
                 {"number": number, "model_version": version, "reason": reason})
    return rnd


def load_workflow(session: Session, gl, rnd: Round):
    runtime = gl.runtime(session, rnd.model_version)
    return runtime, runtime.load(rnd.state)


@dataclass(frozen=True)
class TaskRef:
    """A READY user task as permissions and handlers see it (the same fields as its work item)."""

    task_id: str
    task_spec: str
    lane: str
    roles: list
    step: str
    district_id: int


def owner_agency(spec) -> str:
    """The agency that owns a user task: its lane, or for a task in the supervisor lane the agency its
    ``agency`` property names (the head of department of that agency approves)."""
    return spec.extensions.get("properties", {}).get("agency") or spec.lane


def task_ref(task, case: Case) -> TaskRef:
    props = task.task_spec.extensions.get("properties", {})
    return TaskRef(str(task.id), task.task_spec.name, owner_agency(task.task_spec),
                   [r.strip() for r in props.get("roles", "").split(",") if r.strip()], props.get("step", ""),
                   case.district_id)


def save_round(session: Session, runtime: WorkflowRuntime, case: Case, rnd: Round, workflow,
               since: float | None = None) -> None:
    """Persist the workflow and project its READY user tasks into ``work_item``.

    ``since``: when the caller started changing the workflow (``time.time()``). The user tasks that
    became READY after it are the new work items and those that left READY after it are gone; without
    it, the round's work items are read back to find the difference.
    """
    state = runtime.dump(workflow)
    next_timer_at = runtime.next_timer_at(workflow) if rnd.status == "running" else None
    if rnd.id is not None and rnd not in session.new:
        # The large state column goes out as one plain UPDATE, not through the ORM's unit of work.
        session.connection().execute(_SAVE_STATE, {"round_id": rnd.id, "state": state,
                                                   "next_timer_at": next_timer_at})
        set_committed_value(rnd, "state", state)
        set_committed_value(rnd, "next_timer_at", next_timer_at)
    else:
        rnd.state, rnd.next_timer_at = state, next_timer_at
    ready, left, deadlines = runtime.scan(workflow, since)
    if rnd.status != "running":
        left |= set(ready)
        ready = {}
    if since is None:
        existing = set(session.scalars(select(WorkItem.task_id).where(WorkItem.round_id == rnd.id)))
        new = {task_id: task for task_id, task in ready.items() if task_id not in existing}
        gone = existing - set(ready)
    else:
        new = {task_id: task for task_id, task in ready.items() if task.last_state_change >= since}
        gone = left
    known_to_take_part(session).update((case.id, owner_agency(task.task_spec)) for task_id, task in ready.items()
                                       if task_id not in new)
    now = clock.now()
    rows = []
    for task_id, task in new.items():
        spec, ref = task.task_spec, task_ref(task, case)
        rows.append({
            "round_id": rnd.id, "case_id": case.id, "district_id": case.district_id, "task_id": task_id,
            "task_spec": spec.name, "task_name": spec.bpmn_name or spec.name, "lane": ref.lane,
            "roles": ref.roles, "step": ref.step, "ready_at": now,
            "due_at": deadlines.get((task.parent.id, spec.name)) or _due_from_property(task, now),
        })
        join_case(session, case.id, ref.lane)
    gone = sorted(gone)
    if len(gone) == 1 and len(rows) == 1:  # the usual step: one task done, the next one ready
        moved = session.connection().execute(_MOVE_ITEM, {"done_task_id": gone[0], **rows[0]})
        if moved.rowcount == 1:
            return
        gone = []
    if gone:
        session.connection().execute(_DELETE_ITEMS, {"task_ids": gone})
    if rows:
        session.connection().execute(_INSERT_ITEMS, rows)


def _due_from_property(task, ready_at: datetime) -> datetime:
    due_in = task.task_spec.extensions.get("properties", {}).get("due_in", "P7D")
    parsed = TimerEventDefinition.parse_iso_duration(due_in)
    return ready_at + TimerEventDefinition.get_timedelta_from_start(parsed, ready_at)


def find_task(workflow, task_id: str):
    try:
        return workflow.get_task_from_id(UUID(task_id))
    except Exception:
        return None


def element_states(workflow) -> dict[str, str]:
    """BPMN element id → completed / current / waiting, for drawing the round's diagram."""
    from SpiffWorkflow.util.task import TaskState
    rank = {"waiting": 0, "completed": 1, "current": 2}
    states: dict[str, str] = {}
    for task in workflow.get_tasks():
        if task.state in (TaskState.READY, TaskState.WAITING, TaskState.STARTED):
            state = "current"
        elif task.state == TaskState.COMPLETED:
            state = "completed"
        else:
            continue
        name = task.task_spec.name
        if rank[state] > rank.get(states.get(name, "waiting"), 0):
            states[name] = state
    return states
