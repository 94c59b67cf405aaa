"""Completing workflow tasks: the one path by which a case moves through its round."""
import time
from collections.abc import Callable

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import case as sql_case, select

from engine.actor import Actor
from engine.auditlog import record as audit
from engine.context import GuardLoop
from engine.errors import Conflict, InvalidInput, NotFound
from engine.models import Round, TaskRecord, WorkItem
from engine.models.case import bump_version, require_current_version
from engine.reads.access import require_case_and_round
from engine.reads.tasks import completed_spec
from engine.rules.permissions import require_task_rights
from engine.services.assignment import require_assignee
from engine.services.cases import close_case, raise_code
from engine.tasks import HANDLERS, TaskContext
from engine.workflow.catalog import APPROVAL_TASKS, Task
from engine.workflow.clock import clock
from engine.workflow.rounds import OUTCOME_ENDS, find_task, load_workflow, save_round, start_round, stepping, task_ref

_INSERT_RECORD = TaskRecord.__table__.insert()


def complete_task(gl, actor, case_id: int, task_id: str, data: dict | Callable[[str, dict], dict],
                  expected_version: int, *, check: Callable | None = None) -> dict:
    """Complete one READY user task of the case's running round as ``actor``.

    ``expected_version`` is the case version the user saw; if anyone changed the case since, nothing
    is written and ``Conflict`` is raised, so the user can reload without losing what they typed.

    ``data`` is the submitted values, or a function of the task's spec and variables that reads them (a form
    whose fields depend on the task is read here, so a submission reads nothing before this unit of work);
    ``check(session, actor, case_id, task_id, spec, values)`` is a further rule of the caller's page, run on
    the values before the handler.
    """
    with gl.transaction() as session:
        case, rnd = require_case_and_round(session, actor, case_id, for_update=True)
        require_current_version(case, expected_version)
        runtime, workflow = load_workflow(session, gl, rnd) if rnd is not None else (None, None)
        task = find_task(workflow, task_id) if rnd is not None else None
        if task is None or task.state != TaskState.READY or not task.task_spec.manual:
            if completed_spec(session, case.id, task_id) is None:
                raise NotFound("任务不存在。", "No such task.")
            raise Conflict("该任务刚被他人办理，请刷新后查看；您填写的内容未丢失。",
                           "Someone completed this task a moment ago; reload to see it. What you typed is kept.")
        item = task_ref(runtime, task, case)
        require_task_rights(actor, item)
        require_assignee(session, actor, item.task_id)
        handler = HANDLERS.get(item.task_spec)
        if handler is None:
            raise InvalidInput("task", "该任务没有表单定义。", "This task has no form.")
        if callable(data):
            data = data(item.task_spec, dict(task.data))
        if check is not None:
            check(session, actor, case.id, item.task_id, item.task_spec, data)
        now = clock.now()
        ctx = TaskContext(session, gl, actor, case, rnd, item, task, workflow, runtime, dict(data or {}), now)
        variables = handler.validate(ctx)
        session.flush()  # the hooks and the round's end read back what the handler wrote
        started = time.time()  # tasks that change state from here on are what this step changed
        with stepping(session, case) as context:
            runtime.complete(workflow, task, variables)
        if handler.after:
            handler.after(ctx)
        session.connection().execute(_INSERT_RECORD, [{
            "case_id": case.id, "round_id": rnd.id, "task_id": item.task_id, "task_spec": item.task_spec,
            "lane": item.lane, "data": audit.plain(ctx.record), "completed_by": actor.id, "completed_at": now}])
        audit.record(session, actor, "complete_task", "task", item.task_id, case.id,
                     {"task": item.task_spec, "case_version": case.version},
                     {"task": item.task_spec, "variables": variables})
        outcome = finish_if_done(session, gl, actor, case, rnd, runtime, workflow)
        save_round(session, runtime, case, rnd, workflow, since=started, context=context)
        if ctx.upgrade is not None and rnd.status == "running":
            raise_code(session, gl, actor, case, rnd, *ctx.upgrade, now)
            outcome = "upgraded"
        bump_version(session, case, now)
        return {"case_version": case.version, "round_id": rnd.id, "outcome": outcome}



def finish_if_done(session, gl: GuardLoop, actor: Actor, case, rnd: Round, runtime, workflow) -> str | None:
    """When the round's workflow has ended: record its outcome, close the case or start the next round."""
    if not workflow.is_completed():
        return None
    end = runtime.reached_end(workflow, OUTCOME_ENDS)
    rnd.status, rnd.outcome, rnd.ended_at = "completed", OUTCOME_ENDS.get(end, "ended"), clock.now()
    audit.record(session, actor, "end_round", "round", rnd.id, case.id, {"status": "running"},
                 {"status": "completed", "outcome": rnd.outcome})
    if rnd.outcome == "closed":
        close_case(session, gl, actor, case, rnd)
    else:
        start_round(session, gl, actor, case, f"after round {rnd.number}: {rnd.outcome}")
    return rnd.outcome


def _complete_named(gl: GuardLoop, actor: Actor, case_id, spec_names, data, expected_version):
    """Complete the case's open task of one of ``spec_names`` (a name or a tuple of names)."""
    names = (spec_names,) if isinstance(spec_names, str) else spec_names
    with gl.reading() as session:
        # the actor's own agency's task first: two approvals of one case may be open in parallel
        mine = sql_case((WorkItem.lane == actor.agency, 0), else_=1)
        item = session.scalars(select(WorkItem).where(WorkItem.case_id == case_id, WorkItem.task_spec.in_(names),
                                                      WorkItem.kind == "task")
                               .order_by(mine, WorkItem.id)).first()
    if item is None:
        raise Conflict("此个案当前没有该项待办任务。", f"The case has no open {' / '.join(names)} task now.")
    return complete_task(gl, actor, case_id, item.task_id, data, expected_version)


def request_downgrade(gl: GuardLoop, actor: Actor, case_id, reason, expected_version):
    """申请降级: one level down, sent to a supervisor."""
    return _complete_named(gl, actor, case_id, Task.DECIDE_OUTCOME, {"outcome": "downgrade", "reason": reason},
                           expected_version)


def request_closure(gl: GuardLoop, actor: Actor, case_id, reason, expected_version):
    """申请结案: sent to a supervisor."""
    return _complete_named(gl, actor, case_id, Task.DECIDE_OUTCOME, {"outcome": "close", "reason": reason},
                           expected_version)


def escalate(gl: GuardLoop, actor: Actor, case_id, reason, expected_version):
    """提请多跨协同: a joint meeting of police, procuratorate and court."""
    return _complete_named(gl, actor, case_id, Task.DECIDE_OUTCOME, {"outcome": "escalate", "reason": reason},
                           expected_version)


def approve(gl: GuardLoop, actor: Actor, case_id, decision, reason, expected_version):
    """A supervisor approves, returns (退回补正) or refuses (不予批准) the case's pending request that their agency
    decides: a downgrade, a closure, an escalation or a drafted order."""
    return _complete_named(gl, actor, case_id, tuple(APPROVAL_TASKS), {"decision": decision, "reason": reason},
                           expected_version)
