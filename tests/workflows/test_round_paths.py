"""Every path through ``intervention_round``, with a serializer round trip between every step.

The ``Round`` driver (conftest.py) dumps and reloads the workflow after every completed task and every
timer tick and asserts that nothing changed; timers are moved with the injected clock.
"""
import pytest
from SpiffWorkflow.util.task import TaskState

from .conftest import MEASURES, measures

WF, PRO, CRT, POL, CIV = "womens_federation", "procuratorate", "court", "police", "civil_affairs"

# measure -> the tasks it causes, in order, and the agency that owns each (an order's approval sits in the
# supervisor lane and belongs to the issuing agency)
MEASURE_TASKS = {
    "notify": [("notify_guardian", WF)],
    "admonish": [("admonish_guardian", WF)],
    "reprimand": [("reprimand_guardian", POL)],
    "procuratorate_order": [("issue_procuratorate_order", PRO), ("approve_procuratorate_order", PRO),
                            ("deliver_procuratorate_order", PRO)],
    "court_order": [("issue_court_order", CRT), ("approve_court_order", CRT), ("deliver_court_order", CRT)],
    "civil_affairs": [("refer_civil_affairs", CIV)],
}
APPROVED = {"approve_procuratorate_order": {"procuratorate_order_approved": True},
            "approve_court_order": {"court_order_approved": True},
            "approve_rigid_procuratorate_order": {"rigid_procuratorate_order_approved": True},
            "approve_rigid_court_order": {"rigid_court_order_approved": True}}


def run(r, name):
    """Complete a task; an order's approval approves it."""
    r.complete(name, **APPROVED.get(name, {}))


# --- assess ---------------------------------------------------------------------------------------

def test_assessment_runs_the_three_tables(new_round):
    r = new_round("minor_victim")
    assert r.ready_names() == {"social_investigation"}
    assert r.lane_of("social_investigation") == WF
    r.complete("social_investigation")
    assert r.lane_of("scored_assessment") == WF
    r.complete("scored_assessment", total_score=14, risk_factors=["criminal_victim"])
    data = r.data("decide_handling")
    assert (data["assessed_code"], data["risk_code"], data["code_held"]) == ("orange", "orange", False)
    assert (data["visit_interval"], data["visit_grace"], data["visits_required"], data["review_days"]) == \
        ("P14D", "P5D", 4, 60)
    assert {k: v for k, v in data.items() if k.startswith("suggest_")} == {
        "suggest_notify": True, "suggest_admonish": False, "suggest_reprimand": False,
        "suggest_procuratorate_order": True, "suggest_court_order": False, "suggest_civil_affairs": False}
    assert r.lane_of("decide_handling") == WF


# --- handle ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("measure", MEASURES)
def test_each_handling_measure(new_round, measure):
    r = new_round("family_case")
    r.assess()
    r.complete("decide_handling", **measures(measure))
    for name, lane in MEASURE_TASKS[measure]:
        assert r.ready_names() == {name}
        assert r.lane_of(name) == lane
        run(r, name)
    assert r.ready_names() == {"draft_guidance_plan"}
    assert r.lane_of("draft_guidance_plan") == WF
    assert [n for n, _ in r.done][3:] == [n for n, _ in MEASURE_TASKS[measure]]


@pytest.mark.parametrize("order", ["forward", "reverse"])
def test_all_measures_join_before_the_plan_in_either_order(new_round, order):
    r = new_round("minor_suspect")
    r.assess()
    r.complete("decide_handling", **measures(*MEASURES))
    firsts = {steps[0][0] for steps in MEASURE_TASKS.values()}
    assert r.ready_names() == firsts
    chosen = list(MEASURES) if order == "forward" else list(reversed(MEASURES))
    for i, measure in enumerate(chosen):
        for name, lane in MEASURE_TASKS[measure]:
            assert r.lane_of(name) == lane
            run(r, name)
        if i < len(chosen) - 1:
            assert "draft_guidance_plan" not in r.ready_names(), "the join must wait for every chosen measure"
    assert r.ready_names() == {"draft_guidance_plan"}
    assert r.lanes() == {**{n: l for steps in MEASURE_TASKS.values() for n, l in steps},
                             "social_investigation": WF, "scored_assessment": WF, "decide_handling": WF}


