"""Handle (处置): the proposing agency's proposal and referrals, its own measures (告知, 劝诫), and civil
affairs' decision on temporary care. Each issuing agency's decision on a referral is in ``orders``."""
from engine.actor import Actor
from engine.errors import InvalidInput
from engine.issuing.issue import issue
from engine.models import DocumentRecord, Referral
from engine.reference import DELIVERY_METHODS, JUDICIAL_STAGES, MEASURES, PLACEMENTS
from engine.rules import validate as v
from engine.tasks.guardianship import add_guardian, change_status, chosen_guardians, office_name
from engine.tasks.registry import task_handler
from engine.workflow.catalog import Task

OWN_MEASURES = ("notify", "admonish")


def judicial_case(data: dict) -> dict | None:
    """The judicial case a measure arises from (案号, 案由, stage), if the form names one."""
    number = v.text(data, "judicial_case_number", required=False, max_len=60)
    cause = v.text(data, "judicial_case_cause", required=False, max_len=120)
    stage = v.choice(data, "judicial_case_stage", JUDICIAL_STAGES, required=False) or "none"
    if not (number or cause) and stage == "none":
        return None
    return {"number": number, "cause": cause, "stage": stage}


def new_referral(ctx, measure: str, issuer: str, reason: str, origin="proposal", rigid=False, status="pending",
                 judicial=None, parent_document_id=None) -> Referral:
    referral = Referral(case_id=ctx.case.id, round_id=ctx.round.id, measure=measure, issuer=issuer,
                        proposer=ctx.actor.agency, origin=origin, rigid=rigid, reason=reason, judicial_case=judicial,
                        status=status, proposed_by=ctx.actor.id, proposed_at=ctx.now,
                        parent_document_id=parent_document_id)
    ctx.session.add(referral)
    ctx.session.flush()
    return referral


def referral_item(referral: Referral) -> dict:
    """A referral as the model's order processes carry it (their lanes read ``issuer`` and ``proposer``)."""
    return {"id": referral.id, "measure": referral.measure, "issuer": referral.issuer,
            "proposer": referral.proposer, "rigid": referral.rigid}


@task_handler(Task.PROPOSE_MEASURES)
def propose_measures(ctx):
    """提出处置意见: the proposing agency's own measures, and the measures it refers to the agency that decides
    them (移送). It never decides another agency's measure."""
    own = {f"measure_{m}": v.boolean(ctx.data, f"measure_{m}") for m in OWN_MEASURES}
    care = v.boolean(ctx.data, "measure_care")
    reason = v.text(ctx.data, "reason", max_len=3000)
    judicial = judicial_case(ctx.data)
    referrals = []
    for measure, (_, _, issuers) in MEASURES.items():
        if not v.boolean(ctx.data, f"refer_{measure}"):
            continue
        issuer = v.choice(ctx.data, f"{measure}_issuer", issuers, required=False) or issuers[0]
        referrals.append(new_referral(ctx, measure, issuer, reason, judicial=judicial))
    if care:
        referrals_care = new_referral(ctx, "temporary_care", "civil_affairs", reason)
        ctx.record["care_referral_id"] = referrals_care.id
    if not (any(own.values()) or referrals or care):
        raise InvalidInput("measure_notify", "至少选择一项处置措施。", "Choose at least one handling measure.")
    ctx.record.update(own, measure_care=care, reason=reason, judicial_case=judicial,
                      referrals=[referral_item(r) for r in referrals])
    return {**own, "measure_care": care, "referrals": [referral_item(r) for r in referrals],
            "care_referral_id": ctx.record.get("care_referral_id")}


def issue_document(ctx, doc_type: str, fields: dict, actor: Actor | None = None) -> DocumentRecord:
    """Issue the step's document (numbered, rendered, hashed) in the task's own transaction."""
    doc = issue(ctx.session, ctx.gl, actor or ctx.actor, ctx.case, ctx.round.id, doc_type, fields)
    ctx.record["document_id"] = doc.id
    ctx.record["document_number"] = doc.number
    return doc


