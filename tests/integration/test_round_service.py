"""A whole round through the service layer as four agencies, and the evidence it leaves."""
from sqlalchemy import func, select

from engine import services
from engine.models import (
    Approval, AuditEntry, Case, CaseAgency, DocumentRecord, GuidanceSession, RiskCodeChange, Round, TaskRecord,
)
from engine.scenario import scores

from .helpers import (
    ON_THE_SPOT, assess, blue_case_at_its_outcome, deliver, new_case, notify, open_specs, order, plan,
    red_case_requesting_escalation, session, visit,
)


def test_orange_round_with_both_orders_ends_in_an_approved_downgrade(gl, driver):
    case = new_case(driver, case_type="minor_victim")
    assert open_specs(driver, case) == [("social_investigation", "womens_federation")]
    assess(driver, case, 18, ["criminal_victim"])

    with gl.reading() as s:
        c = s.get(Case, case)
        assert c.current_code == "orange"
        history = s.scalars(select(RiskCodeChange).where(RiskCodeChange.case_id == case)).all()
        assert [(h.kind, h.code) for h in history] == [("assessment", "orange")]
        assert history[0].next_review.isoformat() == "2026-05-01"  # orange: review in 60 days

    driver.do("wf_caseworker", case, "decide_handling", {"measure_reprimand": True, "measure_procuratorate_order": True,
                                                         "measure_court_order": True, "reason": "橙码"})
    assert open_specs(driver, case) == [("issue_court_order", "court"), ("issue_procuratorate_order", "procuratorate"),
                                        ("reprimand_guardian", "police")]
    driver.do("police", case, "reprimand_guardian", {"reprimanded_on": driver.today(), "failings": "放任夜不归宿",
                                                     **ON_THE_SPOT})
    order(driver, case, "prosecutor", "issue_procuratorate_order", approve=False)
    order(driver, case, "judge", "issue_court_order", approve=False, provider_id=driver.provider_id(), sessions=2)
    # Drafts wait for their heads of department; nothing is numbered before approval.
    assert open_specs(driver, case) == [("approve_court_order", "court"),
                                        ("approve_procuratorate_order", "procuratorate")]
    with gl.reading() as s:
        assert s.scalars(select(DocumentRecord).where(DocumentRecord.case_id == case,
                                                      DocumentRecord.doc_type.in_(["supervision_order",
                                                                                   "guidance_order"]))).all() == []
    services.approve(gl, driver.actor("court_supervisor"), case, "approved", "同意", driver.version(case))
    services.approve(gl, driver.actor("pro_supervisor"), case, "approved", "同意", driver.version(case))
    # Guidance waits until every order is delivered.
    assert ("draft_guidance_plan", "womens_federation") not in open_specs(driver, case)
    deliver(driver, case, "prosecutor", "deliver_procuratorate_order")
    deliver(driver, case, "court_clerk", "deliver_court_order")
    plan(driver, case, sessions=2)
    for _ in range(2):
        driver.advance(10)
        session(driver, case)
    for _ in range(4):  # orange: a visit every 14 days, four per round
        driver.advance(15)
        assert ("record_followup_visit", "womens_federation") in open_specs(driver, case)
        visit(driver, case)
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
        docs = s.scalars(select(DocumentRecord).where(DocumentRecord.case_id == case)).all()
        served = [d for d in docs if d.number]
        assert sorted(d.doc_type for d in served) == ["guidance_order", "reprimand", "supervision_order"]
        assert all(d.delivered_on is not None for d in served), "orders by their delivery tasks, a reprimand on the spot"
        orders = {d.doc_type: d for d in served if d.doc_type in ("supervision_order", "guidance_order")}
        assert orders["supervision_order"].issued_by == s.scalars(select(Approval.requested_by).where(
            Approval.subject == "supervision_order")).one(), "the drafting prosecutor issues, the head approved"
        receipts = {d.served_document_id for d in docs if d.doc_type == "delivery_receipt"}
        assert receipts == {d.id for d in served}
        kinds = sorted(d.doc_type for d in docs if d.doc_type not in ("delivery_receipt",) and not d.number)
        assert kinds == ["assessment_report"] * 2 + ["followup_record"] * 4 + ["guidance_plan"]
        assert all(d.sha256 and d.verification_code for d in docs)
        agencies = set(s.scalars(select(CaseAgency.agency_code).where(CaseAgency.case_id == case)))
        assert {"womens_federation", "procuratorate", "court", "police", "education"} <= agencies
        assert s.scalar(select(func.count(GuidanceSession.id)).where(GuidanceSession.case_id == case)) == 2
        records = s.scalar(select(func.count(TaskRecord.id)).where(TaskRecord.case_id == case))
        completions = s.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.case_id == case,
                                                                          AuditEntry.action == "complete_task"))
        assert records == completions == 20
    assert open_specs(driver, case) == [("social_investigation", "womens_federation")]


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


def test_escalation_issues_rigid_orders_and_starts_a_new_round(gl, driver):
    case = red_case_requesting_escalation(driver)
    services.approve(gl, driver.actor("wf_supervisor"), case, "approved", "同意提请", driver.version(case))
    assert open_specs(driver, case) == [("joint_meeting", "procuratorate")]
    driver.do("prosecutor", case, "joint_meeting", {"held_on": driver.today(), "minutes": "会商",
                                                    "attendees": ["police", "procuratorate", "court"],
                                                    "rigid_court_order": True, "temporary_guardianship": True})
    assert open_specs(driver, case) == [("arrange_temporary_guardianship", "civil_affairs"),
                                        ("issue_rigid_court_order", "court")]
    order(driver, case, "judge", "issue_rigid_court_order", deadline="2026-12-31", provider_id=driver.provider_id(),
          sessions=6)
    assert ("deliver_rigid_court_order", "court") in open_specs(driver, case)
    deliver(driver, case, "court_clerk", "deliver_rigid_court_order")
    driver.do("civil_affairs", case, "arrange_temporary_guardianship", {"started_on": driver.today(),
                                                                        "placement": "儿童福利机构"})
    with gl.reading() as s:
        rounds = s.scalars(select(Round).where(Round.case_id == case).order_by(Round.number)).all()
        assert [r.outcome for r in rounds] == ["escalated", None]
        assert s.get(Case, case).current_code == "red"
        rigid = s.scalars(select(DocumentRecord).where(DocumentRecord.doc_type == "guidance_order",
                                                        DocumentRecord.case_id == case)).one()
        assert rigid.fields["rigid"] is True and rigid.issuing_agency == "court" and rigid.delivered_on is not None


def test_every_completion_advances_the_case_version_by_exactly_one(gl, driver):
    """Steps that change the case itself (the code, a closure) or flush it while issuing documents still
    advance its version once: the version a user sees is the one their next change must name."""
    case = new_case(driver)
    seen = driver.version(case)
    for who, spec, data in (
            ("wf_caseworker", "social_investigation", {"findings": "走访", "investigated_on": driver.today()}),
            ("wf_caseworker", "scored_assessment", {**scores(18), "risk_factors": ["serious_failure"],
                                                    "summary": "评估"}),
            ("wf_caseworker", "decide_handling", {"measure_notify": True, "reason": "橙码"})):
        driver.do(who, case, spec, data)
        assert driver.version(case) == seen + 1, spec
        seen += 1
    services.upgrade_on_incident(gl, driver.actor("wf_caseworker"), case, {"code": "red", "reason": "新事件"}, seen)
    assert driver.version(case) == seen + 1
