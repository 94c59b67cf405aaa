"""Approvals (审批): the queue of requests waiting for a supervisor, deciding one, and what a requester sees
when their request comes back (退回补正).

Every approval is a user task in the deciding agency's lane for its supervisors; deciding one completes that task through
``complete_task``, so the same permission checks, optimistic locking and audit apply. The rules (nobody
decides their own request; no downgrade or closure without an approval on record) live in the handlers
(``engine.tasks.reassessment``), in ``engine.rules.codes`` (``engine.workflow.risk_codes``) and in ``close_case``.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from engine.actor import Actor
from engine.context import GuardLoop
from engine.errors import Conflict, InvalidInput, NotFound
from engine.models import Approval, AuditEntry, AuditStaged, Case, User, WorkItem
from engine.rules.masking import mask_name
from engine.rules.permissions import APPROVING_REFUSED, may_decide_approvals, require
from engine.services.documents import CORRECTION_DUE_DAYS, decide_correction, pending_corrections
from engine.services.tasks import complete_task
from engine.workflow.catalog import APPROVAL_TASKS, DRAFT_APPROVALS, Task
from engine.workflow.subjects import referral_of_item


def _approval_of(pending: dict, item: WorkItem):
    kind = APPROVAL_TASKS[item.task_spec]
    if kind == "order":
        return pending.get(("order", referral_of_item(item)))
    return pending.get((kind, item.round_id))


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


def approval_queue(gl: GuardLoop, actor: Actor) -> list[QueueRow]:
    """The requests the actor's agency decides in their district, oldest due first (supervisors only)."""
    require(may_decide_approvals(actor), APPROVING_REFUSED)
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
                key = ("order", approval.referral_id) if approval.kind == "order" else (approval.kind, approval.round_id)
                pending[key] = approval
        names = dict(session.execute(select(User.id, User.display_name).where(
            User.id.in_({a.requested_by for a in pending.values()}))).all()) if pending else {}
    rows = []
    for item, case in items:
        approval = _approval_of(pending, item)
        if approval is None:
            continue
        rows.append(QueueRow(approval.id, approval.kind, approval.subject, case.id, case.case_no,
                             mask_name(case.child_name),
                             case.current_code, approval.from_code, approval.to_code, approval.request_reason,
                             names.get(approval.requested_by, ""), approval.requested_at, item.task_id,
                             item.task_spec, item.due_at, case.version))
    rows.extend(_correction_rows(gl, actor))
    return sorted(rows, key=lambda r: r.due_at)


def _correction_rows(gl: GuardLoop, actor: Actor) -> list[QueueRow]:
    """Corrections of issued documents (更正) wait for the issuing agency's head of department too; they
    are outside the round's workflow, so they have no task."""
    with gl.reading() as session:
        pending = pending_corrections(session, actor)
        names = dict(session.execute(select(User.id, User.display_name).where(
            User.id.in_({a.requested_by for a, _ in pending}))).all()) if pending else {}
    return [QueueRow(a.id, a.kind, a.subject, c.id, c.case_no, mask_name(c.child_name), c.current_code, None, None,
                     a.request_reason, names.get(a.requested_by, ""), a.requested_at, "", "correction",
                     a.requested_at + timedelta(days=CORRECTION_DUE_DAYS), c.version) for a, c in pending]


def decide_approval(gl: GuardLoop, actor: Actor, approval_id: int, decision: str, reason: str,
                    expected_version: int) -> dict:
    """Approve, return or refuse one pending request: completes its approval task as ``actor``."""
    with gl.reading() as session:
        approval = session.get(Approval, approval_id)
        if approval is None:
            raise NotFound("审批申请不存在。", "No such request.")
        if approval.status != "pending":
            raise Conflict("该申请已被审批，请刷新后查看。", "This request was decided already; reload to see it.")
        specs = [s for s, k in APPROVAL_TASKS.items() if k == approval.kind]
        query = select(WorkItem).where(WorkItem.round_id == approval.round_id, WorkItem.task_spec.in_(specs))
        if approval.kind == "order":
            query = query.where(WorkItem.subject == f"referral:{approval.referral_id}")
        item = session.scalars(query).first() if specs else None
    if approval.kind == "correction":  # outside the workflow: no task to complete
        return decide_correction(gl, actor, approval_id, decision, reason, expected_version)
    if item is None:
        raise Conflict("该申请当前没有待办的审批任务。", "This request has no open approval task now.")
    return complete_task(gl, actor, approval.case_id, item.task_id, {"decision": decision, "reason": reason},
                         expected_version)



def draft_previewed(session, actor: Actor, case_id: int, task_id: str) -> bool:
    """Whether ``actor`` opened the preview of this approval task's draft (the audit trail's ``preview_draft``)."""
    return any(session.scalar(select(model.id).where(
        model.case_id == case_id, model.user_id == actor.id, model.action == "preview_draft",
        model.entity == "task", model.entity_id == str(task_id)).limit(1)) for model in (AuditEntry, AuditStaged))


def require_draft_previewed(gl: GuardLoop, actor: Actor, case_id: int, task_id: str) -> None:
    """An order is approved by someone who read its draft: the approval pages refuse "approved" until the
    approver opened the draft's preview of this task."""
    with gl.reading() as session:
        _require_previewed(session, actor, case_id, task_id)


def previewed_before_approval(session, actor, case_id: int, task_id: str, spec: str, values: dict) -> None:
    """The same rule as a ``check`` of ``complete_task`` (the task page's), in the completion's unit of work."""
    if spec in DRAFT_APPROVALS and values.get("decision") == "approved":
        _require_previewed(session, actor, case_id, task_id)


def _require_previewed(session, actor, case_id: int, task_id: str) -> None:
    if not draft_previewed(session, actor, case_id, task_id):
        raise InvalidInput("decision", "批准前请先预览文书草稿（点击“预览草稿”）。",
                           "Preview the draft (the “Preview the draft” button) before approving it.")


def approval_task_of(gl: GuardLoop, approval_id: int):
    """(kind, case id, task id) of a pending approval's open task, or None."""
    with gl.reading() as session:
        approval = session.get(Approval, approval_id)
        if approval is None or approval.kind != "order":
            return None
        task_id = session.scalar(select(WorkItem.task_id).where(
            WorkItem.round_id == approval.round_id, WorkItem.task_spec == Task.APPROVE_ORDER,
            WorkItem.subject == f"referral:{approval.referral_id}"))
        return (approval.kind, approval.case_id, task_id) if task_id else None
