"""A round whose state cannot be loaded is set aside by ``tick``; every other due round still fires."""
from datetime import timedelta

from sqlalchemy import select, update

from engine import services
from engine.workflow.clock import clock
from engine.models import AuditEntry, Notification, Round
from engine.services.notifications import unread

from .test_timers import _to_followup


def _round_of(gl, case):
    with gl.reading() as s:
        return s.scalars(select(Round).where(Round.case_id == case)).one()


def test_a_truncated_round_state_is_quarantined_and_the_other_rounds_still_fire(gl, driver):
    broken, healthy = _to_followup(driver), _to_followup(driver)
    bad = _round_of(gl, broken)
    with gl.transaction() as s:
        s.execute(update(Round).where(Round.id == bad.id).values(state=bad.state[: len(bad.state) // 2]))
    clock.set(max(_round_of(gl, broken).next_timer_at, _round_of(gl, healthy).next_timer_at))
    clock.advance(timedelta(seconds=1))

    assert services.tick(gl) == 1  # the healthy round moved; the broken one did not stop it

    assert [(c.case_id, c.kind) for c in services.open_chases(gl, driver.actor("wf_supervisor"))] == [
        (healthy, "visit")]   # the healthy round's late visit was chased
    set_aside = _round_of(gl, broken)
    assert set_aside.status == "quarantined" and set_aside.next_timer_at is None
    assert services.tick(gl) == 0  # not retried: nothing is due any more
    with gl.reading() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "quarantine_round")).one()
        assert entry.case_id == broken and "Error" in entry.after["error"]
        notes = s.scalars(select(Notification).where(Notification.kind == "round_quarantined")).all()
        assert [(n.case_id, n.agency_code, n.role) for n in notes] == [(broken, "womens_federation", "supervisor")]
    assert [n.case_id for n in unread(gl, driver.actor("wf_supervisor"))] == [broken]
    assert [n for n in unread(gl, driver.actor("wf_caseworker")) if n.kind == "round_quarantined"] == []  # supervisors'
    assert services.view_case(gl, driver.actor("wf_caseworker"), broken)["case"].id == broken  # still readable
