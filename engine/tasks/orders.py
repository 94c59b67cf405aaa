"""Orders (令与文书): the issuing agency decides a referral in its own right, drafts the document, has it
approved by its head of department (approve, return for correction, or refuse), issues and delivers it; a
court decision may be objected to (复议). Used for every issuing agency, for rigid measures and for the
consequences of non-compliance alike (``referral.bpmn``, ``order.bpmn``)."""
from sqlalchemy import select

from engine.actor import load_actor
from engine.auditlog.record import plain
from engine.errors import InvalidInput
from engine.issuing.delivery import record_delivery
from engine.issuing.issue import issue, issuer_name
from engine.models import Approval, DocumentRecord, GuidanceProvider, OrderSupervision, Referral
from engine.models.records import pending_approval
from engine.reads.guardians import current_guardians
from engine.reads.providers import require_offered
from engine.reference import DOCUMENT_TYPES, MEASURE_DOCUMENTS
from engine.rules import validate as v
from engine.rules.permissions import OWN_REQUEST_APPROVAL, may_approve, require
from engine.tasks.guardianship import chosen_guardians
from engine.tasks.handling import deliver_on_the_spot, judicial_case
from engine.tasks.registry import task_handler
from engine.workflow.catalog import Task
from engine.workflow.clock import CHINA_TZ
from engine.workflow.notices import RETURNED_NOTICE, notify
from engine.workflow.runtime import timer_moment
from engine.workflow.scripting import moment_after_from

PROHIBITIONS = {
    "no_violence": "禁止被申请人实施家庭暴力",
    "no_harassment": "禁止被申请人骚扰、跟踪、接触申请人及其相关近亲属",
    "move_out": "责令被申请人迁出申请人住所",
    "other": "其他保护申请人人身安全的措施",
}


def referral_of(ctx) -> Referral:
    item = ctx.task.data.get("referral") or {}
    referral = ctx.session.get(Referral, item.get("id") or 0)
    if referral is None or referral.case_id != ctx.case.id:
        raise InvalidInput("referral", "找不到该项移送。", "The referral was not found.")
    return referral


def _decide(referral: Referral, ctx, decision: str, reason: str) -> None:
    referral.decision, referral.decision_reason = decision, reason
    referral.decided_by, referral.decided_at = ctx.actor.id, ctx.now


@task_handler(Task.DECIDE_REFERRAL)
def decide_referral(ctx):
    """审查决定: the issuing agency accepts the proposed measure, investigates first, or declines with a
    reason that goes back to the proposer."""
    decision = v.choice(ctx.data, "decision", ("accept", "investigate", "decline"))
    reason = v.text(ctx.data, "reason", required=decision == "decline", max_len=3000)
    referral = referral_of(ctx)
    _decide(referral, ctx, decision, reason)
    referral.status = {"accept": "accepted", "investigate": "investigating", "decline": "declined"}[decision]
    ctx.record.update(referral_id=referral.id, measure=referral.measure, decision=decision, reason=reason)
    return {"referral_decision": decision}


@task_handler(Task.INVESTIGATE_REFERRAL)
def investigate_referral(ctx):
    """调查核实: what the issuing agency found before it decides."""
    referral = referral_of(ctx)
    findings = v.text(ctx.data, "findings", max_len=5000)
    investigated_on = v.day(ctx.data, "investigated_on")
    referral.findings = "\n".join(filter(None, [referral.findings, f"{investigated_on.isoformat()}：{findings}"]))
    ctx.record.update(referral_id=referral.id, findings=findings, investigated_on=investigated_on)
    return {}


def _recipients(ctx) -> list[str]:
    chosen = chosen_guardians(ctx.session, ctx.case.id, ctx.data.get("guardian_ids"))
    guardians = chosen or current_guardians(ctx.session, ctx.case.id)
    if not guardians:
        raise InvalidInput("guardian_ids", "请选择受送达的监护人。", "Choose the guardians the document is served on.")
    return [g.name for g in guardians]


def _provider(ctx, field: str) -> GuidanceProvider:
    provider = ctx.session.get(GuidanceProvider, v.integer(ctx.data, field, low=1, high=2**31 - 1))
    if provider is None or provider.district_id not in (None, ctx.case.district_id):
        raise InvalidInput(field, "请选择本区县的指导机构。", "Choose a guidance provider of the case's district.")
    return require_offered(ctx.session, provider.id, ctx.case.district_id, ctx.now.astimezone(CHINA_TZ).date(), field)


