"""Every path through the round and the processes it calls, at the workflow level (no database).

Each test drives a round as the engine does — tasks completed, records received as messages, timers fired on
the injected clock — with a serializer round trip after every step.
"""
import pytest


# --- assess, and what starts side by side after it --------------------------------------------------

def test_after_assessment_handling_guidance_and_follow_up_start_together(new_round):
    r = new_round()
    r.assess(total=14, concern=True)   # yellow
    assert r.open_work() == ["await_visit", "draft_guidance_plan", "propose_measures"]
    assert {r.owner("propose_measures"), r.owner("draft_guidance_plan")} == {"womens_federation"}


def test_a_red_case_gets_a_timed_safety_contact_beside_handling(new_round):
    r = new_round()
    r.assess(total=10, danger=True)
    assert "safety_contact" in r.ready_names()
    assert r.data("safety_contact")["safety_contact_within"] == "PT48H"
    assert "propose_measures" in r.ready_names(), "handling does not wait for the safety contact"


def test_a_child_found_unsafe_goes_to_the_police_at_once(new_round):
    r = new_round()
    r.assess(total=30)
    r.complete("safety_contact", child_safe=False)
    assert r.owner("emergency_protection") == "police"
    r.complete("emergency_protection")
    assert "emergency_protection" not in r.ready_names()


def test_a_safe_child_needs_no_emergency_step(new_round):
    r = new_round()
    r.assess(total=30)
    r.complete("safety_contact", child_safe=True)
    assert "emergency_protection" not in r.ready_names()


def test_a_late_safety_contact_is_chased_every_twelve_hours_until_made(new_round):
    r = new_round()
    r.assess(total=30)
    r.advance(hours=49)
    r.advance(hours=12)
    r.advance(hours=12)
    assert r.chases.count(("safety_contact", "safety_contact")) == 3
    assert "safety_contact" in r.ready_names(), "a chase never takes the task away"
    r.complete("safety_contact", child_safe=True)
    r.advance(hours=24)
    assert r.chases.count(("safety_contact", "safety_contact")) == 3, "the chase stops once the contact is made"


def test_a_watched_family_is_followed_up_only(new_round):
    r = new_round()
    r.assess(total=2)
    assert r.open_work() == ["await_visit"]
    data = r.data_of_waiting("await_visit")
    assert (data["risk_code"], data["visits_required"]) == ("watch", 2)
    r.visits(2, every_days=80)
    assert r.ready_names() == ["reassess"]


# --- handling: proposals and the agencies' own decisions --------------------------------------------

def test_the_proposer_only_proposes_each_measure_is_decided_by_its_issuer(new_round):
    r = new_round()
    r.assess(total=22, serious=True)   # orange
    r.propose(referrals=[("supervision_order", "procuratorate"), ("guidance_order", "court"),
                         ("reprimand", "police"), ("warning_letter", "police"), ("protection_order", "court")])
    owners = {t.data["referral"]["measure"]: r.rt.owner_agency(t) for t in r.ready("decide_referral")}
    assert owners == {"supervision_order": "procuratorate", "guidance_order": "court", "reprimand": "police",
                      "warning_letter": "police", "protection_order": "court"}


def test_a_reprimand_may_be_referred_to_the_court_or_the_procuratorate(new_round):
    r = new_round()
    r.assess(total=22, serious=True)
    r.propose(referrals=[("reprimand", "court")])
    assert r.owner("decide_referral", "reprimand") == "court"


def test_a_declined_referral_goes_back_to_the_proposer_with_its_reason(new_round):
    r = new_round()
    r.assess(total=14, concern=True)
    r.propose(referrals=[("reprimand", "police")])
    r.complete("decide_referral", "reprimand", referral_decision="decline")
    assert r.owner("acknowledge_decline") == "womens_federation"
    r.complete("acknowledge_decline")
    assert "draft_order" not in r.ready_names()