@pytest.mark.parametrize("first", ["procuratorate", "court"])
def test_orders_are_delivered_before_guidance_whatever_finishes_first(new_round, first):
    r = new_round("family_case")
    r.assess()
    r.complete("decide_handling", **measures("notify", "procuratorate_order", "court_order"))
    assert r.ready_names() == {"notify_guardian", "issue_procuratorate_order", "issue_court_order"}
    r.complete("notify_guardian")
    chains = {"procuratorate": [n for n, _ in MEASURE_TASKS["procuratorate_order"]],
              "court": [n for n, _ in MEASURE_TASKS["court_order"]]}
    other = "court" if first == "procuratorate" else "procuratorate"
    # interleave: draft both, approve and deliver `first`, then approve and deliver the other
    run(r, chains[first][0])
    run(r, chains[other][0])
    assert r.ready_names() == {chains[first][1], chains[other][1]}, "both approvals wait in parallel"
    run(r, chains[first][1])
    run(r, chains[first][2])
    assert r.ready_names() == {chains[other][1]}
    run(r, chains[other][1])
    run(r, chains[other][2])
    assert r.ready_names() == {"draft_guidance_plan"}


@pytest.mark.parametrize("measure", ["procuratorate_order", "court_order"])
def test_a_returned_draft_goes_back_to_its_officer_until_approved(new_round, measure):
    r = new_round("family_case")
    r.assess()
    r.complete("decide_handling", **measures(measure))
    issue, approve, deliver = [n for n, _ in MEASURE_TASKS[measure]]
    r.order(issue, approve, deliver, returns=2)
    assert r.ready_names() == {"draft_guidance_plan"}
    assert [n for n, _ in r.done][3:] == [issue, approve] * 3 + [deliver]


def test_reprimand_and_civil_affairs_combination(new_round):
    r = new_round("general")
    r.assess(total_score=30, risk_factors=["no_carer"])
    assert r.data("decide_handling")["risk_code"] == "red"
    r.complete("decide_handling", **measures("reprimand", "civil_affairs"))
    assert r.ready_names() == {"reprimand_guardian", "refer_civil_affairs"}
    r.complete("refer_civil_affairs")
    assert r.ready_names() == {"reprimand_guardian"}
    r.complete("reprimand_guardian")
    assert r.ready_names() == {"draft_guidance_plan"}
    assert r.lanes()["reprimand_guardian"] == POL and r.lanes()["refer_civil_affairs"] == CIV


# --- guide ----------------------------------------------------------------------------------------

def test_guidance_ends_when_sessions_are_met(new_round):
    r = new_round()
    r.assess()
    r.handle_notify_only()
    r.complete("draft_guidance_plan", sessions_required=3, guidance_period="P180D")
    for n in (1, 2, 3):
        assert r.ready_names() == {"record_guidance_session"}
        assert r.lane_of("record_guidance_session") == WF
        r.complete("record_guidance_session", sessions_done=n)
    assert r.ready_names() == set()
    waiting = {t.task_spec.name for t in r.wf.get_tasks(state=TaskState.WAITING)}
    assert "wait_visit_due" in waiting
    assert "guidance_period_ended" not in waiting, "the period timer is cancelled with the sub-process"
    # nothing happens when the guidance period would have run out
    r.advance(days=89)
    assert r.ready_names() == set()
    r.advance(days=1, minutes=1)  # blue: first visit after P90D
    assert r.ready_names() == {"record_followup_visit"}


def test_guidance_ends_by_the_period_timer(new_round):
    r = new_round()
    r.assess()
    r.handle_notify_only()
    r.complete("draft_guidance_plan", sessions_required=6, guidance_period="P180D")
    r.complete("record_guidance_session", sessions_done=1)
    r.advance(days=179)
    assert r.ready_names() == {"record_guidance_session", "chase_overdue_session"}, "long overdue: chased"
    r.complete("record_guidance_session", sessions_done=2)
    r.advance(days=1, minutes=1)
    assert r.ready_names() == set(), "the period timer interrupts the guidance sub-process, its chase too"
    assert r.rt.reached_end(r.wf, ["guidance_period_ended"]) == "guidance_period_ended"
    r.advance(days=90)
    assert r.ready_names() == set(), "a timer fires only after its moment"
    r.advance(minutes=1)
    assert r.ready_names() == {"record_followup_visit"}


# --- follow up ------------------------------------------------------------------------------------

