"""Review: re-assessment, the outcome, supervisor approvals and escalation to a joint meeting."""
from sqlalchemy import func, select

from ..codes import set_code
from ..errors import InvalidInput, PermissionDenied
from ..models import Approval, WorkItem
from ..reference import AGENCIES, OUTCOMES, one_level_down
from .. import validate as v
from . import task_handler
from .assess import _assessment, issue_report, latest_assessment
from .guide import current_plan, qualifying_sessions, visits_in_round
from .handle import issue_approved_order


def record_reassessed_code(ctx):
    decided = ctx.runtime.latest_data(ctx.workflow, "check_downgrade")
    row = latest_assessment(ctx, "reassessment")
    row.decided_code = decided["assessed_code"]
    ctx.record.update(reassessed_code=decided["assessed_code"], recommendation=decided["recommendation"])
    issue_report(ctx, decided["assessed_code"])


@task_handler("reassess", after=record_reassessed_code)
def reassess(ctx):
    variables = _assessment(ctx, "reassessment")
    plan = current_plan(ctx.session, ctx.round.id)
    plan_met = plan is not None and qualifying_sessions(ctx.session, ctx.round.id) >= plan.sessions_required
    open_chases = ctx.session.scalar(select(func.count(WorkItem.id)).where(
        WorkItem.round_id == ctx.round.id, WorkItem.task_spec == "chase_overdue_visit")) or 0
    required = ctx.task.data.get("visits_required", 0)
    on_schedule = visits_in_round(ctx.session, ctx.round.id) >= required and open_chases == 0
    ctx.record.update(plan_met=plan_met, visits_on_schedule=on_schedule)
    return {**variables, "round_code": ctx.round.risk_code, "plan_met": plan_met,
            "visits_on_schedule": on_schedule}


# The outcomes a supervisor must approve, and the kind of approval each asks for.
APPROVAL_OF_OUTCOME = {"downgrade": "downgrade", "close": "closure", "escalate": "escalation"}


def pending_approval(ctx, kind: str, subject: str | None = None) -> Approval | None:
    query = select(Approval).where(Approval.round_id == ctx.round.id, Approval.kind == kind,
                                   Approval.status == "pending")
    if subject is not None:
        query = query.where(Approval.subject == subject)
    return ctx.session.scalars(query.order_by(Approval.id.desc())).first()


@task_handler("decide_outcome")
def decide_outcome(ctx):
    outcome = v.choice(ctx.data, "outcome", OUTCOMES)
    reason = v.text(ctx.data, "reason", max_len=3000)
    recommendation = ctx.task.data.get("recommendation")
    code = ctx.case.current_code
    if outcome == "downgrade" and recommendation != "downgrade":
        raise InvalidInput("outcome", "复评结果不支持降级：需证据完整且风险下降。",
                           "The re-assessment does not support a downgrade (evidence complete and risk lower).")
    if outcome == "close" and recommendation != "close":
        raise InvalidInput("outcome", "仅蓝码且证据完整、复评稳定的个案可申请结案。",
                           "Only a blue, stable case with complete evidence may request closure.")
    if outcome in APPROVAL_OF_OUTCOME:
        kind = APPROVAL_OF_OUTCOME[outcome]
        to_code = one_level_down(code) if kind == "downgrade" else code
        approval = Approval(case_id=ctx.case.id, round_id=ctx.round.id, kind=kind, status="pending",
                            from_code=code, to_code=to_code, request_reason=reason,
                            requested_by=ctx.actor.id, requested_at=ctx.now)
        ctx.session.add(approval)
        ctx.session.flush()
        ctx.record["approval_id"] = approval.id
    ctx.record.update(outcome=outcome, reason=reason, recommendation=recommendation)
    return {"outcome": outcome}


def _decide_approval(ctx, kind: str, subject: str | None = None) -> tuple[Approval, bool]:
    """Approve or return (退回补正, with a reason the requester will see) the pending request; nobody decides
    their own request."""
    approval = pending_approval(ctx, kind, subject)
    if approval is None:
        raise InvalidInput("decision", "没有待审批的申请。", "There is no pending request.")
    if approval.requested_by == ctx.actor.id:
        raise PermissionDenied("不能审批本人提出的申请。", "You cannot approve your own request.")
    decision = v.choice(ctx.data, "decision", ("approved", "returned"))
    reason = v.text(ctx.data, "reason", required=decision == "returned", max_len=3000)
    approval.status, approval.decided_by, approval.decided_at = decision, ctx.actor.id, ctx.now
    approval.decision_reason = reason
    ctx.record.update(approval_id=approval.id, decision=decision, reason=reason)
    return approval, decision == "approved"


@task_handler("approve_downgrade")
def approve_downgrade(ctx):
    """风险等级降级处置: one level down, only with a supervisor's approval on record."""
    approval, approved = _decide_approval(ctx, "downgrade")
    if approved:
        set_code(ctx.session, ctx.runtime, ctx.actor, ctx.case, ctx.round.id, "downgrade", approval.to_code,
                 approval.request_reason, ctx.now, approval=approval)
    return {"approved": approved}


@task_handler("approve_closure")
def approve_closure(ctx):
    _, approved = _decide_approval(ctx, "closure")
    return {"approved": approved}


@task_handler("approve_escalation")
def approve_escalation(ctx):
    """提请多跨协同: the supervisor agrees that the case goes to a joint meeting."""
    _, approved = _decide_approval(ctx, "escalation")
    return {"approved": approved}


# approval task -> (document type, the variable its gateway reads)
ORDER_APPROVALS = {
    "approve_procuratorate_order": ("supervision_order", "procuratorate_order_approved"),
    "approve_rigid_procuratorate_order": ("supervision_order", "rigid_procuratorate_order_approved"),
    "approve_court_order": ("guidance_order", "court_order_approved"),
    "approve_rigid_court_order": ("guidance_order", "rigid_court_order_approved"),
}


@task_handler(*ORDER_APPROVALS)
def approve_order(ctx):
    """审批签发: the head of department approves the drafted order, which is then numbered and issued, or
    returns it to the drafting officer with the reason."""
    doc_type, variable = ORDER_APPROVALS[ctx.item.task_spec]
    approval, approved = _decide_approval(ctx, "order", doc_type)
    if approved:
        issue_approved_order(ctx, approval)
    return {variable: approved}


@task_handler("joint_meeting")
def joint_meeting(ctx):
    """多跨协同: the joint meeting of police, procuratorate and court decides rigid measures."""
    decisions = {k: v.boolean(ctx.data, k)
                 for k in ("rigid_court_order", "rigid_procuratorate_order", "temporary_guardianship")}
    ctx.record.update(decisions, held_on=v.day(ctx.data, "held_on"),
                      attendees=v.choices(ctx.data, "attendees", AGENCIES, at_least=2),
                      minutes=v.text(ctx.data, "minutes", max_len=5000))
    return decisions


@task_handler("arrange_temporary_guardianship")
def arrange_temporary_guardianship(ctx):
    """临时监护 by civil affairs (未成年人保护法 art. 92)."""
    ctx.record.update(started_on=v.day(ctx.data, "started_on"),
                      placement=v.text(ctx.data, "placement", max_len=2000))
    return {}
