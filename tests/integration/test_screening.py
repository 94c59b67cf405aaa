"""The screening register (摸排台账, issue 17 deliverable 6): who registers and sees, visits on a schedule,
masking, access log, and a clue in one step."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from engine.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from engine.models import AuditStaged, RiskClue, ScreeningEntry
from engine.services import screening

CHILD = {"child_name": "王小明", "child_sex": "M", "birth_date": "2015-04-03", "child_id_number": "",
         "address": "江北区观音桥街道某小区", "guardian_name": "王奶奶", "guardian_relation": "grandparent",
         "guardian_phone": "13800000000", "family_types": ["left_behind", "grandparent"], "watch_status": "watch"}


def _version(gl, entry_id):
    with gl.reading() as s:
        return s.get(ScreeningEntry, entry_id).version


def test_register_visit_and_who_sees_it(gl, driver, clock):
    grid = driver.actor("community")
    entry = screening.register_entry(gl, grid, CHILD)
    with pytest.raises(PermissionDenied):
        screening.register_entry(gl, driver.actor("police"), CHILD)
    for bad in ({"birth_date": "2000-01-01"}, {"family_types": []}, {"watch_status": "x"},
                {"child_id_number": "50010520140501001X"}):
        with pytest.raises(InvalidInput):
            screening.register_entry(gl, grid, {**CHILD, **bad})
    rows = screening.list_entries(gl, grid)
    assert [(r.child, r.watch_status, r.next_visit_on) for r in rows] == [("王**", "watch", date(2026, 4, 1))]
    # the district office sees it; a school of the district, another district and the police do not
    assert [r.id for r in screening.list_entries(gl, driver.actor("wf_caseworker"))] == [entry]
    assert screening.list_entries(gl, driver.actor("teacher")) == []
    with pytest.raises(NotFound):
        screening.read_entry(gl, driver.actor("teacher"), entry)
    with pytest.raises(PermissionDenied):
        screening.list_entries(gl, driver.actor("police"))
    with pytest.raises(PermissionDenied):
        screening.list_entries(gl, driver.actor("leader"))
    # opening an entry shows the child and is logged
    view = screening.read_entry(gl, driver.actor("wf_caseworker"), entry)
    assert view["entry"].child_name == "王小明"
    with gl.reading() as s:     # staged (a view changes nothing), then chained like every access entry
        staged = s.scalars(select(AuditStaged)).all()
        assert [(a.action, a.user_id, a.entity_id) for a in staged] == [
            ("view_screening_entry", driver.actor("wf_caseworker").id, str(entry))]
    # overdue after 30 days without a visit; a visit sets the next one from it
    clock.set(clock.now() + timedelta(days=35))
    assert [r.id for r in screening.list_entries(gl, grid, overdue_only=True)] == [entry]
    screening.record_visit(gl, grid, entry, {"visited_on": clock.today().isoformat(), "findings": "祖母照料尚可",
                                             "watch_status": "routine", "version": _version(gl, entry)})
    assert screening.list_entries(gl, grid, overdue_only=True) == []
    with gl.reading() as s:
        saved = s.get(ScreeningEntry, entry)
        assert (saved.watch_status, saved.next_visit_on) == ("routine", clock.today() + timedelta(days=90))
    with pytest.raises(Conflict):
        screening.record_visit(gl, grid, entry, {"visited_on": clock.today().isoformat(), "findings": "x",
                                                 "version": "1"})


def test_a_clue_in_one_step(gl, driver):
    grid = driver.actor("community")
    entry = screening.register_entry(gl, grid, CHILD)
    data = {"description": "走访发现儿童独自在家多日", "risk_factors": ["no_carer"], "version": _version(gl, entry)}
    with pytest.raises(PermissionDenied):          # the office watches; the registering agency reports
        screening.to_clue(gl, driver.actor("wf_caseworker"), entry, data)
    with pytest.raises(InvalidInput):
        screening.to_clue(gl, grid, entry, {**data, "risk_factors": []})
    clue = screening.to_clue(gl, grid, entry, data)
    assert screening.to_clue(gl, grid, entry, data) == clue       # twice: one clue
    with gl.reading() as s:
        saved = s.get(RiskClue, clue)
        assert (saved.source, saved.child["name"], saved.family_types) == ("community", "王小明",
                                                                           ["left_behind", "grandparent"])
        assert saved.guardians[0]["name"] == "王奶奶"
        assert s.get(ScreeningEntry, entry).clue_id == clue
        assert s.get(ScreeningEntry, entry).watch_status == "key"
        assert len(s.scalars(select(RiskClue)).all()) == 1
