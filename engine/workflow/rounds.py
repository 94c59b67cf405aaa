"""Rounds: starting one, stepping its workflow, and saving it with its work items, chases and timer column.

A round is one workflow instance of ``intervention_round`` and the processes it calls. Whenever the engine
moves a round (a task completed, a record that a waiting task receives, timers fired) it does so inside
``stepping``: the model's service tasks reach the case's data through it (the orders in force) and what the
model asks of the engine (a chase) is collected and written when the round is saved.
"""
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from engine.actor import Actor
from engine.auditlog import record as audit
from engine.context import GuardLoop
from engine.models import Case, CaseAgency, Chase, OrderSupervision, Round, WorkItem
from engine.reads.access import known_to_take_part, takes_part
from engine.workflow.clock import clock
from engine.workflow.new_work import assign_new_work
from engine.workflow.runtime import (
    StepContext,
    WorkflowRuntime,
    step_context,
    step_progress,
    task_properties,
    task_roles,
)

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


def round_data(case: Case) -> dict:
    """What a new round starts with: the case's type, current code and family types."""
    return {"case_type": case.case_type, "current_code": case.current_code or "",
            "family_types": list(case.family_types or [])}


def start_round(session: Session, gl: GuardLoop, actor: Actor, case: Case, reason: str) -> Round:
    version = gl.current_version(session)
    runtime = gl.runtime(session, version)
    number = (session.scalar(select(func.count(Round.id)).where(Round.case_id == case.id)) or 0) + 1
    rnd = Round(case_id=case.id, number=number, process_id=PROCESS_ID, model_version=version,
                status="running", risk_code=case.current_code, started_at=clock.now(), state="")
    session.add(rnd)
    session.flush()
    with stepping(session, case) as context:
        workflow = runtime.new_workflow(PROCESS_ID, round_data(case))
    save_round(session, runtime, case, rnd, workflow, context=context)
    audit.record(session, actor, "start_round", "round", rnd.id, case.id, None,
                 {"number": number, "model_version": version, "reason": reason})
    return rnd


def load_workflow(session: Session, gl: GuardLoop, rnd: Round):
    runtime = gl.runtime(session, rnd.model_version)
    return runtime, runtime.load(rnd.state)


# --- the engine's side of the model's service tasks ---------------------------------------------------
def orders_in_force(session: Session, case: Case) -> list[dict]:
    """The orders of the case whose duties still run, for ``supervise_orders`` (one instance each)."""
    rows = session.scalars(select(OrderSupervision).where(OrderSupervision.case_id == case.id,
                                                          OrderSupervision.status == "in_force")
                           .order_by(OrderSupervision.document_id)).all()
    return [{"id": row.document_id, "issuer": row.issuer, "report_every": row.report_every,
             "chase_every": row.chase_every} for row in rows]


@contextmanager
def stepping(session: Session, case: Case):
    """Step a round's workflow with the case's services at hand; what the model asks for is collected."""
    context = StepContext(services={"orders_in_force": lambda task, params: orders_in_force(session, case)})
    token = step_context.set(context)
    try:
        yield context
    finally:
        step_context.reset(token)


# --- work items --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TaskRef:
    """An open task as permissions and handlers see it (the same fields as its work item)."""

    task_id: str
    task_spec: str
    lane: str
    roles: list
    step: str
    district_id: int
    kind: str = "task"
    subject: str | None = None


def subject_of(runtime: WorkflowRuntime, task) -> str | None:
    """What a task is about beyond the case: the referral or order whose lane it sits in."""
    lane = runtime.lane(task.task_spec)
    name = (lane.agency_from or "").split(".")[0] if lane is not None else ""
    item = task.data.get(name) if name else None
    return f"{name}:{item['id']}" if isinstance(item, dict) and "id" in item else None


