"""Handle (处置): the handling decision, notices, reprimands, orders and their delivery, referrals, the plan."""
from sqlalchemy import select

from ..actor import load_actor
from ..audit import plain
from ..errors import InvalidInput
from ..models import Approval, DocumentRecord, GuidancePlan, GuidanceProvider
from ..reference import DELIVERY_METHODS, DOCUMENT_TYPES
from .. import validate as v
from . import task_handler

MEASURES = ("notify", "admonish", "reprimand", "procuratorate_order", "court_order", "civil_affairs")


@task_handler("decide_handling")
def decide_handling(ctx):
    chosen = {f"measure_{m}": v.boolean(ctx.data, f"measure_{m}") for m in MEASURES}
    if not any(chosen.values()):
        raise InvalidInput("measure_notify", "至少选择一项处置措施。", "Choose at least one handling measure.")
    ctx.record.update(chosen, reason=v.text(ctx.data, "reason", max_len=2000))
    return chosen


def issue_document(ctx, doc_type: str, fields: dict) -> DocumentRecord:
    """Issue the step's document (numbered, rendered, hashed) in the task's own transaction."""
    from ..services.documents import issue
    doc = issue(ctx.session, ctx.gl, ctx.actor, ctx.case, ctx.round.id, doc_type, fields)
    ctx.record["document_id"] = doc.id
    ctx.record["document_number"] = doc.number
    return doc


def deliver_on_the_spot(ctx, doc: DocumentRecord, on) -> None:
    """A notice or reprimand is handed to the guardian when it is given: its delivery (送达) is recorded
    with it, signed or not, so every served document of the round has its delivery on record."""
    doc.delivery_method = v.choice(ctx.data, "delivery_method", DELIVERY_METHODS)
    doc.delivered_on = on
    doc.delivery_recipient = v.text(ctx.data, "recipient", max_len=80)
    doc.delivery_signed = v.boolean(ctx.data, "signed")
    doc.delivered_by = ctx.actor.id
    ctx.record.update(delivery_method=doc.delivery_method, recipient=doc.delivery_recipient,
                      signed=doc.delivery_signed)


@task_handler("notify_guardian")
def notify_guardian(ctx):
    fields = {"notified_on": v.day(ctx.data, "notified_on"), "content": v.text(ctx.data, "content", max_len=3000)}
    ctx.record.update(fields)
    deliver_on_the_spot(ctx, issue_document(ctx, "duty_notice", fields), fields["notified_on"])
    return {}


@task_handler("admonish_guardian")
def admonish_guardian(ctx):
    ctx.record.update(admonished_on=v.day(ctx.data, "admonished_on"),
                      content=v.text(ctx.data, "content", max_len=3000))
    return {}


@task_handler("reprimand_guardian")
def reprimand_guardian(ctx):
    fields = {"reprimanded_on": v.day(ctx.data, "reprimanded_on"),
              "failings": v.text(ctx.data, "failings", max_len=3000)}
    ctx.record.update(fields)
    deliver_on_the_spot(ctx, issue_document(ctx, "reprimand", fields), fields["reprimanded_on"])
    return {}


def _order_fields(ctx) -> dict:
    return {
        "failings": v.text(ctx.data, "failings", max_len=5000),
        "duties": v.text(ctx.data, "duties", max_len=5000),
        "deadline": v.day(ctx.data, "deadline", not_future=False, after=ctx.now.date()).isoformat(),
    }


@task_handler("issue_procuratorate_order", "issue_rigid_procuratorate_order")
def issue_procuratorate_order(ctx):
    """拟制督促监护令 (未成年人保护法 art. 118; 家庭教育促进法 art. 49): the prosecutor's draft goes to the head of
    department; it is numbered and issued only when approved."""
    fields = _order_fields(ctx)
    fields["rigid"] = ctx.item.task_spec.startswith("issue_rigid")
    return request_order_approval(ctx, "supervision_order", fields)


@task_handler("issue_court_order", "issue_rigid_court_order")
def issue_court_order(ctx):
    """拟制家庭教育指导令 / 责令接受家庭教育指导决定书 (家庭教育促进法 art. 49; 法发〔2023〕7号)."""
    fields = _order_fields(ctx)
    provider = _provider(ctx, "provider_id")
    fields.update(provider=provider.name, provider_id=provider.id,
                  sessions=v.integer(ctx.data, "sessions", low=1, high=48),
                  rigid=ctx.item.task_spec.startswith("issue_rigid"))
    return request_order_approval(ctx, "guidance_order", fields)


