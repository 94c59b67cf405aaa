"""Escalation (多跨协同): the joint meeting decides rigid measures; each is then issued by its own agency, civil
affairs takes temporary guardianship, and the procuratorate may support a suit to revoke guardianship, after
which civil affairs may take long-term guardianship."""
from engine.reference import AGENCIES, DELIVERY_METHODS, MEASURES
from engine.rules import validate as v
from engine.tasks.guardianship import add_guardian, change_status, chosen_guardians
from engine.tasks.handling import issue_document, new_referral, place_child, referral_item
from engine.tasks.registry import task_handler
from engine.workflow.catalog import Task

RIGID_MEASURES = ("supervision_order", "guidance_order", "reprimand", "warning_letter", "protection_order")


@task_handler(Task.JOINT_MEETING)
def joint_meeting(ctx):
    """多部门联席会商: police, procuratorate and court decide together which rigid measures each will take."""
    reason = v.text(ctx.data, "minutes", max_len=5000)
    referrals = []
    for measure in RIGID_MEASURES:
        if v.boolean(ctx.data, f"rigid_{measure}"):
            issuers = MEASURES[measure][2]
            issuer = v.choice(ctx.data, f"{measure}_issuer", issuers, required=False) or issuers[0]
            referrals.append(new_referral(ctx, measure, issuer, reason, origin=Task.JOINT_MEETING, rigid=True,
                                          status="accepted"))
    decisions = {k: v.boolean(ctx.data, k) for k in ("temporary_guardianship", "revocation_support")}
    ctx.record.update(decisions, held_on=v.day(ctx.data, "held_on"),
                      attendees=v.choices(ctx.data, "attendees", AGENCIES, at_least=2), minutes=reason,
                      rigid_referrals=[referral_item(r) for r in referrals])
    return {**decisions, "rigid_referrals": [referral_item(r) for r in referrals]}


@task_handler(Task.ARRANGE_TEMPORARY_GUARDIANSHIP)
def arrange_temporary_guardianship(ctx):
    """临时监护 by civil affairs (未成年人保护法 art. 92)."""
    place_child(ctx, "temporary")
    return {}


@task_handler(Task.SUPPORT_REVOCATION)
def support_revocation(ctx):
    """支持起诉: the procuratorate supports the suit to revoke the guardian's qualification
    (未成年人保护法 art. 108; 民法典 art. 36) with its written opinion."""
    fields: dict = {"filed_on": v.day(ctx.data, "filed_on").isoformat(), "court": v.text(ctx.data, "court", max_len=120),
              "plaintiff": v.text(ctx.data, "plaintiff", max_len=120),
              "respondents": [g.name for g in chosen_guardians(ctx.session, ctx.case.id, ctx.data.get("guardian_ids"))],
              "opinion": v.text(ctx.data, "opinion", max_len=5000)}
    ctx.record.update(fields)
    doc = issue_document(ctx, "revocation_support", fields)
    # lodged with the court with the suit: served on the court the day it is filed
    doc.delivery_method = v.choice(ctx.data, "delivery_method", DELIVERY_METHODS)
    doc.delivered_on, doc.delivery_recipient, doc.delivery_signed = v.day(ctx.data, "filed_on"), fields["court"], True
    doc.delivered_by = ctx.actor.id
    return {}


@task_handler(Task.RECORD_REVOCATION_JUDGMENT)
def record_revocation_judgment(ctx):
    """撤销监护资格案件判决: revoked (with the new guardian the court designates, or civil affairs' long-term
    guardianship) or rejected."""
    judgment = v.choice(ctx.data, "judgment", ("revoked", "rejected"))
    fields = {"judgment": judgment, "case_number": v.text(ctx.data, "case_number", max_len=60),
              "judged_on": v.day(ctx.data, "judged_on")}
    long_term = False
    if judgment == "revoked":
        revoked = chosen_guardians(ctx.session, ctx.case.id, ctx.data.get("guardian_ids"))
        change_status(ctx.session, ctx.actor, revoked, "revoked", f"判决撤销监护资格（{fields['case_number']}）",
                      fields["judged_on"])
        new_guardian = v.choice(ctx.data, "new_guardian", ("long_term", "designated"))
        long_term = new_guardian == "long_term"
        if not long_term:
            add_guardian(ctx.session, ctx.actor, ctx.case.id, v.text(ctx.data, "designated_name", max_len=80),
                         v.text(ctx.data, "designated_relation", max_len=20), "designated", fields["judged_on"],
                         f"法院判决指定（{fields['case_number']}）")
        fields.update(revoked=[g.id for g in revoked], new_guardian=new_guardian)
    ctx.record.update(fields)
    return {"long_term_guardianship": long_term}


@task_handler(Task.ARRANGE_LONG_TERM_GUARDIANSHIP)
def arrange_long_term_guardianship(ctx):
    """民政长期监护 (未成年人保护法 art. 94) or an entrusted carer."""
    place_child(ctx, "long_term")
    return {}
