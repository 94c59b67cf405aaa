"""Approvals (审批): the queue of requests waiting for a supervisor, deciding one, and what a requester sees
when their request comes back (退回补正).

Every approval is a user task in the models' supervisor lane; deciding one completes that task through
``complete_task``, so the same permission checks, optimistic locking and audit apply. The rules (nobody
decides their own request; no downgrade or closure without an approval on record) live in the handlers
(``engine.handlers.review``), in ``engine.codes`` and in ``close_case``.
"""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ..errors import Conflict, NotFound, PermissionDenied
from ..masking import mask_name
from ..models import Approval, Case, User, WorkItem
from .tasks import complete_task

# approval task -> (approval kind, subject)
APPROVAL_TASKS = {
    "approve_downgrade": ("downgrade", None),
    "approve_closure": ("closure", None),
    "approve_escalation": ("escalation", None),
    "approve_procuratorate_order": ("order", "supervision_order"),
    "approve_rigid_procuratorate_order": ("order", "supervision_order"),
    "approve_court_order": ("order", "guidance_order"),
    "approve_rigid_court_order": ("order", "guidance_order"),
}
# the task a returned request goes back to -> the approval kinds (and subject) it may come back from
RETURNS_TO = {
    "decide_outcome": (("downgrade", "closure", "escalation"), None),
    "issue_procuratorate_order": (("order",), "supervision_order"),
    "issue_rigid_procuratorate_order": (("order",), "supervision_order"),
    "issue_court_order": (("order",), "guidance_order"),
    "issue_rigid_court_order": (("order",), "guidance_order"),
}


@dataclass(frozen=True)
class QueueRow:
    approval_id: int
    kind: str
    subject: str | None
    case_id: int
    case_no: str
    child: str
    code: str | None
    from_code: str | None
    to_code: str | None
    reason: str
    requested_by: str
    requested_at: datetime
    task_id: str
    task_spec: str
    due_at: datetime
    case_version: int


def approval_queue(gl, actor) -> list[QueueRow]:
    """The requests the actor's agency decides in their district, oldest due first (supervisors only)."""
    if actor.role != "supervisor":
        raise PermissionDenied("仅督导可以审批。", "Only supervisors decide approvals.")
    with gl.reading() as session:
        items = session.execute(
            select(WorkItem, Case).join(Case, Case.id == WorkItem.case_id)
            .where(WorkItem.lane == actor.agency, WorkItem.district_id == actor.district_id,
                   WorkItem.task_spec.in_(APPROVAL_TASKS))
            .order_by(WorkItem.due_at)).all()
        pending = {}
        if items:
            for approval in session.scalars(select(Approval).where(
                    Approval.round_id.in_({w.round_id for w, _ in items}), Approval.status == "pending")):
                pending[(approval.round_id, approval.kind, approval.subject)] = approval
        names = dict(session.execute(select(User.id, User.display_name)).all())
    rows = []
    for item, case in items:
        kind, subject = APPROVAL_TASKS[item.task_spec]
        approval = pending.get((item.round_id, kind, subject))
        if approval is None:
            continue
        rows.append(QueueRow(approval.id, kind, subject, case.id, case.case_no, mask_name(case.child_name),
                             case.current_code, approval.from_code, approval.to_code, approval.request_reason,
                             names.get(approval.requested_by, ""), approval.requested_at, item.task_id,
                             item.task_spec, item.due_at, case.version))
    return rows


def decide_approval(gl, actor, approval_id: int, decision: str, reason: str, expected_version: int) -> dict:
    """Approve or return one pending request: completes its approval task as ``actor``."""
    with gl.reading() as session:
        approval = session.get(Approval, approval_id)
        if approval is None:
            raise NotFound("审批申请不存在。", "No such request.")
        if approval.status != "pending":
            raise Conflict("该申请已被审批，请刷新后查看。", "This request was decided already; reload to see it.")
        specs = [s for s, (k, subj) in APPROVAL_TASKS.items() if k == approval.kind and subj == approval.subject]
        item = session.scalars(select(WorkItem).where(WorkItem.round_id == approval.round_id,
                                                      WorkItem.task_spec.in_(specs))).first()
    if item is None:
        raise Conflict("该申请当前没有待办的审批任务。", "This request has no open approval task now.")
    return complete_task(gl, actor, approval.case_id, item.task_id, {"decision": decision, "reason": reason},
                         expected_version)


def returned_request(session, item: WorkItem) -> Approval | None:
    """The request that came back to this task (退回补正), with the supervisor's reason, if it did."""
    if item.task_spec not in RETURNS_TO:
        return None
    kinds, subject = RETURNS_TO[item.task_spec]
    query = select(Approval).where(Approval.round_id == item.round_id, Approval.kind.in_(kinds),
                                   Approval.decided_at.is_not(None))
    if subject is not None:
        query = query.where(Approval.subject == subject)
    latest = session.scalars(query.order_by(Approval.decided_at.desc(), Approval.id.desc())).first()
    if latest is None or latest.status != "returned" or latest.decided_at > item.ready_at:
        return None
    return latest


def pending_order_draft(session, round_id: int, doc_type: str) -> Approval | None:
    """The drafted order waiting for approval (its payload is the draft a supervisor reads)."""
    return session.scalars(select(Approval).where(
        Approval.round_id == round_id, Approval.kind == "order", Approval.subject == doc_type,
        Approval.status == "pending").order_by(Approval.id.desc())).first()
