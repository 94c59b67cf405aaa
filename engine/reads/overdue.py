"""Overdue items (逾期): follow-up visits, guidance sessions, deliveries, approvals and chases past their
due date, and risk codes past their review date, each with the agency that owns it.

Supervisors read the whole list for the cases of their district their agency works on; everyone's inbox
shows the counts of their own agency's overdue items. The models chase the long overdue ones by repeating
timers (``engine.models.Chase``, answered by supervisors); this list is what is late right now, the chases
not yet answered among it.
"""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from engine.actor import Actor
from engine.context import GuardLoop
from engine.models import Case, Chase, WorkItem
from engine.reads.access import visible_cases
from engine.reference import OVERDUE_KINDS
from engine.rules.masking import mask_name
from engine.rules.permissions import OVERDUE_REFUSED, may_read_overdue, require
from engine.workflow.catalog import OVERDUE_TASKS
from engine.workflow.clock import clock

KINDS = tuple(OVERDUE_KINDS)   # the tasks' kinds of lateness (OVERDUE_TASKS), then chases, code reviews, other
CODE_REVIEW_OWNER = "womens_federation"   # the coordinating agency re-assesses
_KIND_OF = {spec: kind for kind, specs in OVERDUE_TASKS.items() for spec in specs}


@dataclass(frozen=True)
class OverdueRow:
    kind: str
    owner: str              # agency code
    case_id: int
    case_no: str
    child: str              # masked
    code: str | None
    due: datetime
    days: int
    task_spec: str | None
    task_name: str | None
    task_id: str | None


def kind_of(task_spec: str) -> str:
    return _KIND_OF.get(task_spec, "other")


def overdue_items(gl: GuardLoop, actor: Actor, kind: str | None = None) -> list[OverdueRow]:
    """Everything overdue in the cases the supervisor may see, the longest overdue first."""
    require(may_read_overdue(actor), OVERDUE_REFUSED)
    now = clock.now()
    rows = []
    with gl.reading() as session:
        if kind != "code_review":
            query = (select(WorkItem, Case.case_no, Case.child_name, Case.current_code)
                     .join(Case, Case.id == WorkItem.case_id)
                     .where(WorkItem.due_at < now,
                            visible_cases(actor, WorkItem.case_id, WorkItem.district_id)))
            if kind in OVERDUE_TASKS:
                query = query.where(WorkItem.task_spec.in_(OVERDUE_TASKS[kind]))
            for item, case_no, name, code in session.execute(query.order_by(WorkItem.due_at).limit(2000)):
                if kind == "other" and kind_of(item.task_spec) != "other":
                    continue
                rows.append(OverdueRow(kind_of(item.task_spec), item.lane, item.case_id, case_no, mask_name(name),
                                       code, item.due_at, (now - item.due_at).days, item.task_spec, item.task_name,
                                       item.task_id))
        if kind in (None, "chase"):
            query = (select(Chase, Case.case_no, Case.child_name, Case.current_code).join(Case, Case.id == Chase.case_id)
                     .where(Chase.to_agency == actor.agency, Chase.district_id == actor.district_id,
                            Chase.answered_at.is_(None)))
            for chase, case_no, name, code in session.execute(query.order_by(Chase.first_raised_at).limit(2000)):
                rows.append(OverdueRow("chase", chase.late_agency or chase.to_agency, chase.case_id, case_no,
                                       mask_name(name), code, chase.first_raised_at,
                                       (now - chase.first_raised_at).days, chase.task_spec, None, None))
        if kind in (None, "code_review"):
            for case in session.scalars(_reviews_due(actor, now).order_by(Case.code_review_due).limit(2000)):
                due = datetime.combine(case.code_review_due, datetime.min.time(), tzinfo=clock.now().tzinfo)
                rows.append(OverdueRow("code_review", CODE_REVIEW_OWNER, case.id, case.case_no,
                                       mask_name(case.child_name), case.current_code, due,
                                       (clock.today() - case.code_review_due).days, None, None, None))
    return sorted(rows, key=lambda r: r.due)


def overdue_counts(gl: GuardLoop, actor: Actor) -> dict[str, int]:
    """The actor's own agency's overdue items by kind (the inbox shows these)."""
    now = clock.now()
    counts = dict.fromkeys(KINDS, 0)
    with gl.reading() as session:
        for spec, n in session.execute(
                select(WorkItem.task_spec, func.count(WorkItem.id))
                .where(WorkItem.lane == actor.agency, WorkItem.district_id == actor.district_id, WorkItem.due_at < now)
                .group_by(WorkItem.task_spec)):
            counts[kind_of(spec)] += n
        counts["chase"] = session.scalar(select(func.count(Chase.id)).where(
            Chase.to_agency == actor.agency, Chase.district_id == actor.district_id, Chase.answered_at.is_(None)))
        if actor.agency == CODE_REVIEW_OWNER:
            counts["code_review"] = session.scalar(_reviews_due(actor, now).with_only_columns(func.count(Case.id)))
    return counts


def _reviews_due(actor: Actor, now):
    """Open cases of the actor's district whose risk code is past its review date (复评逾期)."""
    return select(Case).where(visible_cases(actor), Case.status == "open", Case.code_review_due < clock.today())
