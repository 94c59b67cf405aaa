"""The closed-loop checklist of rounds driven through the services, on SQLite and PostgreSQL."""
from sqlalchemy import event, select, update

from engine import services
from engine.workflow.clock import clock
from engine.reads.checklists import case_checklists, checklists, complete_if_ended, round_checklist
from engine.rules.closed_loop import ITEMS
from engine.models import Approval, DocumentRecord, Round
from engine.reads.round_facts import facts
from engine.demo.scenario import scores
from engine.services.approvals import decide_approval
from engine.services.documents import correct_document

from .helpers import answer_chases, assess, deliver, new_case, order, plan, propose, session, visit


def statuses(checklist) -> dict:
    return {item.key: item.status for item in checklist.items}


def current(gl, case):
    with gl.reading() as s:
        return case_checklists(s, gl, case)[0]


def item(gl, case, key):
    return next(i for i in current(gl, case).items if i.key == key)


def admonish(driver, case):
    driver.do("wf_caseworker", case, "admonish_guardian", {"admonished_on": driver.today(), "content": "劝诫"})


def blue_round_closed(driver, case):
    """A blue round with every step evidenced: admonished (no document to serve), guided, visited, closed."""
    gl = driver.gl
    assess(driver, case, 7, ["special_family"])
    propose(driver, case, notify=False, admonish=True)
    assert statuses(current(gl, case))["handling"] == "pending"      # the admonishment is still to come
    admonish(driver, case)
    assert statuses(current(gl, case))["handling"] == "met"
    plan(driver, case)
    for _ in range(2):                                              # blue: a visit and a session a quarter
        driver.advance(80)
        session(driver, case)
        visit(driver, case)
    driver.advance(21)                                              # the review falls due after 180 days
    driver.do("wf_caseworker", case, "reassess", {**scores(2), "risk_factors": [], "summary": "稳定"})
    services.request_closure(gl, driver.actor("wf_caseworker"), case, "稳定", driver.version(case))
    services.approve(gl, driver.actor("wf_supervisor"), case, "approved", "同意", driver.version(case))


def test_a_round_with_every_step_evidenced_is_closed_loop_complete(gl, driver):
    case = new_case(driver)
    assert set(statuses(current(gl, case)).values()) == {"pending"}
    blue_round_closed(driver, case)
    checklist = current(gl, case)
    assert (checklist.round_status, checklist.outcome) == ("completed", "closed")
    assert statuses(checklist) == {key: "met" for key in ITEMS} and checklist.complete
    details = {i.key: i.detail[1] for i in checklist.items}
    assert details["guidance"].startswith("2 of 2 qualifying sessions, 120 minutes")
    assert details["follow_up"] == "2 of 2 visits" and details["approval"] == "Closure approved"


def test_a_corrected_order_left_undelivered_and_an_unmet_plan_are_missing(gl, driver):
    case = new_case(driver)
    assess(driver, case, 18, ["criminal_victim"])                   # orange
    propose(driver, case, notify=False, supervision_order=True)
    order(driver, case, "supervision_order")
    assert statuses(current(gl, case))["handling"] == "pending"     # issued, delivery still to come
    deliver(driver, case, "supervision_order")
    assert statuses(current(gl, case))["handling"] == "met"
    plan(driver, case, sessions=2, period_days=30)
    with gl.reading() as s:
        issued = s.scalars(select(DocumentRecord).where(DocumentRecord.case_id == case,
                                                        DocumentRecord.doc_type == "supervision_order")).one()
    fix = correct_document(gl, driver.actor("prosecutor"), issued.id, {"reason": "更正义务", "failings": "疏于照料",
                                                                       "duties": "按时接送，每周报告"})
    decide_approval(gl, driver.actor("pro_supervisor"), fix, "approved", "", driver.version(case))
    handling = item(gl, case, "handling")
    assert handling.status == "missing" and "0 of 1 served documents delivered" in handling.detail[1]  # the superseded order does not count
    driver.advance(10)
    session(driver, case, attended=False)
    assert statuses(current(gl, case))["guidance"] == "pending"
    driver.advance(21)                                              # the plan's 30 days run out unmet
    assert statuses(current(gl, case))["guidance"] == "missing"
    for _ in range(2):                                              # orange: four visits, every 14 days
        driver.advance(14)
        visit(driver, case)
    driver.advance(2)                                               # the review falls due after 60 days
    answer_chases(driver, case)
    driver.do("wf_caseworker", case, "reassess", {**scores(17), "risk_factors": ["bad_behaviour"], "summary": "未改善"})
    driver.do("wf_caseworker", case, "decide_outcome", {"outcome": "another_round", "reason": "指导未达标"})
    with gl.reading() as s:
        first = s.scalars(select(Round).where(Round.case_id == case, Round.number == 1)).one()
        checklist = round_checklist(s, gl, first.id)
    assert statuses(checklist) == {"assessment": "met", "handling": "missing", "guidance": "missing",
                                   "follow_up": "missing", "reassessment": "met", "approval": "not_required"}
    assert not checklist.complete
    assert "0 of 2 qualifying sessions" in next(i for i in checklist.items if i.key == "guidance").detail[1]
    assert "2 of 4 visits" in next(i for i in checklist.items if i.key == "follow_up").detail[1]


