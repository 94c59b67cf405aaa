"""A whole round through the service layer as the agencies that take part, and the evidence it leaves."""
from sqlalchemy import func, select

from engine import services
from engine.models import (
    Approval, AuditEntry, Case, CaseAgency, ComplianceCheck, DocumentRecord, GuidanceSession, OrderSupervision,
    Referral, RiskCodeChange, Round, TaskRecord,
)
from engine.demo.scenario import scores

from .helpers import (
    HEAD, OFFICER, answer_chases, assess, blue_case_at_its_outcome, deliver, new_case, notify, open_specs, order, plan, propose,
    red_case_requesting_escalation, session, visit,
)

REFERRED = ("supervision_order", "guidance_order", "reprimand")


def test_orange_round_each_measure_decided_by_its_own_agency_ends_in_an_approved_downgrade(gl, driver):
    case = new_case(driver, case_type="minor_victim")
    assert open_specs(driver, case) == [("social_investigation", "womens_federation")]
    assess(driver, case, 18, ["criminal_victim"])
    with gl.reading() as s:
        c = s.get(Case, case)
        assert c.current_code == "orange"
        history = s.scalars(select(RiskCodeChange).where(RiskCodeChange.case_id == case)).all()
        assert [(h.kind, h.code) for h in history] == [("assessment", "orange")]
        assert history[0].next_review.isoformat() == "2026-05-01"  # orange: review in 60 days
    # handling, guidance and follow-up start together: nothing waits for guidance
    assert open_specs(driver, case) == [("await_visit", "womens_federation"), ("draft_guidance_plan", "womens_federation"),
                                        ("propose_measures", "womens_federation")]

    # The women's federation proposes; each measure goes to the agency that decides it.
    propose(driver, case, **{m: True for m in REFERRED})
    assert [s for s in open_specs(driver, case) if s[0] == "decide_referral"] == [
        ("decide_referral", "court"), ("decide_referral", "police"), ("decide_referral", "procuratorate")]
    notify(driver, case)
    for measure in REFERRED:
        order(driver, case, measure, approve=False)
    # Drafts wait for each issuer's head of department; nothing is numbered before approval.
    assert [s for s in open_specs(driver, case) if s[0] == "approve_order"] == [
        ("approve_order", "court"), ("approve_order", "police"), ("approve_order", "procuratorate")]
    with gl.reading() as s:
        assert s.scalars(select(DocumentRecord).where(DocumentRecord.case_id == case,
                                                      DocumentRecord.doc_type.in_(REFERRED))).all() == []
    for measure in REFERRED:
        services.approve(gl, driver.actor(HEAD[OFFICER[measure]]), case, "approved", "同意", driver.version(case))
        deliver(driver, case, measure)
    # the guidance order may be objected to once, within five days; the court records that none came
    assert ("handle_objection", "court") in open_specs(driver, case)
    driver.do("court_supervisor", case, "handle_objection", {"applied": False})
    # orders with duties over time are supervised by their issuers; a reprimand is done once served
    assert [s for s in open_specs(driver, case) if s[0] == "compliance_check"] == [
        ("compliance_check", "court"), ("compliance_check", "procuratorate")]
    plan(driver, case, sessions=2)
    for _ in range(2):
        driver.advance(10)
        session(driver, case)
    for number in range(4):  # orange: a visit every 14 days, four per round
        if number in (0, 3):  # the issuers check compliance every 30 days
            check_compliance(driver, case)
        driver.advance(9)
        visit(driver, case)
    driver.advance(5)   # the review falls due on 1 May: supervision and follow-up give way to it
    assert open_specs(driver, case) == [("reassess", "womens_federation")]
    # the first visit came later than orange allows: its chase was answered before the review
    assert answer_chases(driver, case) == ["visit"]
    driver.do("wf_caseworker", case, "reassess", {**scores(13), "risk_factors": ["bad_behaviour"], "summary": "好转"})
    services.request_downgrade(gl, driver.actor("wf_caseworker"), case, "好转", driver.version(case))
    assert open_specs(driver, case) == [("approve_downgrade", "womens_federation")]
    services.approve(gl, driver.actor("wf_supervisor"), case, "approved", "同意", driver.version(case))

    with gl.reading() as s:
        c = s.get(Case, case)
        assert c.current_code == "yellow" and c.status == "open"
        rounds = s.scalars(select(Round).where(Round.case_id == case).order_by(Round.number)).all()
        assert [(r.status, r.outcome) for r in rounds] == [("completed", "downgraded"), ("running", None)]
        downgrade = s.scalars(select(RiskCodeChange).where(RiskCodeChange.kind == "downgrade")).one()
        assert (downgrade.previous_code, downgrade.code) == ("orange", "yellow")
        approval = s.get(Approval, downgrade.approval_id)
        assert approval.status == "approved" and approval.requested_by != approval.decided_by
        referrals = s.scalars(select(Referral).where(Referral.case_id == case)).all()
        assert {(r.measure, r.issuer, r.proposer, r.status) for r in referrals} == {
            ("supervision_order", "procuratorate", "womens_federation", "delivered"),
            ("guidance_order", "court", "womens_federation", "delivered"),
            ("reprimand", "police", "womens_federation", "delivered")}
        docs = s.scalars(select(DocumentRecord).where(DocumentRecord.case_id == case)).all()
        served = [d for d in docs if d.number]
        assert sorted(d.doc_type for d in served) == ["duty_notice", "guidance_order", "reprimand", "supervision_order"]
        assert all(d.delivered_on is not None for d in served)
        by_type = {d.doc_type: d for d in served}
        for measure in REFERRED:
            drafter = s.scalars(select(Approval.requested_by).where(Approval.subject == measure)).one()
            assert by_type[measure].issued_by == drafter, "the drafting officer issues, the head approved"
            assert by_type[measure].issuing_agency == OFFICER_AGENCY[measure]
        receipts = {d.served_document_id for d in docs if d.doc_type == "delivery_receipt"}
        assert receipts == {d.id for d in served}
        assert all(d.snapshot_sha256 and d.verification_code and d.render_state == "queued" for d in docs)
        supervised = s.scalars(select(OrderSupervision).where(OrderSupervision.case_id == case)).all()
        assert sorted(o.issuer for o in supervised) == ["court", "procuratorate"]
        assert s.scalar(select(func.count(ComplianceCheck.id)).where(ComplianceCheck.case_id == case)) == 4
        agencies = set(s.scalars(select(CaseAgency.agency_code).where(CaseAgency.case_id == case)))
        assert {"womens_federation", "procuratorate", "court", "police", "education"} <= agencies
        assert s.scalar(select(func.count(GuidanceSession.id)).where(GuidanceSession.case_id == case)) == 2
        records = s.scalar(select(func.count(TaskRecord.id)).where(TaskRecord.case_id == case))
        completions = s.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.case_id == case,
                                                                          AuditEntry.action == "complete_task"))
        assert records == completions + 4 + 2, "each completion and each visit and session its step received"
    assert open_specs(driver, case)[-1] == ("social_investigation", "womens_federation")