def task_ref(runtime: WorkflowRuntime, task, case: Case) -> TaskRef:
    spec = task.task_spec
    return TaskRef(str(task.id), spec.name, runtime.owner_agency(task) or "", task_roles(spec),
                   task_properties(spec).get("step", ""), case.district_id,
                   "task" if spec.manual else "await", subject_of(runtime, task))


def save_round(session: Session, runtime: WorkflowRuntime, case: Case, rnd: Round, workflow,
               since: float | None = None, context: StepContext | None = None) -> None:
    """Persist the workflow, project its open work into ``work_item`` and write what the model asked for
    (chases).

    ``since``: when the caller started changing the workflow (``time.time()``). The work that opened after
    it is new and the work that closed after it is gone; without it, the round's work items are read back to
    find the difference.
    """
    if context is not None:
        _raise_chases(session, runtime, case, rnd, workflow, context)
    now = clock.now()
    steps = steps_now(rnd.steps, step_progress(workflow), now, ended=rnd.status != "running")
    state = runtime.dump(workflow)
    next_timer_at = runtime.next_timer_at(workflow) if rnd.status == "running" else None
    if rnd.id is not None and rnd not in session.new:
        # The large state column goes out as one plain UPDATE, not through the ORM's unit of work.
        session.connection().execute(_SAVE_STATE, {"round_id": rnd.id, "state": state,
                                                   "next_timer_at": next_timer_at, "steps": steps})
        for name, value in (("state", state), ("next_timer_at", next_timer_at), ("steps", steps)):
            set_committed_value(rnd, name, value)
    else:
        rnd.state, rnd.next_timer_at, rnd.steps = state, next_timer_at, steps
    open_work, left, deadlines = runtime.scan(workflow, since)
    if rnd.status != "running":
        left |= set(open_work)
        open_work = {}
    if since is None:
        existing = set(session.scalars(select(WorkItem.task_id).where(WorkItem.round_id == rnd.id)))
        new = {task_id: task for task_id, task in open_work.items() if task_id not in existing}
        gone = existing - set(open_work)
    else:
        new = {task_id: task for task_id, task in open_work.items() if task.last_state_change >= since}
        gone = left
    known_to_take_part(session).update((case.id, runtime.owner_agency(task)) for task_id, task in open_work.items()
                                       if task_id not in new)
    rows = []
    for task_id, task in new.items():
        spec, ref = task.task_spec, task_ref(runtime, task, case)
        rows.append({
            "round_id": rnd.id, "case_id": case.id, "district_id": case.district_id, "task_id": task_id,
            "task_spec": spec.name, "task_name": spec.bpmn_name or spec.name, "lane": ref.lane,
            "roles": ref.roles, "step": ref.step, "ready_at": now, "kind": ref.kind, "subject": ref.subject,
            "due_at": due_at(task, now) or deadlines.get((task.parent.id, spec.name)) or now,
        })
        join_case(session, case.id, ref.lane)
    assign_new_work(session, case, rows)
    gone = sorted(gone)
    if gone:
        session.execute(update(Chase).where(Chase.task_id.in_(gone), Chase.resolved_at.is_(None))
                        .values(resolved_at=now))
    if len(gone) == 1 and len(rows) == 1:  # the usual step: one task done, the next one ready
        moved = session.connection().execute(_MOVE_ITEM, {"done_task_id": gone[0], **rows[0]})
        if moved.rowcount == 1:
            return
        gone = []
    if gone:
        session.connection().execute(_DELETE_ITEMS, {"task_ids": gone})
    if rows:
        session.connection().execute(_INSERT_ITEMS, rows)


def steps_now(recorded: dict | None, progress: dict, now: datetime, ended: bool) -> dict:
    """The round's step times after this save: a step starts when one of its call activities begins and
    ends when none is open any more (or when the round ends)."""
    steps = {step: dict(times) for step, times in (recorded or {}).items()}
    stamp = now.isoformat()
    for step, (begun, still_open) in progress.items():
        times = steps.get(step)
        if begun and times is None:
            times = steps[step] = {"started": stamp, "ended": None}
        if times is not None and times["ended"] is None and (not still_open or ended):
            times["ended"] = stamp
    return steps


