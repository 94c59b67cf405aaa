"""Timers with an injected clock: due dates, chases raised beside late steps and routed by their table, a new
incident restarting the round."""
from datetime import timedelta

from sqlalchemy import select

from engine import services
from engine.workflow.clock import clock
from engine.models import AuditEntry, Case, CaseAgency, Round
from engine.reads.access import can_view_case

from .helpers import assess, new_case, notify, open_specs, plan, propose, session, visit


def _to_followup(driver):
    case = new_case(driver)
    assess(driver, case, 16, ["guardian_uncooperative"])   # orange: a visit every 14 days, chased after 17
    propose(driver, case)
    notify(driver, case)
    plan(driver, case)
    session(driver, case)
    return case


def test_the_next_timer_is_projected_and_fires_only_when_due(gl, driver):
    case = _to_followup(driver)
    started = clock.now()
    with gl.reading() as s:
        rnd = s.scalars(select(Round).where(Round.case_id == case)).one()
    assert rnd.next_timer_at == clock.now() + timedelta(days=17)   # the first visit's chase
    assert driver.item(case, "await_visit").due_at == clock.now() + timedelta(days=14)
    clock.set(rnd.next_timer_at)
    assert services.tick(gl) == 0            # fires only once strictly past due
    assert services.open_chases(gl, driver.actor("wf_supervisor")) == []
    clock.advance(timedelta(seconds=1))
    assert services.tick(gl) == 1
    (chase,) = services.open_chases(gl, driver.actor("wf_supervisor"))
    assert (chase.case_id, chase.kind, chase.times) == (case, "visit", 1)
    assert services.tick(gl) == 0            # nothing fires twice
    with gl.reading() as s:
        rnd = s.get(Round, rnd.id)
    assert rnd.next_timer_at == started + timedelta(days=18)       # the next guidance session's chase


def test_turns_missed_while_no_tick_ran_raise_one_chase_counted_once_per_turn(gl, driver):
    case = _to_followup(driver)
    driver.advance(17.1 + 3 + 0.5)           # the first chase and one more turn fall due before any tick
    with gl.reading() as s:
        from engine.models import Chase
        visits = s.scalars(select(Chase).where(Chase.case_id == case, Chase.kind == "visit")).all()
    assert [(c.times, c.resolved_at) for c in visits] == [(2, None)]


def test_a_visit_chased_three_times_goes_to_the_procuratorate_which_never_joins_the_case(gl, driver):
    case = _to_followup(driver)
    driver.advance(17.1)
    driver.advance(3)
    assert [(c.case_id, c.kind, c.times) for c in services.open_chases(gl, driver.actor("wf_supervisor"))] == [
        (case, "visit", 2), (case, "session", 1)]
    assert services.open_chases(gl, driver.actor("pro_supervisor")) == []
    driver.advance(3)                        # the third time: the procuratorate's legal supervision
    assert [c.kind for c in services.open_chases(gl, driver.actor("wf_supervisor"))] == ["session"]
    (chase,) = services.open_chases(gl, driver.actor("pro_supervisor"))
    assert (chase.case_id, chase.kind, chase.late_agency, chase.times) == (case, "visit", "womens_federation", 3)
    with gl.reading() as s:
        assert s.get(CaseAgency, (case, "procuratorate")) is None
        assert not can_view_case(s, driver.actor("prosecutor"), s.get(Case, case))
        raised = s.scalars(select(AuditEntry.after).where(AuditEntry.action == "raise_chase",
                                                          AuditEntry.case_id == case)).all()
        assert [(r["kind"], r["times"], r["to_agency"]) for r in raised if r["kind"] == "visit"] == [
            ("visit", 1, "womens_federation"), ("visit", 2, "womens_federation"), ("visit", 3, "procuratorate")]
    services.answer_chase(gl, driver.actor("pro_supervisor"), chase.chase_id,
                          {"explanation": "社工病假", "action": "督促三日内回访"})
    assert services.open_chases(gl, driver.actor("pro_supervisor")) == []
    assert ("await_visit", "womens_federation") in open_specs(driver, case), "the visit is still to be made"
    driver.advance(3)                        # still no visit: chased again, a new chase to answer
    (again,) = services.open_chases(gl, driver.actor("pro_supervisor"))
    assert again.chase_id != chase.chase_id and again.times == 4
    visit(driver, case)
    driver.advance(3)
    with gl.reading() as s:
        from engine.models import Chase
        visits = s.scalars(select(Chase).where(Chase.case_id == case, Chase.kind == "visit")).all()
        assert len(visits) == 2 and all(c.resolved_at is not None for c in visits), "the visit came: no more chases"


def test_an_upgrade_on_a_new_incident_restarts_the_round_with_a_fresh_assessment(gl, driver):
    case = _to_followup(driver)
    result = services.upgrade_on_incident(gl, driver.actor("teacher"), case,
                                          {"code": "red", "reason": "新发家暴"}, driver.version(case))
    assert result["case_version"] == driver.version(case)
    with gl.reading() as s:
        c = s.get(Case, case)
        assert c.current_code == "red"
        rounds = s.scalars(select(Round).where(Round.case_id == case).order_by(Round.number)).all()
        assert [(r.status, r.outcome, r.next_timer_at) for r in rounds[:1]] == [("interrupted", "upgraded", None)]
        assert rounds[1].status == "running"
    assert open_specs(driver, case) == [("social_investigation", "womens_federation")]
    assert services.tick(gl) == 0


def test_a_batch_cut_short_by_another_scheduler_does_not_end_the_tick(gl, driver, monkeypatch):
    """Rounds another scheduler takes (skipped here) must not make this one stop before the end of what is
    due: with batches of 3 and the first round taken elsewhere, all the others still fire."""
    from engine.services import timers
    cases = [_to_followup(driver) for _ in range(7)]
    with gl.reading() as s:
        rounds = s.scalars(select(Round).where(Round.case_id.in_(cases)).order_by(Round.next_timer_at, Round.id)).all()
    taken_elsewhere = rounds[0].id
    clock.set(max(r.next_timer_at for r in rounds) + timedelta(seconds=1))
    fire = timers._fire_round
    monkeypatch.setattr(timers, "_fire_round", lambda gl, rid, now: 0 if rid == taken_elsewhere else fire(gl, rid, now))
    assert services.tick(gl, limit=3) == 6
    with gl.reading() as s:
        due = s.scalars(select(Round.id).where(Round.next_timer_at < clock.now(), Round.status == "running")).all()
    assert due == [taken_elsewhere]