def test_the_issuer_may_investigate_before_it_decides(new_round):
    r = new_round()
    r.assess(total=22, serious=True)
    r.propose(referrals=[("supervision_order", "procuratorate")])
    r.complete("decide_referral", "supervision_order", referral_decision="investigate")
    assert r.owner("investigate_referral") == "procuratorate"
    r.complete("investigate_referral")
    r.complete("decide_referral", "supervision_order", referral_decision="accept")
    assert r.owner("draft_order") == "procuratorate"


def test_an_order_is_approved_by_the_issuers_head_after_a_return_then_delivered(new_round):
    r = new_round()
    r.assess(total=22, serious=True)
    r.propose(referrals=[("supervision_order", "procuratorate")])
    r.complete("decide_referral", "supervision_order", referral_decision="accept")
    r.complete("draft_order", "supervision_order", draft_action="submit")
    assert r.owner("approve_order") == "procuratorate"
    r.complete("approve_order", approval="returned")
    assert "draft_order" in r.ready_names(), "a returned draft goes back to the officer"
    r.complete("draft_order", draft_action="submit")
    r.complete("approve_order", approval="approved")
    assert r.owner("deliver_order") == "procuratorate"
    r.complete("deliver_order", order_result="delivered")
    assert "handle_objection" not in r.ready_names(), "an order urging guardianship has no reconsideration"


@pytest.mark.parametrize("exit_", ["refused", "withdrawn"])
def test_a_refused_or_withdrawn_order_comes_back_to_the_proposer(new_round, exit_):
    r = new_round()
    r.assess(total=22, serious=True)
    r.propose(referrals=[("supervision_order", "procuratorate")])
    r.complete("decide_referral", referral_decision="accept")
    if exit_ == "refused":
        r.complete("draft_order", draft_action="submit")
        r.complete("approve_order", approval="refused", order_result="refused")
    else:
        r.complete("draft_order", draft_action="withdraw", order_result="withdrawn")
    assert r.owner("acknowledge_decline") == "womens_federation"
    assert "deliver_order" not in r.ready_names()


def test_a_court_decision_can_be_objected_to_once(new_round):
    r = new_round()
    r.assess(total=22, serious=True)
    r.propose(referrals=[("guidance_order", "court")])
    r.issue("guidance_order")
    assert r.owner("handle_objection") == "court"
    assert r.data("handle_objection")["objection_period"] == "P5D"
    r.complete("handle_objection")
    assert "handle_objection" not in r.ready_names()


def test_approvals_and_deliveries_overdue_are_chased_without_blocking(new_round):
    r = new_round()
    r.assess(total=22, serious=True)
    r.propose(referrals=[("supervision_order", "procuratorate")])
    r.complete("decide_referral", referral_decision="accept")
    r.complete("draft_order", draft_action="submit")
    r.advance(days=4)
    r.advance(days=3)
    assert r.chases.count(("approval", "approve_order")) == 2
    r.complete("approve_order", approval="approved")
    r.advance(days=6)
    assert ("delivery", "deliver_order") in r.chases
    assert "deliver_order" in r.ready_names()


def test_civil_affairs_decides_temporary_care_and_a_decline_returns(new_round):
    r = new_round()
    r.assess(total=30)
    r.complete("safety_contact", child_safe=True)
    r.propose(care=True)
    assert r.owner("decide_care") == "civil_affairs"
    r.complete("decide_care", care_decision="decline")
    assert r.owner("acknowledge_care_decline") == "womens_federation"


def test_civil_affairs_arranges_accepted_care(new_round):
    r = new_round()
    r.assess(total=30)
    r.complete("safety_contact", child_safe=True)
    r.propose(care=True)
    r.complete("decide_care", care_decision="accept")
    assert r.owner("arrange_temporary_care") == "civil_affairs"


# --- supervising orders -------------------------------------------------------------------------------

