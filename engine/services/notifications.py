"""Notifications to an agency (通知): written in the caller's unit of work, shown in the inbox of the
agency's users of the district (of one role, when the notification names it) until one marks it read."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from .. import audit
from ..clock import clock
from ..errors import NotFound
from ..models import Case, Notification
from ..permissions import works_on_cases

MAX_SHOWN = 50


@dataclass(frozen=True)
class Shown:
    id: int
    kind: str
    case_id: int | None
    case_no: str | None
    payload: dict
    created_at: datetime


def notify(session, *, district_id: int, agency: str, kind: str, case_id=None, role=None, payload=None) -> None:
    session.add(Notification(district_id=district_id, agency_code=agency, role=role, kind=kind, case_id=case_id,
                             payload=audit.plain(payload or {}), created_at=clock.now()))


def _addressed_to(actor):
    return [Notification.agency_code == actor.agency, Notification.district_id == actor.district_id,
            Notification.role.is_(None) | (Notification.role == actor.role)]


def unread(gl, actor) -> list[Shown]:
    """The actor's agency's unread notifications, newest first."""
    if not works_on_cases(actor):
        return []
    with gl.reading() as session:
        rows = session.execute(select(Notification, Case.case_no).outerjoin(Case, Case.id == Notification.case_id)
                               .where(*_addressed_to(actor), Notification.read_at.is_(None))
                               .order_by(Notification.id.desc()).limit(MAX_SHOWN)).all()
    return [Shown(n.id, n.kind, n.case_id, case_no, n.payload, n.created_at) for n, case_no in rows]


def mark_read(gl, actor, notification_id: int) -> None:
    with gl.transaction() as session:
        note = session.scalars(select(Notification).where(Notification.id == notification_id,
                                                          *_addressed_to(actor))).first()
        if note is None or not works_on_cases(actor):
            raise NotFound("通知不存在。", "No such notification.")
        if note.read_at is None:
            note.read_at, note.read_by = clock.now(), actor.id
            audit.record(session, actor, "read_notification", "notification", note.id, note.case_id)