def test_followup_visits_on_schedule(new_round):
    r = new_round()
    r.assess(total_score=14)  # yellow: P30D, grace P7D, 3 visits
    assert r.data("decide_handling")["risk_code"] == "yellow"
    r.handle_notify_only()
    r.guide(sessions=1)
    for n in (1, 2, 3):
        r.advance(days=29)
        assert r.ready_names() == set()
        r.advance(days=1, minutes=1)
        assert r.ready_names() == {"record_followup_visit"}
        assert r.lane_of("record_followup_visit") == WF
        r.complete("record_followup_visit", visits_done=n)
    assert r.ready_names() == {"reassess"}
    assert "chase_overdue_visit" not in {n for n, _ in r.done}


def test_a_long_overdue_session_raises_a_chase_for_the_supervisor(new_round):
    r = new_round()
    r.assess(total_score=14)  # yellow: a session long overdue after P44D
    r.handle_notify_only()
    r.complete("draft_guidance_plan", sessions_required=2, guidance_period="P180D")
    r.advance(days=44)
    assert r.ready_names() == {"record_guidance_session"}
    r.advance(minutes=2)
    assert r.ready_names() == {"record_guidance_session", "chase_overdue_session"}
    assert r.lane_of("chase_overdue_session") == WF
    assert r.ready()["chase_overdue_session"].task_spec.extensions["properties"]["roles"] == "supervisor"
    r.complete("chase_overdue_session")
    r.complete("record_guidance_session", sessions_done=1)
    assert r.ready_names() == {"record_guidance_session"}, "the next session has its own deadline"
    r.complete("record_guidance_session", sessions_done=2)
    assert r.ready_names() == set()


@pytest.mark.parametrize("measure", ["procuratorate_order", "court_order"])
def test_a_long_overdue_delivery_raises_a_chase_for_the_issuing_agency(new_round, measure):
    r = new_round("family_case")
    r.assess(total_score=30, risk_factors=["no_carer"])  # red: a delivery is chased after P5D
    r.complete("decide_handling", **measures(measure))
    issue, approve, deliver = [n for n, _ in MEASURE_TASKS[measure]]
    run(r, issue)
    run(r, approve)
    r.advance(days=5, minutes=1)
    chase = f"chase_{deliver}"
    assert r.ready_names() == {deliver, chase}
    assert r.lane_of(chase) == r.lane_of(deliver)
    r.complete(deliver)
    assert r.ready_names() == {chase, "draft_guidance_plan"}, "the chase does not hold the round up"
    r.complete(chase)
    assert r.ready_names() == {"draft_guidance_plan"}


def test_a_later_round_never_assesses_below_the_current_code(new_round):
    r = new_round("general", current_code="orange")
    r.assess(total_score=3)  # blue by the scores alone
    data = r.data("decide_handling")
    assert (data["assessed_code"], data["risk_code"], data["code_held"]) == ("blue", "orange", True)
    assert data["visit_interval"] == "P14D", "the follow-up cadence is the held code's"
    up = new_round("general", current_code="yellow")
    up.assess(total_score=30, risk_factors=["no_carer"])
    assert up.data("decide_handling")["risk_code"] == "red", "a higher assessment raises the code at once"


def test_overdue_visit_raises_a_chase_that_does_not_block_the_outcome(new_round):
    r = new_round()
    r.assess(total_score=5)  # blue: P90D, grace P14D, 2 visits
    r.handle_notify_only()
    r.guide(sessions=1)
    r.advance(days=90, minutes=1)
    assert r.ready_names() == {"record_followup_visit"}
    r.advance(days=13)
    assert r.ready_names() == {"record_followup_visit"}
    r.advance(days=1, minutes=1)
    assert r.ready_names() == {"record_followup_visit", "chase_overdue_visit"}
    assert r.lane_of("chase_overdue_visit") == PRO
    r.complete("record_followup_visit", visits_done=1)
    assert r.ready_names() == {"chase_overdue_visit"}, "the chase outlives the visit it chased"
    # the second visit is overdue too: a second chase
    r.advance(days=90, minutes=1)
    r.advance(days=14, minutes=1)
    chases = [t for t in r.rt.ready_user_tasks(r.wf) if t.task_spec.name == "chase_overdue_visit"]
    assert len(chases) == 2
    r.complete("chase_overdue_visit")  # completing one chase ends only that branch
    assert r.ready_names() == {"record_followup_visit", "chase_overdue_visit"}
    r.complete("record_followup_visit", visits_done=2)
    r.reassess("blue", total_score=5, visits_on_schedule=False)
    assert r.ready_names() == {"decide_outcome", "chase_overdue_visit"}
    r.complete("decide_outcome", outcome="another_round")
    assert r.end() == "round_continues"
    assert r.wf.is_completed()
    assert r.ready_names() == set(), "the terminate end cancels the outstanding chase"
    assert r.lanes()["chase_overdue_visit"] == PRO


