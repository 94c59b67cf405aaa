"""Notifications (通知) written in the caller's unit of work: a new task, a returned request, a case handed over.
The notification centre (``engine.services.notifications``) reads and marks them."""

from engine.auditlog import record as audit
from engine.models import Notification
from engine.workflow.clock import clock

RETURNED_NOTICE = "request_returned"   # my request came back for correction (退回补正)


def notify(session, *, district_id: int, agency: str, kind: str, case_id=None, role=None, payload=None,
           user_id=None) -> None:
    session.add(Notification(district_id=district_id, agency_code=agency, role=role, kind=kind, case_id=case_id,
                             payload=audit.plain(payload or {}), created_at=clock.now(), user_id=user_id))