def test_orders_in_force_are_supervised_by_their_issuers_until_complied(new_round):
    r = new_round()
    r.assess(total=22, serious=True)
    r.propose(referrals=[("supervision_order", "procuratorate")])
    r.orders = [{"id": 7, "issuer": "procuratorate", "report_every": "P30D", "chase_every": "P3D"}]
    r.issue("supervision_order")
    assert r.owner("compliance_check") == "procuratorate"
    r.complete("compliance_check", compliance="ongoing")
    assert r.ready_names().count("compliance_check") == 1
    r.complete("compliance_check", compliance="completed")
    assert "compliance_check" not in r.ready_names()


def test_non_compliance_leads_to_the_issuers_response_and_a_reprimand(new_round):
    r = new_round()
    r.assess(total=22, serious=True)
    r.propose(referrals=[("supervision_order", "procuratorate")])
    r.orders = [{"id": 7, "issuer": "procuratorate", "report_every": "P30D", "chase_every": "P3D"}]
    r.issue("supervision_order")
    r.complete("compliance_check", compliance="non_compliant")
    r.complete("decide_consequence", consequence_document=True,
               referral={"id": 9, "measure": "reprimand", "issuer": "procuratorate", "proposer": "procuratorate",
                         "rigid": False})
    assert r.owner("draft_order", "reprimand") == "procuratorate"
    r.complete("draft_order", draft_action="submit")
    r.complete("approve_order", approval="approved")
    r.complete("deliver_order", order_result="delivered")
    assert "compliance_check" in r.ready_names(), "supervision goes on after the reprimand"


def test_supervision_stops_when_the_review_falls_due(new_round):
    r = new_round()
    r.assess(total=22, serious=True)   # orange: review in 60 days
    r.propose(referrals=[("supervision_order", "procuratorate")])
    r.orders = [{"id": 7, "issuer": "procuratorate", "report_every": "P30D", "chase_every": "P3D"}]
    r.issue("supervision_order")
    r.plan(sessions=1)
    r.sessions(1)
    r.visits(4, every_days=10)
    assert "compliance_check" in r.ready_names()
    r.advance(days=25)
    assert r.ready_names() == ["reassess"], "the review is not held up by an order still in force"


# --- guidance and follow-up: records received when they happen ----------------------------------------

def test_visits_and_sessions_are_received_whenever_they_happen(new_round):
    r = new_round()
    r.assess(total=14, concern=True)   # yellow: three visits, three sessions
    r.propose()
    r.plan(sessions=3)
    assert r.send("visit_recorded", visit_id=1, visits_done=1, new_incident=False, orders_complied=True)
    assert r.send("session_recorded", session_id=1, sessions_done=1)
    assert r.waiting() == ["await_session", "await_visit"]


def test_a_visit_that_finds_a_new_incident_is_weighed_by_the_caseworker(new_round):
    r = new_round()
    r.assess(total=14, concern=True)
    r.propose()
    r.send("visit_recorded", visit_id=1, visits_done=1, new_incident=True, orders_complied=True)
    assert r.owner("review_incident") == "womens_federation"
    r.complete("review_incident")
    assert "await_visit" in r.waiting()


def test_overdue_visits_are_chased_again_and_again_but_never_block(new_round):
    r = new_round()
    r.assess(total=14, concern=True)   # yellow: first chase 33 days after the wait starts, then every 5 days
    r.propose()
    for _ in range(4):
        r.advance(days=9)
    assert r.chases.count(("visit", "await_visit")) == 1
    r.advance(days=5)
    assert r.chases.count(("visit", "await_visit")) == 2
    assert "await_visit" in r.waiting()
    r.send("visit_recorded", visit_id=1, visits_done=1, new_incident=False, orders_complied=True)
    r.advance(days=20)
    assert r.chases.count(("visit", "await_visit")) == 2, "a visit restarts the clock"