# --- review ---------------------------------------------------------------------------------------

def test_downgrade_approved(new_round):
    r = new_round("family_case")
    r.reach_review(risk_factors=["guardian_uncooperative"])
    assert r.data("reassess")["risk_code"] == "orange"
    data = r.reassess("orange", total_score=14)
    assert (data["assessed_code"], data["recommendation"]) == ("yellow", "downgrade")
    r.complete("decide_outcome", outcome="downgrade")
    assert r.ready_names() == {"approve_downgrade"}
    assert r.lane_of("approve_downgrade") == WF
    assert r.ready()["approve_downgrade"].task_spec.lane == "supervisor"
    r.complete("approve_downgrade", approved=True)
    assert r.end() == "round_downgraded"
    assert r.wf.is_completed()
    assert r.lanes()["decide_outcome"] == WF and r.lanes()["reassess"] == WF


def test_downgrade_returned_then_another_round(new_round):
    r = new_round()
    r.reach_review(risk_factors=["serious_failure"])
    data = r.reassess("orange", total_score=3, risk_factors=["special_family"])
    assert (data["assessed_code"], data["recommendation"]) == ("blue", "downgrade")
    r.complete("decide_outcome", outcome="downgrade")
    r.complete("approve_downgrade", approved=False)
    assert r.ready_names() == {"decide_outcome"}, "a returned downgrade goes back to the decision"
    assert r.end() is None
    r.complete("decide_outcome", outcome="another_round")
    assert r.end() == "round_continues"
    assert [n for n, _ in r.done][-3:] == ["decide_outcome", "approve_downgrade", "decide_outcome"]


def test_close_approved(new_round):
    r = new_round()
    r.reach_review()
    data = r.reassess("blue", total_score=2)
    assert (data["assessed_code"], data["recommendation"]) == ("blue", "close")
    r.complete("decide_outcome", outcome="close")
    assert r.ready_names() == {"approve_closure"}
    assert r.lane_of("approve_closure") == WF
    r.complete("approve_closure", approved=True)
    assert r.end() == "case_closed"
    assert r.wf.is_completed()


def test_close_returned_then_another_round(new_round):
    r = new_round()
    r.reach_review()
    r.reassess("blue", total_score=2)
    r.complete("decide_outcome", outcome="close")
    r.complete("approve_closure", approved=False)
    assert r.ready_names() == {"decide_outcome"}
    r.complete("decide_outcome", outcome="close")
    r.complete("approve_closure", approved=False)
    r.complete("decide_outcome", outcome="another_round")
    assert r.end() == "round_continues"


def test_downgrade_or_close_without_recommendation_does_not_end_the_case(new_round):
    r = new_round()
    r.reach_review()
    data = r.reassess("blue", total_score=14)  # worse: yellow, another_round
    assert (data["assessed_code"], data["recommendation"]) == ("yellow", "another_round")
    r.complete("decide_outcome", outcome="close")
    assert r.end() == "round_continues"
    assert "approve_closure" not in {n for n, _ in r.done}


# rigid measure -> the tasks it causes, in order, and their owner (rigid orders are approved and delivered too)
RIGID = {
    "rigid_court_order": [("issue_rigid_court_order", CRT), ("approve_rigid_court_order", CRT),
                          ("deliver_rigid_court_order", CRT)],
    "rigid_procuratorate_order": [("issue_rigid_procuratorate_order", PRO), ("approve_rigid_procuratorate_order", PRO),
                                  ("deliver_rigid_procuratorate_order", PRO)],
    "temporary_guardianship": [("arrange_temporary_guardianship", CIV)],
}
RIGID_TASKS = {name for steps in RIGID.values() for name, _ in steps}


def escalate_to_joint_meeting(r):
    r.reach_review(risk_factors=["violence_abuse"])
    data = r.reassess("red", total_score=30, risk_factors=["violence_abuse"], plan_met=False)
    assert (data["assessed_code"], data["recommendation"]) == ("red", "escalate")
    r.complete("decide_outcome", outcome="escalate")
    assert r.ready_names() == {"approve_escalation"}
    assert r.lane_of("approve_escalation") == WF
    r.complete("approve_escalation", approved=True)
    assert r.ready_names() == {"joint_meeting"}
    assert r.lane_of("joint_meeting") == PRO


