"""Read models for lists: inbox, clues, search. Permission-filtered here; personal data masked."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case as sql_case, func, or_, select

from .clock import clock
from .masking import mask_id, mask_name
from .models import Case, District, RiskClue, WorkItem
from .permissions import require_case, require_casework, require_task_rights, visible_case_ids
from .errors import Conflict, NotFound, PermissionDenied
from .rounds import find_task, load_workflow

CODE_ORDER = sql_case({"red": 0, "orange": 1, "yellow": 2, "blue": 3}, value=Case.current_code, else_=4)
STEPS = ("assess", "handle", "guide", "follow_up", "review")


@dataclass(frozen=True)
class InboxRow:
    item_id: int
    task_id: str
    task_spec: str
    task_name: str
    step: str
    lane: str
    due_at: datetime
    overdue: bool
    case_id: int
    case_no: str
    child: str
    code: str | None
    district: str


def inbox(gl, actor, *, step=None, code=None) -> tuple[list[InboxRow], dict[str, int]]:
    """The work items of the actor's agency in their district: overdue first, then due date and code."""
    now = clock.now()
    query = (select(WorkItem, Case.case_no, Case.child_name, Case.current_code, District.code)
             .join(Case, Case.id == WorkItem.case_id).join(District, District.id == WorkItem.district_id)
             .where(WorkItem.lane == actor.agency, WorkItem.district_id == actor.district_id))
    overdue_first = sql_case((WorkItem.due_at < now, 0), else_=1)
    with gl.reading() as session:
        rows = session.execute(query.order_by(overdue_first, WorkItem.due_at, CODE_ORDER).limit(2000)).all()
    # Supervisors oversee all their agency's items; everyone else sees what their role may complete.
    rows = [r for r in rows if actor.role == "supervisor" or actor.role in r[0].roles]
    counts = {s: 0 for s in STEPS}
    for r in rows:
        counts[r[0].step] = counts.get(r[0].step, 0) + 1
    result = [InboxRow(w.id, w.task_id, w.task_spec, w.task_name, w.step, w.lane, w.due_at, w.due_at < now,
                       w.case_id, case_no, mask_name(name), current, district)
              for w, case_no, name, current, district in rows
              if (not step or w.step == step) and (not code or current == code)]
    return result, {s: counts.get(s, 0) for s in STEPS}


def search_cases(gl, actor, text: str) -> list[dict]:
    """By case number, child name or ID number, within the cases the actor may see; results masked."""
    text = (text or "").strip()
    if len(text) < 2:
        return []
    pattern = f"%{text}%"
    with gl.reading() as session:
        rows = session.scalars(select(Case).where(
            Case.id.in_(visible_case_ids(actor)),
            or_(Case.case_no.ilike(pattern), Case.child_name.like(pattern), Case.child_id_number == text.upper()))
            .order_by(Case.case_no).limit(100)).all()
    return [{"id": c.id, "case_no": c.case_no, "child": mask_name(c.child_name), "id_number": mask_id(c.child_id_number),
             "code": c.current_code, "status": c.status} for c in rows]


def clues(gl, actor) -> list[RiskClue]:
    """Clues of the actor's district: all for the agencies that open cases, own ones for the others."""
    from .services.clues import OPENING_AGENCIES
    require_casework(actor)
    with gl.reading() as session:
        query = select(RiskClue).where(RiskClue.district_id == actor.district_id)
        if actor.agency not in OPENING_AGENCIES:
            query = query.where(RiskClue.registering_agency == actor.agency)
        return list(session.scalars(query.order_by(RiskClue.received_at.desc()).limit(300)))


def clue_for_opening(gl, actor, clue_id: int) -> RiskClue:
    from .services.clues import require_opening_rights
    require_opening_rights(actor)
    with gl.reading() as session:
        clue = session.get(RiskClue, clue_id)
        if clue is None:
            raise NotFound("线索不存在。", "No such clue.")
        if clue.district_id != actor.district_id:
            raise PermissionDenied("该线索不属于您的辖区。", "This clue is not in your district.")
        return clue


class TaskAlreadyDone(Conflict):
    """The task was completed by someone else; carries what a 409 page needs to show the form again."""

    def __init__(self, case, spec: str):
        super().__init__("该任务刚被他人办理，请刷新后查看；您填写的内容未丢失。",
                         "Someone completed this task a moment ago; reload to see it. What you typed is kept.")
        self.case, self.spec = case, spec


def task_form(gl, actor, case_id: int, task_id: str) -> dict:
    """What a task form needs: the work item, the case, and the decision variables the model computed."""
    with gl.reading() as session:
        case = require_case(session, actor, case_id)
        item = session.scalars(select(WorkItem).where(WorkItem.case_id == case.id,
                                                      WorkItem.task_id == str(task_id))).first()
        if item is None:
            from .services.tasks import completed_spec
            spec = completed_spec(session, case.id, task_id)
            if spec is not None:
                raise TaskAlreadyDone(case, spec)
            raise NotFound("任务不存在。", "No such task.")
        require_task_rights(actor, item)
        from .models import Round
        rnd = session.get(Round, item.round_id)
        _, workflow = load_workflow(session, gl, rnd)
        task = find_task(workflow, item.task_id)
        return {"case": case, "item": item, "round": rnd, "variables": dict(task.data) if task else {}}
