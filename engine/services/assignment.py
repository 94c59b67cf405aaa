"""Claiming, releasing and assigning tasks within an agency (Camunda Tasklist style).

A task of an agency's lane is held by at most one of its people (``work_item.assignee_id``). Anyone of the
agency whose role may complete it claims an unassigned task and releases a task they hold; the agency's
supervisor assigns or reassigns it to a named person, with a reason. Only the holder completes a held task
(``require_assignee``, checked by ``complete_task``). Each change is one conditional UPDATE on the holder the
user saw, so of two people claiming at once one wins and the other is told who holds it now.
"""
from sqlalchemy import select, update

from engine.actor import Actor
from engine.auditlog import record as audit
from engine.context import GuardLoop
from engine.errors import Conflict, InvalidInput, NotFound
from engine.models import Notification, User, WorkItem
from engine.reads.access import require_case
from engine.rules import validate as v
from engine.rules.permissions import (
    RELEASE_REFUSED,
    TASK_ASSIGNING_REFUSED,
    may_assign_task,
    may_complete_held_task,
    may_release_task,
    refuse_held_task,
    require,
    require_task_rights,
)
from engine.workflow.clock import clock
from engine.workflow.new_work import NEW_TASK, eligible, people_for


def _name(session, user_id) -> str:
    return session.scalar(select(User.display_name).where(User.id == user_id)) or f"#{user_id}"


def require_assignee(session, actor: Actor, task_id: str) -> None:
    """A held task is completed by its holder only: anyone else is refused, told who holds it."""
    holder = session.scalar(select(WorkItem.assignee_id).where(WorkItem.task_id == str(task_id)))
    if not may_complete_held_task(actor, holder):
        refuse_held_task(_name(session, holder))


def _item(session, actor: Actor, case_id: int, task_id: str) -> WorkItem:
    require_case(session, actor, case_id)
    item = session.scalars(select(WorkItem).where(WorkItem.case_id == case_id,
                                                  WorkItem.task_id == str(task_id))).first()
    if item is None:
        raise NotFound("任务不存在或已办结。", "No such open task: it may have been completed.")
    if item.kind != "task":
        raise InvalidInput("task", "该事项由登记记录办理，无需认领。",
                           "This item is done by making its record; it is not claimed.")
    return item


def _swap(session, item: WorkItem, expected, new) -> bool:
    """Set the holder to ``new`` if it is still ``expected``: the optimistic lock."""
    held = WorkItem.assignee_id.is_(None) if expected is None else WorkItem.assignee_id == expected
    done = session.execute(update(WorkItem).where(WorkItem.id == item.id, held).values(assignee_id=new)
                           .execution_options(synchronize_session=False))
    return done.rowcount == 1


def _taken(session, item_id: int) -> Conflict:
    holder = session.scalar(select(WorkItem.assignee_id).where(WorkItem.id == item_id))
    if holder is None:
        return Conflict("该任务的认领情况刚有变化，请刷新后重试。",
                        "Who holds this task changed a moment ago; reload and try again.")
    name = _name(session, holder)
    return Conflict(f"该任务刚被{name}认领或指派给{name}，请刷新后查看。",
                    f"{name} took this task a moment ago (claimed or assigned); reload to see it.")


def claim(gl: GuardLoop, actor: Actor, case_id: int, task_id: str) -> None:
    """认领: the actor takes an unassigned task of their agency that their role may complete."""
    with gl.transaction() as session:
        item = _item(session, actor, case_id, task_id)
        require_task_rights(actor, item)
        if item.assignee_id == actor.id:
            raise InvalidInput("task", "您已认领该任务。", "You already hold this task.")
        if item.assignee_id is not None or not _swap(session, item, None, actor.id):
            raise _taken(session, item.id)
        audit.record(session, actor, "claim_task", "task", item.task_id, case_id, {"assignee": None},
                     {"assignee": actor.id, "task": item.task_spec})


def release(gl: GuardLoop, actor: Actor, case_id: int, task_id: str) -> None:
    """释放: the holder gives a task back to the agency, unassigned."""
    with gl.transaction() as session:
        item = _item(session, actor, case_id, task_id)
        require_task_rights(actor, item)
        require(may_release_task(actor, item.assignee_id), RELEASE_REFUSED)
        if not _swap(session, item, actor.id, None):
            raise _taken(session, item.id)
        audit.record(session, actor, "release_task", "task", item.task_id, case_id, {"assignee": actor.id},
                     {"assignee": None, "task": item.task_spec})


def assign_form(gl: GuardLoop, actor: Actor, case_id: int, task_id: str) -> tuple:
    """The work item, its holder's name and whom the supervisor may give it to: [(user id, name)]."""
    with gl.reading() as session:
        item = _item(session, actor, case_id, task_id)
        _require_supervisor(actor, item)
        people = eligible(people_for(session, item.case_id, item.district_id, [item.lane]), item.lane, item.roles)
        names = dict(session.execute(select(User.id, User.display_name).where(User.id.in_(people))).all())
        holder = _name(session, item.assignee_id) if item.assignee_id else None
        return item, holder, [(uid, names[uid]) for uid in people]


def _require_supervisor(actor: Actor, item: WorkItem) -> None:
    require(may_assign_task(actor, item.district_id, item.lane), TASK_ASSIGNING_REFUSED)


def assign(gl: GuardLoop, actor: Actor, case_id: int, task_id: str, data: dict) -> None:
    """指派/改派: the agency's supervisor gives the task to ``assignee`` (a user id; "" leaves it unassigned)
    with a ``reason``; ``expected_assignee`` is the holder the supervisor saw ("" for none)."""
    reason = v.text(data, "reason", max_len=1000)
    raw = str(data.get("assignee") or "").strip()
    new = v.integer(data, "assignee", low=1, high=2**31 - 1) if raw else None
    expected_raw = str(data.get("expected_assignee") or "").strip()
    try:
        expected = int(expected_raw) if expected_raw else None
    except ValueError:
        raise InvalidInput("expected_assignee", "参数有误。", "Bad value.") from None
    with gl.transaction() as session:
        item = _item(session, actor, case_id, task_id)
        _require_supervisor(actor, item)
        if new is not None and new not in eligible(people_for(session, item.case_id, item.district_id, [item.lane]),
                                                   item.lane, item.roles):
            raise InvalidInput("assignee", "被指派人须为本机构在该区县、其角色可以办理该任务的人员。",
                               "The assignee must be one of your agency's people in the case's district whose role "
                               "may complete this task.")
        if item.assignee_id != expected:
            raise _taken(session, item.id) if item.assignee_id else Conflict(
                "该任务刚被释放，请刷新后重试。", "This task was released a moment ago; reload and try again.")
        if new == expected:
            raise InvalidInput("assignee", "该任务已由此人办理。", "This person already holds the task.")
        if not _swap(session, item, expected, new):
            raise _taken(session, item.id)
        audit.record(session, actor, "reassign_task" if expected else "assign_task", "task", item.task_id, case_id,
                     {"assignee": expected}, {"assignee": new, "task": item.task_spec, "reason": reason})
        if new is not None and new != actor.id:
            session.add(Notification(district_id=item.district_id, agency_code=item.lane, kind=NEW_TASK,
                                     case_id=case_id, user_id=new, created_at=clock.now(),
                                     payload={"task": item.task_spec, "task_name": item.task_name,
                                              "task_id": item.task_id, "due_at": item.due_at.isoformat(),
                                              "by": actor.display_name}))