def draft_fields(ctx, referral: Referral) -> dict:
    """What the officer drafted, by measure (the document's data)."""
    measure = referral.measure
    officer = ctx.actor.display_name
    fields = {"measure": measure, "recipients": _recipients(ctx), "drafted_by": officer,
              "judicial_case": judicial_case(ctx.data) or referral.judicial_case, "rigid": referral.rigid,
              "failings": v.text(ctx.data, "failings", max_len=5000),
              "duties": v.text(ctx.data, "duties", required=measure in ("supervision_order", "guidance_order", "warning_letter"), max_len=5000),
              "report_every": ctx.task.data.get("report_every", "")}
    if measure in ("supervision_order", "guidance_order", "warning_letter"):
        fields["deadline"] = v.day(ctx.data, "deadline", not_future=False, after=ctx.now.date()).isoformat()
    if measure == "guidance_order":
        provider = _provider(ctx, "provider_id")
        fields.update(provider=provider.name, provider_id=provider.id,
                      content=v.text(ctx.data, "content", max_len=3000),
                      sessions=v.integer(ctx.data, "sessions", low=1, high=48),
                      session_interval_days=v.integer(ctx.data, "session_interval_days", low=1, high=180),
                      period_days=v.integer(ctx.data, "period_days", low=7, high=730),
                      judge=v.text(ctx.data, "judge", required=False, max_len=40) or officer,
                      clerk=v.text(ctx.data, "clerk", required=False, max_len=40),
                      objection_days=5)
    if measure == "reprimand":
        fields.update(reprimanded_on=v.day(ctx.data, "reprimanded_on", not_future=False).isoformat(),
                      reprimand_by=officer, recorder=v.text(ctx.data, "recorder", required=False, max_len=40))
    if measure == "protection_order":
        fields.update(respondent=v.text(ctx.data, "respondent", max_len=80),
                      prohibitions=[PROHIBITIONS[p] for p in v.choices(ctx.data, "prohibitions", PROHIBITIONS,
                                                                       at_least=1)],
                      months=v.integer(ctx.data, "months", low=1, high=6),
                      judge=v.text(ctx.data, "judge", required=False, max_len=40) or officer)
    return fields


@task_handler(Task.DRAFT_ORDER)
def draft_order(ctx):
    """拟制: the officer drafts the document and submits it to the head of department, or withdraws the
    measure with a reason (it goes back to the proposer)."""
    referral = referral_of(ctx)
    action = v.choice(ctx.data, "action", ("submit", "withdraw"))
    if action == "withdraw":
        reason = v.text(ctx.data, "reason", max_len=3000)
        referral.status, referral.decision_reason = "withdrawn", reason
        ctx.record.update(referral_id=referral.id, action=action, reason=reason)
        return {"draft_action": action, "order_result": "withdrawn"}
    fields = draft_fields(ctx, referral)
    doc_type = MEASURE_DOCUMENTS[referral.measure]
    summary = f"{DOCUMENT_TYPES[doc_type][0]}（{'刚性，' if referral.rigid else ''}草稿）：{fields['failings'][:120]}"
    approval = Approval(case_id=ctx.case.id, round_id=ctx.round.id, kind="order", subject=doc_type,
                        referral_id=referral.id, payload=plain(fields), status="pending", request_reason=summary,
                        requested_by=ctx.actor.id, requested_at=ctx.now)
    ctx.session.add(approval)
    ctx.session.flush()
    referral.status = "pending_approval"
    ctx.record.update(fields, referral_id=referral.id, approval_id=approval.id, action=action)
    return {"draft_action": action}


def decide_approval(ctx, approval: Approval | None) -> str:
    """Approve, return for correction (退回补正) or refuse (不予批准) a pending request, with a reason for the
    last two; nobody decides their own request."""
    if approval is None:
        raise InvalidInput("decision", "没有待审批的申请。", "There is no pending request.")
    require(may_approve(ctx.actor, approval.requested_by), OWN_REQUEST_APPROVAL)
    decision = v.choice(ctx.data, "decision", ("approved", "returned", "refused"))
    reason = v.text(ctx.data, "reason", required=decision != "approved", max_len=3000)
    approval.status, approval.decided_by, approval.decided_at = decision, ctx.actor.id, ctx.now
    approval.decision_reason = reason
    ctx.record.update(approval_id=approval.id, decision=decision, reason=reason)
    if decision == "returned":   # the requester hears of it (the notification centre)
        notify(ctx.session, district_id=ctx.case.district_id, agency=ctx.actor.agency, kind=RETURNED_NOTICE,
               case_id=ctx.case.id, user_id=approval.requested_by,
               payload={"approval": approval.kind, "subject": approval.subject, "by": ctx.actor.display_name})
    return decision