def test_an_overdue_visit_is_missing_until_the_chase_explains_it(gl, driver):
    case = new_case(driver)
    assess(driver, case, 16, ["guardian_uncooperative"])            # orange: 14 days, first chase after 17
    propose(driver, case, notify=False, admonish=True)
    admonish(driver, case)
    plan(driver, case)
    session(driver, case)
    assert statuses(current(gl, case))["follow_up"] == "pending"
    driver.advance(18)                                              # no visit yet
    follow_up = item(gl, case, "follow_up")
    assert follow_up.status == "missing" and "1 chase(s) unanswered" in follow_up.detail[1]
    assert statuses(current(gl, case))["handling"] == "met", "a late visit is not the handling's fault"
    assert answer_chases(driver, case) == ["visit"]
    follow_up = item(gl, case, "follow_up")
    assert follow_up.status == "pending" and "1 chase(s) answered" in follow_up.detail[1]


def test_an_interrupted_round_requires_nothing_more_and_the_new_round_comes_first(gl, driver):
    case = new_case(driver)
    assess(driver, case, 13, ["inadequate_guardianship"])           # yellow
    propose(driver, case, notify=False, admonish=True)
    admonish(driver, case)
    plan(driver, case, sessions=3)
    session(driver, case)
    services.upgrade_on_incident(gl, driver.actor("wf_caseworker"), case, {"code": "orange", "reason": "新发事件"},
                                 driver.version(case))
    with gl.reading() as s:
        newest, stopped = case_checklists(s, gl, case)
    assert (newest.number, stopped.number) == (2, 1)
    assert statuses(stopped) == {"assessment": "met", "handling": "met", "guidance": "not_required",
                                 "follow_up": "not_required", "reassessment": "not_required",
                                 "approval": "not_required"}
    assert stopped.complete and stopped.note[1].startswith("This round was stopped by a new incident")
    assert set(statuses(newest).values()) == {"pending"}


def test_an_escalated_round_needs_an_approved_escalation_on_record(gl, driver):
    case = new_case(driver)
    blue_round_closed(driver, case)
    with gl.transaction() as s:   # the rows as an escalated round leaves them (the approval kind is coming)
        rnd = s.scalars(select(Round).where(Round.case_id == case)).one()
        s.execute(update(Round).where(Round.id == rnd.id).values(outcome="escalated"))
    with gl.reading() as s:
        approval = next(i for i in round_checklist(s, gl, rnd.id).items if i.key == "approval")
    assert approval.status == "missing" and approval.detail[1] == "No approved escalation on record"
    with gl.transaction() as s:
        s.add(Approval(case_id=case, round_id=rnd.id, kind="escalation", status="approved", from_code="blue",
                       to_code="blue", request_reason="联席会商", requested_by=driver.actor("wf_caseworker").id,
                       requested_at=clock.now(), decided_by=driver.actor("wf_supervisor").id, decided_at=clock.now()))
    with gl.reading() as s:
        checklist = round_checklist(s, gl, rnd.id)
    assert statuses(checklist)["approval"] == "met" and checklist.complete


def test_many_rounds_take_the_same_few_queries_and_agree_with_the_database_count(gl, driver):
    cases = [new_case(driver, child_name=f"儿童{i}", child_id_number=None) for i in range(3)]
    blue_round_closed(driver, cases[0])
    assess(driver, cases[1], 13, ["inadequate_guardianship"])
    services.upgrade_on_incident(gl, driver.actor("wf_caseworker"), cases[2], {"code": "red", "reason": "新发事件"},
                                 driver.version(cases[2]))
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(gl.engine, "before_cursor_execute", count)
    try:
        with gl.reading() as s:
            all_ids = list(s.scalars(select(Round.id)))
            statements.clear()
            one = checklists(s, gl, all_ids[:1])
            queries_for_one = len(statements)
            statements.clear()
            every = checklists(s, gl, all_ids)
            queries_for_all = len(statements)
            statements.clear()
            by_select = checklists(s, gl, select(Round.id))
            queries_for_select = len(statements)
            statements.clear()
            many = checklists(s, gl, list(range(10_000, 50_000)) + all_ids)   # one bound parameter, any length
            queries_for_many = len(statements)
    finally:
        event.remove(gl.engine, "before_cursor_execute", count)
    assert len(all_ids) == 4 and len(one) == 1 and set(every) == set(all_ids) == set(by_select) == set(many)
    assert queries_for_one == queries_for_all == queries_for_select == queries_for_many == 2  # versions, facts
    with gl.reading() as s:
        f = facts(s, gl, select(Round.id).where(Round.status != "running"))
        in_database = dict(s.execute(select(f.c.round_id, complete_if_ended(f.c))).all())
    ended = {rid: c.complete for rid, c in every.items() if c.ended}
    assert {rid: bool(v) for rid, v in in_database.items()} == ended
    assert sorted(ended.values()) == [True, True]   # the closed blue round, the interrupted one