def due_at(task, start: datetime) -> datetime | None:
    """The task's due date: its ``due_in`` property, an ISO duration or a path into its data naming one."""
    due_in = task_properties(task.task_spec).get("due_in")
    if not due_in:
        return None
    if not due_in.startswith("P"):
        value = task.data
        for part in due_in.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        due_in = value if isinstance(value, str) and value.startswith("P") else None
    if due_in is None:
        return None
    parsed = TimerEventDefinition.parse_iso_duration(due_in)
    return start + TimerEventDefinition.get_timedelta_from_start(parsed, start)


# --- chases (督办) --------------------------------------------------------------------------------------
def late_task(service_task):
    """The task a chase is about: the one the boundary timer that fired is attached to (SpiffWorkflow puts
    the task and its boundary events side by side under a split named after the task)."""
    return attached_task(service_task.parent)


def attached_task(boundary):
    split = boundary.parent
    if split is None or not split.task_spec.name.endswith(".BoundaryEventSplit"):
        return None
    host = split.task_spec.name.removesuffix(".BoundaryEventSplit")
    return next((sibling for sibling in split.children if sibling.task_spec.name == host), None)


def _raise_chases(session, runtime, case, rnd, workflow, context: StepContext) -> None:
    now = clock.now()
    for operation, task, params in context.outbox:
        if operation != "raise_chase":
            continue
        late = late_task(task)
        if late is None or late.state not in (TaskState.READY, TaskState.WAITING):
            continue
        late_agency = runtime.owner_agency(late) or ""
        # the latest chase of this task; once a supervisor has answered it, a further chase is a new one
        existing = session.scalars(select(Chase).where(Chase.task_id == str(late.id), Chase.resolved_at.is_(None))
                                   .order_by(Chase.id.desc())).first()
        times = (existing.times if existing else 0) + 1
        routed = runtime.decide("chase_routing", {"late_agency": late_agency, "kind": params.get("kind", ""),
                                                  "times": min(times, 10)}).get("to_agency") or late_agency
        if existing is not None and existing.answered_at is None:
            existing.times, existing.last_raised_at, existing.to_agency = times, now, routed
        else:
            session.add(Chase(case_id=case.id, round_id=rnd.id, kind=params.get("kind", ""), task_id=str(late.id),
                              task_spec=late.task_spec.name, late_agency=late_agency, to_agency=routed,
                              district_id=case.district_id, times=times, first_raised_at=now, last_raised_at=now))
            session.flush()   # the next missed turn of this tick finds it (writers do not autoflush)
        audit.record(session, None, "raise_chase", "task", str(late.id), case.id, None,
                     {"kind": params.get("kind"), "times": times, "to_agency": routed})
    context.outbox.clear()


def find_task(workflow, task_id: str):
    try:
        return workflow.get_task_from_id(UUID(task_id))
    except Exception:
        return None


def element_states(workflow) -> dict[str, dict[str, str]]:
    """Per process, BPMN element id → completed / current / waiting, for drawing the round's diagrams."""
    rank = {"waiting": 0, "completed": 1, "current": 2}
    states: dict[str, dict[str, str]] = {}
    for task in workflow.get_tasks():
        if task.state in (TaskState.READY, TaskState.WAITING, TaskState.STARTED):
            state = "current"
        elif task.state == TaskState.COMPLETED:
            state = "completed"
        else:
            continue
        spec = task.task_spec
        process = spec._wf_spec.name
        element = spec.bpmn_id or spec.name
        if element is None:
            continue
        per = states.setdefault(process, {})
        if rank[state] > rank.get(per.get(element, "waiting"), 0):
            per[element] = state
    return states
