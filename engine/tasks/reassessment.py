"""Review (复评): re-assessment with the round's evidence, the outcome the tables allow, and a supervisor's
approval of a downgrade, closure or escalation."""
from sqlalchemy import func, select

from engine.errors import InvalidInput
from engine.models import Approval, Chase, ComplianceCheck, DocumentRecord, FollowupVisit, OrderSupervision
from engine.models.records import pending_approval
from engine.reference import NUMBERED_DOCUMENTS, OUTCOMES
from engine.rules import validate as v
from engine.tasks.assess import _assessment, issue_report, latest_assessment
from engine.tasks.guide import current_plan, qualifying_sessions
from engine.tasks.orders import decide_approval
from engine.tasks.registry import task_handler
from engine.workflow.catalog import Task
from engine.workflow.risk_codes import set_code


def visits_in_round(session, round_id: int) -> int:
    return session.scalar(select(func.count(FollowupVisit.id)).where(FollowupVisit.round_id == round_id)) or 0


def round_evidence(ctx) -> dict:
    """What the round left: guidance to plan, visits on schedule, every chase answered, every served document
    delivered; orders not complied with and escalation asked for by an issuer."""
    session, round_id = ctx.session, ctx.round.id
    plan = current_plan(session, round_id)
    guided = ctx.round.risk_code == "watch" or (
        plan is not None and qualifying_sessions(session, round_id) >= plan.sessions_required)
    visits = visits_in_round(session, round_id) >= int(ctx.task.data.get("visits_required") or 0)
    unanswered = session.scalar(select(func.count(Chase.id)).where(Chase.round_id == round_id,
                                                                   Chase.answered_at.is_(None))) or 0
    undelivered = session.scalar(select(func.count(DocumentRecord.id)).where(
        DocumentRecord.round_id == round_id, DocumentRecord.doc_type.in_(NUMBERED_DOCUMENTS),
        DocumentRecord.status == "issued", DocumentRecord.delivered_on.is_(None))) or 0
    checks = session.scalars(select(ComplianceCheck).join(
        OrderSupervision, OrderSupervision.document_id == ComplianceCheck.document_id).where(
        OrderSupervision.case_id == ctx.case.id, OrderSupervision.status == "in_force")
        .order_by(ComplianceCheck.id)).all()
    latest = {}
    for check in checks:
        latest[check.document_id] = check
    breached = any(check.result == "not_complied" for check in latest.values())
    escalation = any(check.consequence == "escalate" and check.round_id == round_id for check in checks)
    return {"plan_met": guided, "visits_on_schedule": visits, "chases_answered": unanswered == 0,
            "documents_delivered": undelivered == 0, "orders_breached": breached,
            "escalation_requested": escalation}


def record_reassessed_code(ctx):
    decided = ctx.runtime.latest_data(ctx.workflow, "check_downgrade")
    row = latest_assessment(ctx, "reassessment")
    row.decided_code = decided["assessed_code"]
    ctx.record.update(reassessed_code=decided["assessed_code"], recommendation=decided["recommendation"])
    issue_report(ctx, decided["assessed_code"])


@task_handler(Task.REASSESS, after=record_reassessed_code)
def reassess(ctx):
    inputs = _assessment(ctx, "reassessment")
    evidence = round_evidence(ctx)
    complete = all(evidence[k] for k in ("plan_met", "visits_on_schedule", "chases_answered", "documents_delivered"))
    ctx.record.update(evidence, evidence_complete=complete)
    return {**inputs, "round_code": ctx.round.risk_code, "evidence_complete": complete,
            "orders_breached": evidence["orders_breached"], "escalation_requested": evidence["escalation_requested"]}


# The outcomes a supervisor must approve, and the kind of approval each asks for.
APPROVAL_OF_OUTCOME = {"downgrade": "downgrade", "close": "closure", "escalate": "escalation"}


@task_handler(Task.DECIDE_OUTCOME)
def decide_outcome(ctx):
    """决定本轮结果. A downgrade (one level, to the code the table names) or a closure against the table's
    recommendation is refused with the reason; nothing is rerouted silently."""
    outcome = v.choice(ctx.data, "outcome", OUTCOMES)
    reason = v.text(ctx.data, "reason", max_len=3000)
    table = ctx.task.data
    if outcome == "downgrade" and not table.get("may_downgrade"):
        raise InvalidInput("outcome", "复评结果不支持降级：须证据齐全且再评估风险下降（一次只降一级）。",
                           "The re-assessment does not allow a downgrade: the evidence must be complete and the "
                           "risk lower (one level at a time).")
    if outcome == "close" and not table.get("may_close"):
        raise InvalidInput("outcome", "复评结果不支持结案：仅蓝码或关注、证据齐全且复评稳定的个案可申请结案。",
                           "The re-assessment does not allow closure: only a blue or watched case with complete "
                           "evidence and a stable re-assessment may request it.")
    if outcome in APPROVAL_OF_OUTCOME:
        kind = APPROVAL_OF_OUTCOME[outcome]
        code = ctx.case.current_code
        to_code = table.get("downgrade_to") if kind == "downgrade" else code
        approval = Approval(case_id=ctx.case.id, round_id=ctx.round.id, kind=kind, status="pending",
                            from_code=code, to_code=to_code, request_reason=reason,
                            requested_by=ctx.actor.id, requested_at=ctx.now)
        ctx.session.add(approval)
        ctx.session.flush()
        ctx.record["approval_id"] = approval.id
    ctx.record.update(outcome=outcome, reason=reason, recommendation=table.get("recommendation"))
    return {"outcome": outcome}


@task_handler(Task.APPROVE_DOWNGRADE)
def approve_downgrade(ctx):
    """风险等级降级处置: one level down, only with a supervisor's approval on record."""
    approval = pending_approval(ctx.session, "downgrade", round_id=ctx.round.id)
    decision = decide_approval(ctx, approval)
    if decision == "approved":
        set_code(ctx.session, ctx.runtime, ctx.actor, ctx.case, ctx.round.id, "downgrade", approval.to_code,
                 approval.request_reason, ctx.now, approval=approval)
    return {"approval": decision}


@task_handler(Task.APPROVE_CLOSURE)
def approve_closure(ctx):
    return {"approval": decide_approval(ctx, pending_approval(ctx.session, "closure", round_id=ctx.round.id))}


@task_handler(Task.APPROVE_ESCALATION)
def approve_escalation(ctx):
    """提请多跨协同: the supervisor agrees that the case goes to a joint meeting."""
    return {"approval": decide_approval(ctx, pending_approval(ctx.session, "escalation", round_id=ctx.round.id))}
