"""The case list (个案列表): saved views of the cases a user may see, sortable and paginated.

Views: ``mine`` (cases the user owns for their agency, or where they completed a task or hold one), ``agency`` (the open cases of the
user's agency), ``overdue`` (open cases with work past its due time). Supervisors may narrow any view by
risk code, step, family type and status. Who sees which case is ``permissions.visible_cases``, the rule of
the inbox, search and exports; the rows show what the inbox shows of a child (the masked name), no more,
so, like the inbox and search, a listing is not an access entry (the case page it links to is).

Every view reads one district (the user's: no role that works on cases spans districts) along an index:
``(district_id, status, updated_at | opened_at)`` for the order, ``(district_id, due_at)`` of the work items
for overdue, ``(district_id, step, case_id)`` for a step, ``(user_id, case_id)`` of the owners, ``(completed_by, case_id)``
and ``(assignee_id, case_id)`` for "mine"; only the page's rows are then read in full.
"""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import String, cast, func, select, union

from engine.actor import Actor
from engine.context import GuardLoop
from engine.errors import InvalidInput
from engine.models import Case, CaseOwner, TaskRecord, WorkItem
from engine.reads.access import visible_cases
from engine.reference import CODES, FAMILY_TYPES, STEPS
from engine.rules.masking import mask_name
from engine.rules.permissions import FILTERING_REFUSED, may_filter_cases as can_filter, require, require_casework
from engine.workflow.clock import clock

VIEWS = ("mine", "agency", "overdue")
SORTS = {"updated": Case.updated_at, "opened": Case.opened_at, "case_no": Case.case_no}
STATUSES = ("open", "closed", "all")
PER_PAGE = 50
MAX_PAGE = 10_000


@dataclass(frozen=True)
class CaseRow:
    id: int
    case_no: str
    child: str                  # masked, as in the inbox
    code: str | None
    status: str
    opened_at: datetime
    updated_at: datetime
    steps: tuple                # the steps with open work
    next_due: datetime | None
    overdue: bool


@dataclass(frozen=True)
class CaseListPage:
    rows: list
    total: int
    page: int
    pages: int
    view: str
    sort: str
    descending: bool
    filters: dict


def read_query(args) -> dict:
    """The list's parameters from a query string (strings) checked against what exists; ``InvalidInput``
    names the first that is not."""
    def pick(name, options, default):
        value = (args.get(name) or default)
        if value not in options:
            raise InvalidInput(name, "无效的筛选条件。", "Not a valid choice for this list.")
        return value
    try:
        page = int(args.get("page") or 1)
    except (TypeError, ValueError):
        raise InvalidInput("page", "页码无效。", "Not a valid page number.") from None
    if not 1 <= page <= MAX_PAGE:
        raise InvalidInput("page", "页码无效。", "Not a valid page number.")
    return {"view": pick("view", VIEWS, "agency"), "sort": pick("sort", SORTS, "updated"),
            "descending": pick("dir", ("asc", "desc"), "desc") == "desc",
            "status": pick("status", STATUSES, "open"), "code": pick("code", ("", *CODES), "") or None,
            "step": pick("step", ("", *STEPS), "") or None,
            "family_type": pick("family_type", ("", *FAMILY_TYPES), "") or None, "page": page}


def list_cases(gl: GuardLoop, actor: Actor, *, view="agency", sort="updated", descending=True, status="open", code=None,
               step=None, family_type=None, page=1, per_page=PER_PAGE) -> CaseListPage:
    require_casework(actor)
    if view not in VIEWS or sort not in SORTS or status not in STATUSES:
        raise InvalidInput("view", "无效的筛选条件。", "Not a valid choice for this list.")
    require(not (code or step or family_type) or can_filter(actor), FILTERING_REFUSED)
    now = clock.now()
    conditions = [visible_cases(actor)]          # the actor's district, and their agency on the case
    if status != "all":
        conditions.append(Case.status == status)
    if view == "mine":
        conditions.append(Case.id.in_(union(
            select(TaskRecord.case_id).where(TaskRecord.completed_by == actor.id),
            select(WorkItem.case_id).where(WorkItem.assignee_id == actor.id),
            select(CaseOwner.case_id).where(CaseOwner.user_id == actor.id))))
    elif view == "overdue":
        conditions.append(Case.id.in_(select(WorkItem.case_id).where(
            WorkItem.district_id == actor.district_id, WorkItem.due_at < now)))
    if code:
        conditions.append(Case.current_code == code)
    if step:
        conditions.append(Case.id.in_(select(WorkItem.case_id).where(
            WorkItem.district_id == actor.district_id, WorkItem.step == step)))
    if family_type:
        # a JSON list of codes: the code in quotes is one of its elements (codes are plain words)
        conditions.append(cast(Case.family_types, String).like(f'%"{family_type}"%'))
    with gl.reading() as session:
        total = session.scalar(select(func.count(Case.id)).where(*conditions))
        pages = max(1, -(-total // per_page))
        page = min(max(1, page), pages)
        column = SORTS[sort]
        order = (column.desc(), Case.id.desc()) if descending else (column.asc(), Case.id.asc())
        cases = session.execute(select(Case.id, Case.case_no, Case.child_name, Case.current_code, Case.status,
                                       Case.opened_at, Case.updated_at).where(*conditions).order_by(*order)
                                .limit(per_page).offset((page - 1) * per_page)).all()
        work = {}
        if cases:
            for case_id, item_step, due in session.execute(
                    select(WorkItem.case_id, WorkItem.step, WorkItem.due_at)
                    .where(WorkItem.case_id.in_([c.id for c in cases]))):
                steps, first = work.get(case_id, (set(), None))
                steps.add(item_step)
                work[case_id] = (steps, due if first is None or due < first else first)
    rows = []
    for c in cases:
        steps, due = work.get(c.id, (set(), None))
        rows.append(CaseRow(c.id, c.case_no, mask_name(c.child_name), c.current_code, c.status, c.opened_at,
                            c.updated_at, tuple(s for s in STEPS if s in steps), due,
                            due is not None and due < now and c.status == "open"))
    return CaseListPage(rows, total, page, pages, view, sort, descending,
                        {"status": status, "code": code, "step": step, "family_type": family_type})