def check_compliance(driver, case):
    for measure in ("supervision_order", "guidance_order"):
        driver.do(OFFICER[measure], case, "compliance_check", {"checked_on": driver.today(), "result": "complied",
                                                               "report_received": True}, measure=measure)


OFFICER_AGENCY = {"supervision_order": "procuratorate", "guidance_order": "court", "reprimand": "police"}


def test_blue_case_closes_only_after_a_returned_request_is_corrected(gl, driver):
    case = blue_case_at_its_outcome(driver)
    services.request_closure(gl, driver.actor("wf_caseworker"), case, "稳定", driver.version(case))
    services.approve(gl, driver.actor("wf_supervisor"), case, "returned", "补充材料", driver.version(case))
    assert open_specs(driver, case) == [("decide_outcome", "womens_federation")]
    with gl.reading() as s:
        assert s.get(Case, case).status == "open"
    services.request_closure(gl, driver.actor("wf_caseworker"), case, "已补充", driver.version(case))
    services.approve(gl, driver.actor("wf_supervisor"), case, "approved", "", driver.version(case))
    with gl.reading() as s:
        c = s.get(Case, case)
        assert c.status == "closed" and c.closed_at is not None
        approvals = s.scalars(select(Approval).where(Approval.case_id == case).order_by(Approval.id)).all()
        assert [a.status for a in approvals] == ["returned", "approved"]
        assert approvals[0].decision_reason == "补充材料"
        assert s.scalar(select(func.count(Round.id)).where(Round.case_id == case, Round.status == "running")) == 0
    assert open_specs(driver, case) == []


