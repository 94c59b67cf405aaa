"""bench.bulk.CaseCopier (the seed's path to 10⁵ cases): copies are whole, working cases of their own, the
audit chain stays intact, and a copier refuses to write when something else wrote meanwhile."""
import random
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engine import services
from engine.auditlog.verify import verify
from bench.bulk import CaseCopier, load_template
from engine.workflow.clock import clock
from engine.models import AuditEntry, Case, Round, WorkItem
from engine.workflow.rounds import load_workflow

from .helpers import assess, deliver, new_case, notify, order, plan, propose, session


def _waiting_on_a_visit(driver):
    case = new_case(driver)
    assess(driver, case, 16, ["guardian_uncooperative"])   # orange: visits every 14 days
    propose(driver, case, supervision_order=True)
    notify(driver, case)
    order(driver, case, "supervision_order")
    deliver(driver, case, "supervision_order")             # supervised by the procuratorate from now
    plan(driver, case)
    session(driver, case)
    return case


def _open_work(gl, session_, rnd):
    runtime, workflow = load_workflow(session_, gl, rnd)
    return sorted(str(t.id) for t in [*runtime.ready_user_tasks(workflow), *runtime.waiting_receive_tasks(workflow)])


def test_copies_are_new_cases_that_keep_working(gl, driver):
    original = _waiting_on_a_visit(driver)
    shift = timedelta(days=3)
    with gl.reading() as s:
        template = load_template(s, original)
        copier = CaseCopier(s, random.Random(7))
        copies = [copier.copy(template, template.district_id, shift) for _ in range(3)]
    with gl.transaction() as s:
        assert copier.write(s) > 0
    report = verify(gl)
    assert report.ok, report.problems
    with gl.reading() as s:
        rows = {c.id: c for c in s.scalars(select(Case).where(Case.id.in_([original, *copies])))}
        assert len({c.case_no for c in rows.values()}) == 4
        assert len({c.child_id_number for c in rows.values()}) == 4
        first = s.scalars(select(Round).where(Round.case_id == original)).one()
        for case_id in copies:
            rnd = s.scalars(select(Round).where(Round.case_id == case_id)).one()
            assert rnd.next_timer_at == first.next_timer_at + shift   # the timer inside the state moved too
            assert _open_work(gl, s, rnd) == sorted(
                s.scalars(select(WorkItem.task_id).where(WorkItem.round_id == rnd.id)))
            entries = s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.case_id == case_id))
            assert entries == s.scalar(select(func.count()).select_from(AuditEntry)
                                       .where(AuditEntry.case_id == original))
    clock.set(first.next_timer_at + shift + timedelta(seconds=1))
    assert services.tick(gl) == 4                         # the original and each copy fire once
    for case_id in (original, *copies):
        assert services.open_chases(gl, driver.actor("wf_supervisor"))
        # each copy's own referral and order: the prosecutor checks compliance and the copy's rows change
        driver.do("prosecutor", case_id, "compliance_check", {"checked_on": driver.today(), "result": "complied",
                                                              "report_received": True})
    with gl.reading() as s:
        from engine.models import ComplianceCheck, OrderSupervision
        checked = dict(s.execute(select(ComplianceCheck.case_id, ComplianceCheck.document_id)).all())
        supervised = dict(s.execute(select(OrderSupervision.case_id, OrderSupervision.document_id)).all())
    assert checked == supervised and len(set(checked.values())) == 4
    assert verify(gl).ok


def test_a_copier_refuses_to_write_after_another_writer(gl, driver):
    original = _waiting_on_a_visit(driver)
    with gl.reading() as s:
        template = load_template(s, original)
        copier = CaseCopier(s, random.Random(7))
        copier.copy(template, template.district_id, timedelta(days=1))
    new_case(driver)                                      # someone else writes (and is audited) meanwhile
    with gl.reading() as s:
        before = s.scalar(select(func.count()).select_from(Case))
    with pytest.raises(RuntimeError, match="something else wrote"):
        with gl.transaction() as s:
            copier.write(s)
    with gl.reading() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == before   # nothing half-written
    assert verify(gl).ok
