"""Notifications (通知): written in the caller's unit of work.

To an agency: shown to the agency's users of the district (of one role, when the notification names it)
until one marks it read. To one person (``user_id``): a task for them or unassigned in their agency, a
returned request, a deadline of their task coming or passed, a case handed to them; only they see it.
The notification centre (``/notifications``) lists them unread first; the header shows the unread count."""
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, func, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from engine.actor import Actor
from engine.auditlog import record as audit
from engine.context import GuardLoop
from engine.errors import NotFound
from engine.infra.db import is_postgres
from engine.models import Case, Notification, WorkItem
from engine.rules.permissions import works_on_cases
from engine.workflow.clock import clock

MAX_SHOWN = 50
DUE_SOON_NOTICE = "task_due_soon"       # a task I hold (or of my agency, unassigned) is due within days
OVERDUE_NOTICE = "task_overdue"         # … and its deadline has passed


@dataclass(frozen=True)
class Shown:
    id: int
    kind: str
    case_id: int | None
    case_no: str | None
    payload: dict
    created_at: datetime
    read_at: datetime | None = None



def _addressed_to(actor: Actor):
    to_agency = and_(Notification.user_id.is_(None), Notification.agency_code == actor.agency,
                     Notification.district_id == actor.district_id,
                     Notification.role.is_(None) | (Notification.role == actor.role))
    return [or_(Notification.user_id == actor.id, to_agency)]


def unread_count(gl: GuardLoop, actor: Actor) -> int:
    """The header's badge."""
    if not works_on_cases(actor):
        return 0
    with gl.reading() as session:
        return session.scalar(select(func.count(Notification.id)).where(*_addressed_to(actor),
                                                                         Notification.read_at.is_(None)))


def listing(gl: GuardLoop, actor: Actor, page: int = 1, per_page: int = 50) -> tuple[list[Shown], int, int]:
    """The notification centre: the actor's notifications, unread first, newest first; (page, pages, unread)."""
    if not works_on_cases(actor):
        return [], 1, 0
    with gl.reading() as session:
        total = session.scalar(select(func.count(Notification.id)).where(*_addressed_to(actor)))
        pages = max(1, -(-total // per_page))
        page = min(max(1, page), pages)
        rows = session.execute(select(Notification, Case.case_no).outerjoin(Case, Case.id == Notification.case_id)
                               .where(*_addressed_to(actor))
                               .order_by(Notification.read_at.is_not(None), Notification.id.desc())
                               .limit(per_page).offset((page - 1) * per_page)).all()
    return [Shown(n.id, n.kind, n.case_id, case_no, n.payload, n.created_at, n.read_at)
            for n, case_no in rows], page, pages


def mark_all_read(gl: GuardLoop, actor: Actor) -> int:
    """Mark every unread notification of the actor read; returns how many."""
    if not works_on_cases(actor):
        return 0
    with gl.transaction() as session:
        ids = session.scalars(select(Notification.id).where(*_addressed_to(actor), Notification.read_at.is_(None))).all()
        if ids:
            session.execute(update(Notification).where(Notification.id.in_(ids), Notification.read_at.is_(None))
                            .values(read_at=clock.now(), read_by=actor.id).execution_options(synchronize_session=False))
            audit.record(session, actor, "read_notifications", "notification", "all", None, None, {"count": len(ids)})
        return len(ids)


def unread(gl: GuardLoop, actor: Actor) -> list[Shown]:
    """The actor's agency's unread notifications, newest first."""
    if not works_on_cases(actor):
        return []
    with gl.reading() as session:
        rows = session.execute(select(Notification, Case.case_no).outerjoin(Case, Case.id == Notification.case_id)
                               .where(*_addressed_to(actor), Notification.read_at.is_(None))
                               .order_by(Notification.id.desc()).limit(MAX_SHOWN)).all()
    return [Shown(n.id, n.kind, n.case_id, case_no, n.payload, n.created_at, n.read_at) for n, case_no in rows]


def mark_read(gl: GuardLoop, actor: Actor, notification_id: int) -> None:
    with gl.transaction() as session:
        note = session.scalars(select(Notification).where(Notification.id == notification_id,
                                                          *_addressed_to(actor))).first()
        if note is None or not works_on_cases(actor):
            raise NotFound("通知不存在。", "No such notification.")
        if note.read_at is None:
            note.read_at, note.read_by = clock.now(), actor.id
            audit.record(session, actor, "read_notification", "notification", note.id, note.case_id)


def notify_deadlines(gl: GuardLoop) -> int:
    """Tell of tasks due within ``deadline_warning_days`` and of tasks past their deadline: the holder, or
    the agency when nobody holds the task. Once per task and threshold (a unique key; a second tick, or
    a tick racing this one, writes nothing). Returns how many notices were written."""
    now = clock.now()
    soon = now + timedelta(days=gl.settings.deadline_warning_days)
    written = 0
    with gl.transaction() as session:
        for kind, limit in ((OVERDUE_NOTICE, now), (DUE_SOON_NOTICE, soon)):
            key = literal(kind + ":") + WorkItem.task_id
            query = select(WorkItem).where(WorkItem.kind == "task", WorkItem.due_at < limit,
                                           ~exists().where(Notification.dedup_key == key))
            if kind == DUE_SOON_NOTICE:
                query = query.where(WorkItem.due_at >= now)   # already late: told as overdue
            rows = session.scalars(query).all()
            notices = [{"district_id": w.district_id, "agency_code": w.lane, "role": None, "kind": kind,
                        "case_id": w.case_id, "user_id": w.assignee_id, "dedup_key": f"{kind}:{w.task_id}",
                        "created_at": now, "payload": {"task": w.task_spec, "task_name": w.task_name,
                                                       "task_id": w.task_id, "due_at": w.due_at.isoformat()}}
                       for w in rows]
            if notices:
                written += _insert_once(session, gl, notices)
    return written


def _insert_once(session, gl: GuardLoop, rows: list[dict]) -> int:
    dialect = postgresql if is_postgres(gl.engine) else sqlite   # both spell "insert, unless the key exists" alike
    result = session.connection().execute(
        dialect.insert(Notification.__table__).on_conflict_do_nothing(index_elements=["dedup_key"]), rows)
    return result.rowcount if (result.rowcount or -1) >= 0 else len(rows)