def test_escalation_issues_rigid_orders_by_their_own_agencies_and_starts_a_new_round(gl, driver):
    case = red_case_requesting_escalation(driver)
    services.approve(gl, driver.actor("wf_supervisor"), case, "approved", "同意提请", driver.version(case))
    assert open_specs(driver, case) == [("joint_meeting", "procuratorate")]
    driver.do("prosecutor", case, "joint_meeting", {"held_on": driver.today(), "minutes": "会商",
                                                    "attendees": ["police", "procuratorate", "court"],
                                                    "rigid_guidance_order": True, "rigid_warning_letter": True,
                                                    "temporary_guardianship": True})
    assert open_specs(driver, case) == [("arrange_temporary_guardianship", "civil_affairs"),
                                        ("draft_order", "court"), ("draft_order", "police")]
    driver.do("civil_affairs", case, "arrange_temporary_guardianship", {
        "started_on": driver.today(), "placement": "institution", "details": "区儿童福利院",
        "guardian_ids": [driver.guardian_id(case, "监护人甲")]})
    for measure in ("guidance_order", "warning_letter"):
        # the joint meeting decided: the issuer drafts at once, its head approves, it is served
        from .helpers import draft
        draft(driver, case, measure, deadline="2026-12-31")
        services.approve(gl, driver.actor(HEAD[OFFICER[measure]]), case, "approved", "同意", driver.version(case))
        deliver(driver, case, measure)
    driver.do("court_supervisor", case, "handle_objection", {"applied": False})
    with gl.reading() as s:
        rounds = s.scalars(select(Round).where(Round.case_id == case).order_by(Round.number)).all()
        assert [r.outcome for r in rounds] == ["escalated", None]
        assert s.get(Case, case).current_code == "red"
        rigid = s.scalars(select(DocumentRecord).where(DocumentRecord.doc_type == "guidance_order",
                                                        DocumentRecord.case_id == case)).one()
        assert rigid.fields["rigid"] is True and rigid.issuing_agency == "court" and rigid.delivered_on is not None
        letter = s.scalars(select(DocumentRecord).where(DocumentRecord.doc_type == "warning_letter",
                                                         DocumentRecord.case_id == case)).one()
        assert letter.issuing_agency == "police"
    assert open_specs(driver, case)[-1] == ("social_investigation", "womens_federation")


def test_every_completion_advances_the_case_version_by_exactly_one(gl, driver):
    """Steps that change the case itself (the code, a closure) or flush it while issuing documents still
    advance its version once: the version a user sees is the one their next change must name."""
    case = new_case(driver)
    seen = driver.version(case)
    for who, spec, data in (
            ("wf_caseworker", "social_investigation", {"findings": "走访", "investigated_on": driver.today()}),
            ("wf_caseworker", "scored_assessment", {**scores(18), "risk_factors": ["serious_failure"],
                                                    "summary": "评估"}),
            ("wf_caseworker", "propose_measures", {"measure_notify": True, "reason": "橙码",
                                                   "refer_supervision_order": True})):
        driver.do(who, case, spec, data)
        assert driver.version(case) == seen + 1, spec
        seen += 1
    visit(driver, case)
    assert driver.version(case) == seen + 1
    seen += 1
    services.upgrade_on_incident(gl, driver.actor("wf_caseworker"), case, {"code": "red", "reason": "新事件"}, seen)
    assert driver.version(case) == seen + 1