def test_guidance_ends_when_its_period_runs_out(new_round):
    r = new_round()
    r.assess(total=14, concern=True)
    r.propose()
    r.plan(sessions=3, period="P30D")
    r.advance(days=31)
    assert "await_session" not in r.waiting()


def test_the_review_waits_for_every_step_and_then_starts(new_round):
    r = new_round()
    r.reach_review(total=14, concern=True)
    assert r.rt.next_timer_at(r.wf) is None


# --- review and outcomes ------------------------------------------------------------------------------

@pytest.mark.parametrize("outcome,end,approval", [
    ("downgrade", "round_downgraded", "approve_downgrade"), ("close", "case_closed", "approve_closure")])
def test_a_downgrade_or_closure_ends_the_round_only_when_approved(new_round, outcome, end, approval):
    r = new_round()
    r.reach_review(total=14, concern=True)
    r.complete("reassess", round_code="yellow", evidence_complete=True, orders_breached=False,
               escalation_requested=False, **{"danger": False, "guardian_unable": False, "other_carer_able": False,
                                              "child_safety": 0, "serious": False, "concern": False,
                                              "special": False, "total_score": 6})
    r.complete("decide_outcome", outcome=outcome)
    r.complete(approval, approval="returned")
    assert r.ready_names() == ["decide_outcome"], "a returned request goes back to the caseworker"
    r.complete("decide_outcome", outcome=outcome)
    r.complete(approval, approval="refused")
    assert r.ready_names() == ["decide_outcome"], "a refused request too"
    r.complete("decide_outcome", outcome=outcome)
    r.complete(approval, approval="approved")
    assert r.end() == end and r.wf.is_completed()


def test_another_round_needs_no_approval(new_round):
    r = new_round()
    r.reach_review(total=14, concern=True)
    r.review("yellow", 14, "another_round", concern=True)
    assert r.end() == "round_continues"


def test_escalation_runs_the_joint_meetings_rigid_measures(new_round):
    r = new_round()
    r.reach_review(total=30)
    r.review("red", 30, "escalate", approval="approved")
    assert r.owner("joint_meeting") == "procuratorate"
    r.complete("joint_meeting", temporary_guardianship=True, revocation_support=True, rigid_referrals=[
        {"id": 11, "measure": "guidance_order", "issuer": "court", "proposer": "procuratorate", "rigid": True}])
    assert r.owner("draft_order", "guidance_order") == "court"
    assert r.owner("arrange_temporary_guardianship") == "civil_affairs"
    assert r.owner("support_revocation") == "procuratorate"
    r.complete("draft_order", draft_action="submit")
    r.complete("approve_order", approval="approved")
    r.complete("deliver_order", order_result="delivered")
    r.complete("handle_objection")
    r.complete("arrange_temporary_guardianship")
    r.complete("support_revocation")
    assert r.owner("record_revocation_judgment") == "court"
    r.complete("record_revocation_judgment", long_term_guardianship=True)
    assert r.owner("arrange_long_term_guardianship") == "civil_affairs"
    r.complete("arrange_long_term_guardianship")
    assert r.end() == "round_escalated"


def test_an_escalation_with_no_rigid_measure_ends_at_once(new_round):
    r = new_round()
    r.reach_review(total=30)
    r.review("red", 30, "escalate", approval="approved")
    r.complete("joint_meeting", temporary_guardianship=False, revocation_support=False, rigid_referrals=[])
    assert r.end() == "round_escalated"


def test_lanes_that_take_their_agency_from_the_data_follow_the_referral(new_round):
    """The same called process serves every issuing agency: its lanes read the referral's issuer."""
    r = new_round()
    r.assess(total=22, serious=True)
    r.propose(referrals=[("warning_letter", "police"), ("supervision_order", "procuratorate")])
    for measure, agency in (("warning_letter", "police"), ("supervision_order", "procuratorate")):
        r.complete("decide_referral", measure, referral_decision="accept")
        r.complete("draft_order", measure, draft_action="submit")
        assert r.owner("approve_order", measure) == agency
