"""Read models for lists: inbox, clues, search. Permission-filtered here; personal data masked."""
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import case as sql_case, func, or_, select
from sqlalchemy.orm import aliased

from engine.actor import Actor
from engine.context import GuardLoop
from engine.errors import InvalidInput
from engine.models import Case, District, RiskClue, User, WorkItem
from engine.reads.access import visible_cases, visible_clues
from engine.reference import CLUE_SOURCES, CLUE_STATUSES, STEPS
from engine.rules import validate as v
from engine.rules.idcard import normalise_id
from engine.rules.masking import mask_id, mask_name
from engine.rules.permissions import require_casework
from engine.workflow.clock import CHINA_TZ, clock
from engine.workflow.subjects import subjects


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
    about: tuple[str, str] | None = None   # the measure or order the task is about, (Chinese, English)
    kind: str = "task"
    assignee_id: int | None = None
    assignee: str | None = None            # the holder's name


@dataclass(frozen=True)
class InboxPage:
    rows: list
    counts: dict          # step -> open items of the actor's (whatever the filters)
    total: int            # items matching the filters
    page: int
    pages: int
    held: dict = None     # "mine" / "unassigned" / "others" -> open items of the actor's


HOLDERS = ("mine", "unassigned", "others")


def inbox(gl: GuardLoop, actor: Actor, *, step=None, code=None, held=None, page: int = 1,
          per_page: int = 50) -> InboxPage:
    """The work items of the actor's agency in their district that their role may complete (supervisors:
    all of their agency's), due first: overdue items come first because they are due earliest.

    The page is read along the ``(lane, district_id, due_at)`` index and only its rows are joined to their
    cases, so it costs about the same at any size; the counts are one aggregate over the same index.

    ``held``: "mine" (assigned to the actor), "unassigned" (tasks nobody holds, and the waiting items) or
    "others" (held by colleagues: shown, not theirs to complete)."""
    now = clock.now()
    holder = sql_case((WorkItem.assignee_id == actor.id, "mine"), (WorkItem.assignee_id.is_(None), "unassigned"),
                      else_="others")
    with gl.reading() as session:
        mine = [WorkItem.lane == actor.agency, WorkItem.district_id == actor.district_id]
        if actor.role != "supervisor":
            runtime = gl.runtime(session, gl.current_version(session))
            mine.append(WorkItem.task_spec.in_(runtime.specs_for(actor.agency, actor.role)))
        counts, by_holder = {}, dict.fromkeys(HOLDERS, 0)
        for s_, h, n in session.execute(select(WorkItem.step, holder, func.count(WorkItem.id)).where(*mine)
                                        .group_by(WorkItem.step, holder)).all():
            counts[s_] = counts.get(s_, 0) + n
            by_holder[h] += n
        items = select(WorkItem).where(*mine)
        if held:
            items = items.where(holder == held)
        if step:
            items = items.where(WorkItem.step == step)
        if code:
            items = items.join(Case, Case.id == WorkItem.case_id).where(Case.current_code == code)
        total = (session.scalar(select(func.count()).select_from(items.subquery())) if (step or code)
                 else by_holder[held] if held else sum(counts.values()))
        pages = max(1, -(-total // per_page))
        page = min(max(1, page), pages)
        chosen = (items.order_by(WorkItem.due_at, WorkItem.id).limit(per_page).offset((page - 1) * per_page)
                  .subquery())
        item = aliased(WorkItem, chosen)
        rows = session.execute(
            select(item, Case.case_no, Case.child_name, Case.current_code, District.code, User.display_name)
            .join(Case, Case.id == item.case_id).join(District, District.id == item.district_id)
            .outerjoin(User, User.id == item.assignee_id)
            .order_by(item.due_at, item.id)).all()
        about = subjects(session, [w for w, *_ in rows])
    result = [InboxRow(w.id, w.task_id, w.task_spec, w.task_name, w.step, w.lane, w.due_at, w.due_at < now,
                       w.case_id, case_no, mask_name(name), current, district, about.get(w.subject or ""),
                       w.kind, w.assignee_id, assignee)
              for w, case_no, name, current, district, assignee in rows]
    return InboxPage(result, {s: counts.get(s, 0) for s in STEPS}, total, page, pages, by_holder)


def search_cases(gl: GuardLoop, actor: Actor, text: str) -> list[dict]:
    """By case number, child name or ID number, within the cases the actor may see; results masked."""
    text = (text or "").strip()
    if len(text) < 2:
        return []
    pattern = f"%{text}%"
    with gl.reading() as session:
        rows = session.scalars(select(Case).where(
            visible_cases(actor),
            or_(Case.case_no.ilike(pattern), Case.child_name.like(pattern), Case.child_id_number == text.upper()))
            .order_by(Case.case_no).limit(100)).all()
    return [{"id": c.id, "case_no": c.case_no, "child": mask_name(c.child_name), "id_number": mask_id(c.child_id_number),
             "code": c.current_code, "status": c.status} for c in rows]


def clues(gl: GuardLoop, actor: Actor, filters: dict | None = None) -> list[RiskClue]:
    """The clues of the actor's district the actor may see (``permissions.can_see_clue``), newest first,
    narrowed by ``filters`` (``clue_filters``): status, source, received from/to, and the child's name
    (a part of it) or ID number (whole), matched only among the clues the actor may see."""
    require_casework(actor)
    f = clue_filters(filters or {})
    query = select(RiskClue).where(visible_clues(actor, RiskClue))
    if f["status"]:
        query = query.where(RiskClue.status == f["status"])
    if f["source"]:
        query = query.where(RiskClue.source == f["source"])
    if f["from"]:
        query = query.where(RiskClue.received_at >= datetime.combine(f["from"], time(0), CHINA_TZ))
    if f["to"]:
        query = query.where(RiskClue.received_at < datetime.combine(f["to"] + timedelta(days=1), time(0), CHINA_TZ))
    if f["q"]:
        number = normalise_id(f["q"])
        query = query.where(or_(RiskClue.clue_no == f["q"].upper(),
                                RiskClue.child["name"].as_string().contains(f["q"], autoescape=True),
                                RiskClue.child["id_number"].as_string() == number))
    with gl.reading() as session:
        return list(session.scalars(query.order_by(RiskClue.received_at.desc()).limit(300)))


def clue_filters(data: dict) -> dict:
    """The clue list's filters from a query string, checked (``InvalidInput`` names the bad one)."""
    status = (data.get("status") or "").strip()
    source = (data.get("source") or "").strip()
    if status and status not in CLUE_STATUSES:
        raise InvalidInput("status", "状态无效。", "Unknown status.")
    if source and source not in CLUE_SOURCES:
        raise InvalidInput("source", "来源无效。", "Unknown source.")
    start = v.day(data, "from", required=False, not_future=False)
    end = v.day(data, "to", required=False, not_future=False)
    if start and end and end < start:
        raise InvalidInput("to", "结束日期不能早于开始日期。", "The end date is before the start date.")
    q = v.text(data, "q", required=False, max_len=40) or ""
    if q and len(q) < 2:
        raise InvalidInput("q", "请至少输入两个字。", "Enter at least two characters.")
    return {"status": status, "source": source, "from": start, "to": end, "q": q}