@task_handler(Task.APPROVE_ORDER)
def approve_order(ctx):
    """审批签发: approved, the draft is numbered, rendered and issued by the drafting officer's office."""
    referral = referral_of(ctx)
    approval = pending_approval(ctx.session, "order", round_id=ctx.round.id, referral_id=referral.id)
    decision = decide_approval(ctx, approval)
    if decision == "approved":
        fields = {**approval.payload, "approved_by": issuer_name(ctx.session, ctx.actor.id)}
        drafter = load_actor(ctx.session, approval.requested_by)
        doc = issue(ctx.session, ctx.gl, drafter, ctx.case, ctx.round.id, approval.subject, fields)
        referral.document_id, referral.status = doc.id, "issued"
        ctx.record.update(document_id=doc.id, document_number=doc.number)
        return {"approval": decision}
    if decision == "refused":
        referral.status, referral.decision_reason = "refused", approval.decision_reason
        return {"approval": decision, "order_result": "refused"}
    referral.status = "returned"
    return {"approval": decision}


def referral_document(ctx, referral: Referral) -> DocumentRecord:
    """The measure's document in force: the one issued, or the newest correction of it."""
    doc = ctx.session.get(DocumentRecord, referral.document_id or 0)
    if doc is None:
        raise InvalidInput("document", "该项措施尚未签发文书。", "No document has been issued for this measure.")
    while doc.status == "superseded":
        doc = ctx.session.scalars(select(DocumentRecord).where(DocumentRecord.supersedes_id == doc.id)).one()
    return doc



@task_handler(Task.DELIVER_ORDER)
def deliver_order(ctx):
    """送达: how, when, where and to whom (refusal and 留置 only as recorded); the guardian's duties run from
    here and the issuer supervises them (``order_rules``: how long, how often)."""
    referral = referral_of(ctx)
    doc = referral_document(ctx, referral)
    record = record_delivery(ctx, doc)
    referral.status = "delivered"
    supervise_for = ctx.task.data.get("supervise_for") or ""
    if supervise_for:
        ends = timer_moment(moment_after_from(record["delivered_on"], supervise_for)).date()
        ctx.session.add(OrderSupervision(document_id=doc.id, case_id=ctx.case.id, issuer=referral.issuer,
                                         report_every=ctx.task.data.get("report_every") or "P30D",
                                         chase_every=ctx.task.data.get("chase_every") or "P3D",
                                         starts_on=record["delivered_on"], ends_on=ends, status="in_force"))
    ctx.record.update(referral_id=referral.id, document_id=doc.id, **record)
    return {"order_result": "delivered"}


@task_handler(Task.HANDLE_OBJECTION)
def handle_objection(ctx):
    """复议: whether the guardian applied for reconsideration within the period, and the court's decision —
    upheld (维持), changed (变更) or revoked (撤销). The order is carried out meanwhile."""
    referral = referral_of(ctx)
    applied = v.boolean(ctx.data, "applied")
    ctx.record.update(referral_id=referral.id, applied=applied)
    if not applied:
        return {}
    decision = v.choice(ctx.data, "decision", ("upheld", "changed", "revoked"))
    fields = {"applied_on": v.day(ctx.data, "applied_on").isoformat(), "decision": decision,
              "reason": v.text(ctx.data, "reason", max_len=3000), "order_document_id": referral.document_id}
    doc = issue(ctx.session, ctx.gl, ctx.actor, ctx.case, ctx.round.id, "objection_decision", fields)
    deliver_on_the_spot(ctx, doc, ctx.now.date())   # served on the applicant when decided
    if decision == "revoked":
        referral.status = "revoked"
        supervision = ctx.session.get(OrderSupervision, referral.document_id or 0)
        if supervision is not None:
            supervision.status = "revoked"
    ctx.record.update(fields, document_id=doc.id)
    return {}