def request_order_approval(ctx, doc_type: str, fields: dict) -> dict:
    """The draft goes to the supervisor lane as an approval of kind ``order`` (the draft is its payload)."""
    summary = f"{DOCUMENT_TYPES[doc_type][0]}（{'刚性，' if fields.get('rigid') else ''}草稿）：{fields['failings'][:120]}"
    approval = Approval(case_id=ctx.case.id, round_id=ctx.round.id, kind="order", subject=doc_type,
                        payload=plain(fields), status="pending", request_reason=summary,
                        requested_by=ctx.actor.id, requested_at=ctx.now)
    ctx.session.add(approval)
    ctx.session.flush()
    ctx.record.update(fields, approval_id=approval.id, drafted=True)
    return {}


def issue_approved_order(ctx, approval: Approval) -> DocumentRecord:
    """签发: the approved draft is numbered, rendered and issued by the drafting officer's office, with the
    approver on record."""
    from ..services.documents import issue, issuer_name
    fields = {**approval.payload, "approved_by": issuer_name(ctx.session, ctx.actor.id)}
    drafter = load_actor(ctx.session, approval.requested_by)
    doc = issue(ctx.session, ctx.gl, drafter, ctx.case, ctx.round.id, approval.subject, fields)
    ctx.record["document_id"], ctx.record["document_number"] = doc.id, doc.number
    return doc


def _deliver(ctx, doc_type: str):
    doc = ctx.session.scalars(select(DocumentRecord).where(
        DocumentRecord.round_id == ctx.round.id, DocumentRecord.doc_type == doc_type,
        DocumentRecord.status == "issued", DocumentRecord.delivered_on.is_(None)).order_by(DocumentRecord.id)).first()
    if doc is None:
        raise InvalidInput("document", "没有待送达的文书。", "There is no document waiting for delivery.")
    doc.delivery_method = v.choice(ctx.data, "method", DELIVERY_METHODS)
    doc.delivered_on = v.day(ctx.data, "delivered_on")
    if doc.delivered_on < doc.issued_at.date():
        raise InvalidInput("delivered_on", "送达日期不能早于签发日期。", "Delivery cannot precede issuance.")
    doc.delivery_recipient = v.text(ctx.data, "recipient", max_len=80)
    doc.delivery_signed = v.boolean(ctx.data, "signed")
    doc.delivered_by = ctx.actor.id
    ctx.record.update(document_id=doc.id, method=doc.delivery_method, delivered_on=doc.delivered_on,
                      recipient=doc.delivery_recipient, signed=doc.delivery_signed)
    return {}


@task_handler("deliver_procuratorate_order", "deliver_rigid_procuratorate_order")
def deliver_procuratorate_order(ctx):
    return _deliver(ctx, "supervision_order")


@task_handler("deliver_court_order", "deliver_rigid_court_order")
def deliver_court_order(ctx):
    return _deliver(ctx, "guidance_order")


@task_handler("refer_civil_affairs")
def refer_civil_affairs(ctx):
    ctx.record.update(accepted_on=v.day(ctx.data, "accepted_on"),
                      measures=v.text(ctx.data, "measures", max_len=3000))
    return {}


def _provider(ctx, field: str) -> GuidanceProvider:
    provider_id = v.integer(ctx.data, field, low=1, high=10**9)
    provider = ctx.session.get(GuidanceProvider, provider_id)
    if provider is None:
        raise InvalidInput(field, "指导机构不存在。", "No such guidance provider.")
    return provider


@task_handler("draft_guidance_plan")
def draft_guidance_plan(ctx):
    s = ctx.gl.settings
    data = {"sessions_required": s.guidance_sessions, "min_minutes": s.guidance_min_minutes,
            "period_days": s.guidance_period_days, **{k: x for k, x in ctx.data.items() if x not in (None, "")}}
    plan = GuidancePlan(
        case_id=ctx.case.id, round_id=ctx.round.id, provider_id=_provider(ctx, "provider_id").id,
        sessions_required=v.integer(data, "sessions_required", low=1, high=48),
        min_minutes=v.integer(data, "min_minutes", low=10, high=480),
        period_days=v.integer(data, "period_days", low=7, high=730),
        goals=v.text(ctx.data, "goals", max_len=5000), drafted_by=ctx.actor.id, drafted_at=ctx.now)
    ctx.session.add(plan)
    ctx.record.update(provider_id=plan.provider_id, sessions_required=plan.sessions_required,
                      min_minutes=plan.min_minutes, period_days=plan.period_days, goals=plan.goals)
    provider = ctx.session.get(GuidanceProvider, plan.provider_id)
    issue_document(ctx, "guidance_plan", {**ctx.record, "provider": provider.name})
    return {"sessions_required": plan.sessions_required, "min_minutes": plan.min_minutes,
            "guidance_period": f"P{plan.period_days}D"}
