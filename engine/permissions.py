"""Who may see and change what. Checked here, in the engine, for every service; views only mirror it.

A user sees the cases of their own district in which their agency takes part; a user completes a task
only when their agency owns the task's lane, the case is in their district and their role is one the
task names.
"""
from sqlalchemy import select
from sqlalchemy.orm import Session

from .errors import NotFound, PermissionDenied
from .models import Case, CaseAgency, WorkItem


def takes_part(session: Session, case_id: int, agency: str) -> bool:
    return session.get(CaseAgency, (case_id, agency)) is not None


def can_view_case(session: Session, actor, case: Case) -> bool:
    return (actor.role != "admin" and actor.district_id == case.district_id
            and takes_part(session, case.id, actor.agency))


def require_case(session: Session, actor, case_id: int, *, lock=False) -> Case:
    case = session.get(Case, case_id, with_for_update=lock or None)
    if case is None:
        raise NotFound("个案不存在。", "No such case.")
    if not can_view_case(session, actor, case):
        raise PermissionDenied("您无权查看此个案：仅限本辖区参与办理的机构。",
                               "You may not see this case: only agencies of its district that work on it may.")
    return case


def require_task_rights(actor, item: WorkItem) -> None:
    if actor.district_id != item.district_id:
        raise PermissionDenied("该任务不属于您的辖区。", "This task is not in your district.")
    if actor.agency != item.lane:
        raise PermissionDenied("该任务由其他机构办理。", "Another agency owns this task.")
    if actor.role not in item.roles:
        raise PermissionDenied("您的角色不能办理该任务。", "Your role may not complete this task.")


def visible_case_ids(actor):
    """A SELECT of the ids of the cases ``actor`` may see (for lists and searches)."""
    return (select(Case.id)
            .join(CaseAgency, CaseAgency.case_id == Case.id)
            .where(Case.district_id == actor.district_id, CaseAgency.agency_code == actor.agency))


def open_items_for(session: Session, actor):
    return session.scalars(
        select(WorkItem).where(WorkItem.lane == actor.agency, WorkItem.district_id == actor.district_id)
        .order_by(WorkItem.due_at)
    ).all()