def test_escalation_returned(new_round):
    r = new_round("minor_victim")
    r.reach_review(risk_factors=["violence_abuse"])
    r.reassess("red", total_score=30, risk_factors=["violence_abuse"], plan_met=False)
    r.complete("decide_outcome", outcome="escalate")
    r.complete("approve_escalation", approved=False)
    assert r.ready_names() == {"decide_outcome"}, "a returned escalation goes back to the decision"
    r.complete("decide_outcome", outcome="another_round")
    assert r.end() == "round_continues"


@pytest.mark.parametrize("chosen", [(), ("rigid_court_order",), ("rigid_procuratorate_order",),
                                    ("temporary_guardianship",), tuple(RIGID)],
                         ids=["none", "court", "procuratorate", "guardianship", "all"])
def test_escalate(new_round, chosen):
    r = new_round("minor_victim")
    escalate_to_joint_meeting(r)
    r.complete("joint_meeting", **{k: k in chosen for k in RIGID})
    assert r.ready_names() == {RIGID[k][0][0] for k in chosen}
    for k in chosen:
        name, lane = RIGID[k][0]
        assert r.lane_of(name) == lane
    for k in reversed(chosen):
        for name, lane in RIGID[k]:
            assert r.end() is None
            assert name in r.ready_names()
            assert r.lane_of(name) == lane
            run(r, name)
    assert r.end() == "round_escalated"
    assert r.wf.is_completed()
    expected = [name for k in reversed(chosen) for name, _ in RIGID[k]]
    assert [n for n, _ in r.done if n in RIGID_TASKS] == expected


@pytest.mark.parametrize("first", ["procuratorate", "court"])
def test_rigid_orders_are_delivered_before_the_round_escalates(new_round, first):
    r = new_round("minor_victim")
    escalate_to_joint_meeting(r)
    r.complete("joint_meeting", rigid_court_order=True, rigid_procuratorate_order=True,
               temporary_guardianship=False)
    assert r.ready_names() == {"issue_rigid_procuratorate_order", "issue_rigid_court_order"}
    chains = {"procuratorate": [n for n, _ in RIGID["rigid_procuratorate_order"]],
              "court": [n for n, _ in RIGID["rigid_court_order"]]}
    other = "court" if first == "procuratorate" else "procuratorate"
    # a drafted and approved order alone does not finish its branch: its delivery comes next
    run(r, chains[first][0])
    run(r, chains[first][1])
    assert r.ready_names() == {chains[first][2], chains[other][0]}
    run(r, chains[other][0])
    run(r, chains[other][1])
    assert r.ready_names() == {chains[first][2], chains[other][2]}
    run(r, chains[first][2])
    assert r.ready_names() == {chains[other][2]}
    assert r.end() is None, "the join waits for the other delivery"
    run(r, chains[other][2])
    assert r.end() == "round_escalated"
    assert r.wf.is_completed()
    assert r.lanes()["deliver_rigid_procuratorate_order"] == PRO
    assert r.lanes()["deliver_rigid_court_order"] == CRT


def test_another_round(new_round):
    r = new_round()
    r.reach_review(risk_factors=["truancy"])
    data = r.reassess("yellow", total_score=14, plan_met=False)
    assert (data["risk_code"], data["recommendation"]) == ("yellow", "another_round")
    r.complete("decide_outcome", outcome="another_round")
    assert r.end() == "round_continues"
    assert r.wf.is_completed()
    assert r.ready_names() == set()


def test_every_user_task_of_a_full_round_sat_in_an_agency_lane(new_round):
    r = new_round("family_case")
    r.assess(total_score=20)
    r.complete("decide_handling", **measures(*MEASURES))
    for steps in MEASURE_TASKS.values():
        for name, _ in steps:
            run(r, name)
    r.guide(sessions=2)
    r.follow_up()
    r.reassess("yellow", total_score=20)
    r.complete("decide_outcome", outcome="escalate")
    r.complete("approve_escalation", approved=True)
    r.complete("joint_meeting", rigid_court_order=True, rigid_procuratorate_order=True, temporary_guardianship=True)
    for steps in RIGID.values():
        for name, _ in steps:
            run(r, name)
    assert r.end() == "round_escalated"
    lanes = r.lanes()
    assert set(lanes.values()) == {WF, PRO, CRT, POL, CIV}
    assert lanes["record_guidance_session"] == WF  # the sub-process's inner task inherits its lane
