"""What a task page reads: the open task with the case, the variables its form is filled from, the request it
decides or the one that came back to it, and the names and choices the form shows — in one unit of work that
also logs the view (访问留痕)."""
from collections.abc import Callable

from sqlalchemy import select

from engine.auditlog import record as audit
from engine.errors import Conflict, NotFound
from engine.models import Approval, Referral, Round, TaskRecord, User, WorkItem
from engine.models.records import pending_approval
from engine.reads.access import require_case
from engine.reads.guardians import current_guardians
from engine.reads.providers import offered_providers
from engine.rules.permissions import require_task_rights
from engine.workflow.catalog import APPROVAL_TASKS, RETURNS_TO, Task
from engine.workflow.clock import clock
from engine.workflow.rounds import find_task, load_workflow
from engine.workflow.runtime import days_of
from engine.workflow.subjects import referral_of_item


class TaskAlreadyDone(Conflict):
    """The task was completed by someone else; carries what a 409 page needs to show the form again."""

    def __init__(self, case, spec: str):
        super().__init__("该任务刚被他人办理，请刷新后查看；您填写的内容未丢失。",
                         "Someone completed this task a moment ago; reload to see it. What you typed is kept.")
        self.case, self.spec = case, spec


def _no_guardians(spec: str, variables: dict) -> bool:
    return False


def task_form(gl, actor, case_id: int, task_id: str, *,
              wants_guardians: Callable[[str, dict], bool] = _no_guardians, log_view: bool = True) -> dict:
    """What a task form needs: the work item, the case, the decision variables the model computed, the
    request it decides or the one that came back to it, the providers offered to the case's district today,
    the names of the people those requests mention, the referral the task is about, and the case's current
    guardians when ``wants_guardians(spec, variables)`` says the form chooses among them.

    The page shows the child's data: the view is logged in the same unit of work — except when a refused
    submission shows the form again (``log_view=False``: its GET was logged, and a refused request writes
    nothing), which is then a read only."""
    with (gl.transaction() if log_view else gl.reading()) as session:
        case = require_case(session, actor, case_id)
        item = session.scalars(select(WorkItem).where(WorkItem.case_id == case.id,
                                                      WorkItem.task_id == str(task_id))).first()
        if item is None:
            spec = completed_spec(session, case.id, task_id)
            if spec is None:
                raise NotFound("任务不存在。", "No such task.")
            if log_view:
                audit.record(session, actor, "view_task", "task", task_id, case.id,
                             after={"task": spec, "done": True})
            done = TaskAlreadyDone(case, spec)
        else:
            require_task_rights(actor, item)
            if log_view:
                audit.record(session, actor, "view_task", "task", item.task_id, case.id,
                             after={"task": item.task_spec})
            return _form(session, gl, case, item, wants_guardians)
    raise done  # committed first: the view of the finished task is on record too


def _form(session, gl, case, item: WorkItem, wants_guardians) -> dict:
    rnd = session.get(Round, item.round_id)
    _, workflow = load_workflow(session, gl, rnd)
    task = find_task(workflow, item.task_id)
    variables = dict(task.data) if task else {}
    for name in ("session_interval", "guidance_period"):   # durations of the models, shown in days
        if variables.get(name):
            variables[f"{name}_days"] = days_of(variables[name])
    holder = (session.scalar(select(User.display_name).where(User.id == item.assignee_id))
              if item.assignee_id else None)
    returned, request = returned_request(session, item), pending_request(session, item)
    page = {"case": case, "item": item, "round": rnd, "variables": variables, "returned": returned,
            "request": request, "assignee": holder}
    if item.kind == "await":  # no form: the page sends the user on to where the record it waits for is made
        return page
    asked = [a for a in (request, returned) if a is not None]
    people = {a.requested_by for a in asked} | {a.decided_by for a in asked if a.decided_by}
    referral_id = (variables.get("referral") or {}).get("id")
    return {
        **page,
        # only providers offered to the case's district today (practice bases in force serving it)
        "providers": offered_providers(session, case.district_id, clock.today()),
        "people": dict(session.execute(select(User.id, User.display_name).where(User.id.in_(people))).all()),
        # only what this form shows: the guardians to choose from, the referral it decides on
        "guardians": current_guardians(session, case.id) if wants_guardians(item.task_spec, variables) else [],
        "referral": session.get(Referral, referral_id) if referral_id else None,
    }


def pending_request(session, item: WorkItem):
    """For an approval task: the request it decides (what is asked, by whom, and why)."""
    if item.task_spec not in APPROVAL_TASKS:
        return None
    kind = APPROVAL_TASKS[item.task_spec]
    return pending_approval(session, kind, round_id=item.round_id,
                            referral_id=referral_of_item(item) if kind == "order" else None)


def returned_request(session, item: WorkItem) -> Approval | None:
    """The request that came back to this task (退回补正), with the supervisor's reason, if it did."""
    if item.task_spec not in RETURNS_TO:
        return None
    query = select(Approval).where(Approval.round_id == item.round_id, Approval.kind.in_(RETURNS_TO[item.task_spec]),
                                   Approval.decided_at.is_not(None))
    if item.task_spec == Task.DRAFT_ORDER:
        query = query.where(Approval.referral_id == referral_of_item(item))
    latest = session.scalars(query.order_by(Approval.decided_at.desc(), Approval.id.desc())).first()
    if latest is None or latest.status != "returned" or latest.decided_at > item.ready_at:
        return None
    return latest


def completed_spec(session, case_id: int, task_id: str) -> str | None:
    """The task spec of a task of this case that was already completed, if it was."""
    return session.scalars(select(TaskRecord.task_spec).where(TaskRecord.case_id == case_id,
                                                              TaskRecord.task_id == str(task_id))).first()
