"""Timers with an injected clock: visits fall due, overdue visits raise a task for the procuratorate."""
from datetime import timedelta

from sqlalchemy import func, select

from engine import services
from engine.clock import clock
from engine.models import AuditEntry, Case, CaseAgency, Round
from engine.permissions import can_view_case

from .helpers import assess, new_case, notify, open_specs, plan, session


def _to_followup(driver):
    case = new_case(driver)
    assess(driver, case, 16, ["guardian_uncooperative"])   # orange: visits every 14 days, 5 days' grace
    driver.do("wf_caseworker", case, "decide_handling", {"measure_notify": True, "reason": "橙码"})
    notify(driver, case)
    plan(driver, case)
    session(driver, case)
    return case


def test_the_next_timer_is_projected_and_fires_only_when_due(gl, driver):
    case = _to_followup(driver)
    with gl.reading() as s:
        rnd = s.scalars(select(Round).where(Round.case_id == case)).one()
    assert rnd.next_timer_at == clock.now() + timedelta(days=14)
    clock.set(rnd.next_timer_at)
    assert services.tick(gl) == 0            # fires only once strictly past due
    assert open_specs(driver, case) == []
    clock.advance(timedelta(seconds=1))
    assert services.tick(gl) == 1
    assert open_specs(driver, case) == [("record_followup_visit", "womens_federation")]
    item = driver.item(case, "record_followup_visit")
    assert item.due_at == clock.now() + timedelta(days=5)  # the visit's deadline is its overdue timer
    assert services.tick(gl) == 0            # nothing fires twice


def test_an_overdue_visit_raises_a_task_for_the_supervising_agency(gl, driver):
    case = _to_followup(driver)
    with gl.reading() as s:
        assert not can_view_case(s, driver.actor("prosecutor"), s.get(Case, case))
    driver.advance(15)
    driver.advance(6)                        # five days' grace pass without a visit
    assert open_specs(driver, case) == [("chase_overdue_visit", "procuratorate"),
                                        ("record_followup_visit", "womens_federation")]
    with gl.reading() as s:
        assert s.get(CaseAgency, (case, "procuratorate")) is not None
        assert can_view_case(s, driver.actor("prosecutor"), s.get(Case, case))
        fired = s.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "fire_timers",
                                                                 AuditEntry.case_id == case))
        assert fired == 2
    driver.do("prosecutor", case, "chase_overdue_visit", {"explanation": "社工病假", "action": "督促三日内回访"})
    assert open_specs(driver, case) == [("record_followup_visit", "womens_federation")]


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
