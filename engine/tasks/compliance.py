"""Supervising an order (履行监督): the issuer checks whether the guardian carries it out, and decides what
follows when they do not — 劝诫, a 训诫书, a decision ordering family-education guidance, or escalation."""
from engine.errors import InvalidInput
from engine.models import ComplianceCheck, OrderSupervision
from engine.reference import COMPLIANCE_RESULTS, CONSEQUENCES
from engine.rules import validate as v
from engine.tasks.handling import new_referral, referral_item
from engine.tasks.registry import task_handler
from engine.workflow.catalog import Task

CONSEQUENCE_MEASURES = {"reprimand": "reprimand", "guidance_order": "guidance_order"}


def supervision_of(ctx) -> OrderSupervision:
    item = ctx.task.data.get("order") or {}
    row = ctx.session.get(OrderSupervision, item.get("id") or 0)
    if row is None or row.case_id != ctx.case.id:
        raise InvalidInput("order", "找不到该令的履行监督。", "No supervision of this order was found.")
    return row


@task_handler(Task.COMPLIANCE_CHECK)
def compliance_check(ctx):
    """履行情况检查: the guardian's report and whether the duties are carried out. The order is complied with
    when its period has run without a breach at its last check."""
    supervision = supervision_of(ctx)
    checked_on = v.day(ctx.data, "checked_on")
    result = v.choice(ctx.data, "result", COMPLIANCE_RESULTS)
    check = ComplianceCheck(case_id=ctx.case.id, round_id=ctx.round.id, document_id=supervision.document_id,
                            checked_on=checked_on, report_received=v.boolean(ctx.data, "report_received"),
                            result=result, notes=v.text(ctx.data, "notes", required=result != "complied",
                                                        max_len=3000),
                            checked_by=ctx.actor.id, checked_at=ctx.now)
    ctx.session.add(check)
    supervision.last_checked_on = checked_on
    if result == "not_complied":
        supervision.breaches += 1
        compliance = "non_compliant"
    elif checked_on >= supervision.ends_on:
        supervision.status = "completed"
        compliance = "completed"
    else:
        compliance = "ongoing"
    ctx.record.update(document_id=supervision.document_id, checked_on=checked_on, result=result,
                      report_received=check.report_received, compliance=compliance)
    return {"compliance": compliance}


@task_handler(Task.DECIDE_CONSEQUENCE)
def decide_consequence(ctx):
    """不履行的处理 (家庭教育促进法 art. 49; 未成年人保护法 art. 118): the issuer's own response."""
    supervision = supervision_of(ctx)
    consequence = v.choice(ctx.data, "consequence", CONSEQUENCES)
    reason = v.text(ctx.data, "reason", max_len=3000)
    latest = ctx.session.query(ComplianceCheck).filter_by(document_id=supervision.document_id) \
        .order_by(ComplianceCheck.id.desc()).first()
    if latest is not None:
        latest.consequence = consequence
    ctx.record.update(document_id=supervision.document_id, consequence=consequence, reason=reason)
    measure = CONSEQUENCE_MEASURES.get(consequence)
    if measure is None:
        return {"consequence_document": False}
    referral = new_referral(ctx, measure, ctx.actor.agency, reason, origin="non_compliance", status="accepted",
                            parent_document_id=supervision.document_id)
    ctx.record["referral_id"] = referral.id
    return {"consequence_document": True, "referral": referral_item(referral)}