def deliver_on_the_spot(ctx, doc: DocumentRecord, on) -> None:
    """A notice or reprimand handed to the guardian when it is given: its delivery (送达) is recorded with it."""
    doc.delivery_method = v.choice(ctx.data, "delivery_method", DELIVERY_METHODS)
    doc.delivered_on = on
    doc.delivery_recipient = v.text(ctx.data, "recipient", max_len=80)
    doc.delivery_signed = v.boolean(ctx.data, "signed")
    doc.delivered_by = ctx.actor.id
    ctx.record.update(delivery_method=doc.delivery_method, recipient=doc.delivery_recipient,
                      signed=doc.delivery_signed)


@task_handler(Task.NOTIFY_GUARDIAN)
def notify_guardian(ctx):
    """告知: the 家庭教育责任告知书, handed to the guardian."""
    fields = {"notified_on": v.day(ctx.data, "notified_on"), "content": v.text(ctx.data, "content", max_len=3000)}
    ctx.record.update(fields)
    deliver_on_the_spot(ctx, issue_document(ctx, "duty_notice", fields), fields["notified_on"])
    return {}


@task_handler(Task.ADMONISH_GUARDIAN)
def admonish_guardian(ctx):
    """劝诫: a talk with the guardian, recorded."""
    ctx.record.update(admonished_on=v.day(ctx.data, "admonished_on"),
                      content=v.text(ctx.data, "content", max_len=3000))
    return {}


def _care_referral(ctx) -> Referral:
    referral = ctx.session.get(Referral, ctx.task.data.get("care_referral_id") or 0)
    if referral is None:
        raise InvalidInput("decision", "没有待审查的临时照护申请。", "There is no temporary-care request to decide.")
    return referral


@task_handler(Task.DECIDE_CARE)
def decide_care(ctx):
    """民政审查临时照护: accept, or decline with a reason that goes back to the proposer."""
    decision = v.choice(ctx.data, "decision", ("accept", "decline"))
    reason = v.text(ctx.data, "reason", required=decision == "decline", max_len=3000)
    referral = _care_referral(ctx)
    referral.decision, referral.decision_reason = decision, reason
    referral.status = "accepted" if decision == "accept" else "declined"
    referral.decided_by, referral.decided_at = ctx.actor.id, ctx.now
    ctx.record.update(referral_id=referral.id, decision=decision, reason=reason)
    return {"care_decision": decision}


def place_child(ctx, kind: str, takes_guardianship: bool = True) -> None:
    """临时照护/临时监护/长期监护: where the child lives now, and who the guardians are from today."""
    placement = v.choice(ctx.data, "placement", PLACEMENTS)
    started_on = v.day(ctx.data, "started_on")
    details = v.text(ctx.data, "details", max_len=2000)
    suspended = chosen_guardians(ctx.session, ctx.case.id, ctx.data.get("guardian_ids"))
    if takes_guardianship:
        name = office_name(ctx.session, "civil_affairs", ctx.case.district_id) or "民政部门"
        status = "revoked" if kind == "long_term" else "suspended"
        change_status(ctx.session, ctx.actor, suspended, status,
                      "临时监护期间暂停履行监护职责" if kind == "temporary" else "监护资格已被撤销", started_on)
        add_guardian(ctx.session, ctx.actor, ctx.case.id, name, "civil_affairs", kind, started_on, details)
    ctx.record.update(placement=placement, started_on=started_on, details=details,
                      guardianship=takes_guardianship, guardians_changed=[g.id for g in suspended])


@task_handler(Task.ARRANGE_TEMPORARY_CARE)
def arrange_temporary_care(ctx):
    """临时照护 / 临时监护 (未成年人保护法 arts. 92–93): civil affairs becomes the temporary guardian only when
    it says so (a short placement may leave guardianship as it is)."""
    place_child(ctx, "temporary", v.boolean(ctx.data, "temporary_guardianship"))
    return {}


@task_handler(Task.ACKNOWLEDGE_CARE_DECLINE, Task.ACKNOWLEDGE_DECLINE)
def acknowledge_decline(ctx):
    """知悉: the proposer has read why a measure was not taken, and notes what it will do instead."""
    ctx.record.update(note=v.text(ctx.data, "note", required=False, max_len=2000))
    return {}
