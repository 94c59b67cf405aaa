"""Deciding a clue that becomes no case of its own: rejected with a reason, or merged into another clue or
an existing case; the reporting agency told the outcome; the clue list searched and filtered."""
import pytest
from sqlalchemy import select

from engine import services
from engine.reads import lists as queries
from engine.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from engine.models import AuditEntry, CaseAgency, CaseNote, RiskClue
from engine.services import clues
from engine.reads.clue_outcomes import sender_view

from .helpers import CHILD, new_case


def _clue(driver, reporter="teacher", **child):
    data = {"source": "school", "reporter_name": "班主任", "mandatory_report": False,
            "received_at": driver.today(), "description": "多次旷课，家中无人照看", "family_types": [],
            "risk_factors": ["truancy"], "guardians": [], **CHILD, **child}
    return services.register_clue(driver.gl, driver.actor(reporter), data)


def _get(gl, clue_id) -> RiskClue:
    with gl.reading() as s:
        return s.get(RiskClue, clue_id)


def _audit(gl, action) -> list:
    with gl.reading() as s:
        return s.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


def test_a_rejected_clue_carries_its_reason_to_the_reporter_and_cannot_be_opened(gl, driver):
    clue_id = _clue(driver)
    clues.reject_clue(gl, driver.actor("wf_caseworker"), clue_id, {"reason": "经核实系误报，儿童由祖母照看。"})
    clue = _get(gl, clue_id)
    assert clue.status == "rejected" and clue.decision_reason == "经核实系误报，儿童由祖母照看。"
    assert clue.decided_by == driver.actor("wf_caseworker").id and clue.decided_at is not None
    [entry] = _audit(gl, "reject_clue")
    assert entry.entity_id == str(clue_id) and entry.after["reason"] == clue.decision_reason
    [row] = services.my_reports(gl, driver.actor("teacher"))
    assert row.status == "rejected" and row.reason == clue.decision_reason and not row.case_opened
    with gl.reading() as s:
        view = sender_view(s, s.get(RiskClue, clue_id))
    assert view["status"] == "rejected" and view["decision"]["reason"] == clue.decision_reason
    with pytest.raises(Conflict):
        services.open_case(gl, driver.actor("wf_caseworker"), clue_id, {"case_type": "general"})
    with pytest.raises(Conflict):
        clues.reject_clue(gl, driver.actor("wf_caseworker"), clue_id, {"reason": "再次"})


def test_only_the_deciding_agencies_reject_and_a_reason_is_required(gl, driver):
    clue_id = _clue(driver)
    with pytest.raises(PermissionDenied):
        clues.reject_clue(gl, driver.actor("teacher"), clue_id, {"reason": "不是我的决定"})
    with pytest.raises(NotFound):     # another district's clue answers as a missing one
        clues.reject_clue(gl, driver.actor("yz_prosecutor"), clue_id, {"reason": "别的区"})
    with pytest.raises(InvalidInput) as exc:
        clues.reject_clue(gl, driver.actor("wf_caseworker"), clue_id, {"reason": "  "})
    assert exc.value.field == "reason"
    assert _get(gl, clue_id).status == "received" and _audit(gl, "reject_clue") == []


def test_a_duplicate_merged_into_an_existing_case_joins_it_as_a_note(gl, driver):
    case_id = new_case(driver)
    duplicate = _clue(driver, reporter="teacher")
    clues.merge_clue(gl, driver.actor("wf_caseworker"), duplicate,
                     {"reason": "同一儿童、同一事实，已在办理。", "into_case": _case_no(gl, case_id)})
    clue = _get(gl, duplicate)
    assert clue.status == "merged" and clue.merged_case_id == case_id and clue.case_id is None
    with gl.reading() as s:
        note = s.scalars(select(CaseNote).where(CaseNote.case_id == case_id)).one()
        assert clue.clue_no in note.body and "多次旷课" in note.body
        assert s.get(CaseAgency, (case_id, "education")) is not None
    [row] = [r for r in services.my_reports(gl, driver.actor("teacher")) if r.clue_id == duplicate]
    assert row.status == "merged" and row.merged_into == _case_no(gl, case_id) and row.reason
    [entry] = _audit(gl, "merge_clue")
    assert entry.case_id == case_id and entry.after["into_case"] == _case_no(gl, case_id)


def test_merge_into_another_clue_and_the_targets_that_are_refused(gl, driver):
    first, second = _clue(driver), _clue(driver)
    actor = driver.actor("pro_supervisor")
    for data, field in (({"reason": "重复"}, "into_case"),
                        ({"reason": "重复", "into_clue": "X", "into_case": "Y"}, "into_case"),
                        ({"reason": "重复", "into_clue": _get(gl, second).clue_no}, "into_clue"),
                        ({"reason": "重复", "into_case": "JB-2099-99999"}, "into_case")):
        with pytest.raises(InvalidInput) as exc:
            clues.merge_clue(gl, actor, second, data)
        assert exc.value.field == field
    clues.merge_clue(gl, actor, second, {"reason": "同一事实重复报告", "into_clue": _get(gl, first).clue_no.lower()})
    assert _get(gl, second).merged_into_id == first
    with pytest.raises(InvalidInput):   # nothing merges into a merged clue
        clues.merge_clue(gl, actor, first, {"reason": "x", "into_clue": _get(gl, second).clue_no})


def test_a_case_of_another_agency_is_not_a_merge_target(gl, driver):
    case_id = new_case(driver)                       # the women's federation's case
    clue_id = _clue(driver)
    with pytest.raises(InvalidInput):
        clues.merge_clue(gl, driver.actor("court_supervisor"), clue_id,
                         {"reason": "重复", "into_case": _case_no(gl, case_id)})


def _case_no(gl, case_id):
    from engine.models import Case
    with gl.reading() as s:
        return s.get(Case, case_id).case_no


def test_the_clue_list_filters_and_searches_within_what_the_user_may_see(gl, driver, clock):
    a = _clue(driver, child_name="王小明", child_id_number="", child_birth_date="2015-01-01")
    b = _clue(driver, child_name="李小红", child_id_number="", child_birth_date="2015-01-01")
    clues.reject_clue(gl, driver.actor("wf_caseworker"), b, {"reason": "误报"})
    wf = driver.actor("wf_caseworker")
    ids = lambda f: [c.id for c in queries.clues(gl, wf, f)]  # noqa: E731
    assert set(ids({})) >= {a, b}
    assert ids({"status": "rejected"}) == [b] and a in ids({"status": "received"})
    assert ids({"q": "小明"}) == [a] and ids({"q": _get(gl, b).clue_no}) == [b]
    assert set(ids({"source": "school"})) >= {a, b} and ids({"source": "hospital"}) == []
    today = driver.today()
    assert set(ids({"from": today, "to": today})) >= {a, b} and ids({"to": "2000-01-01"}) == []
    for bad in ({"status": "x"}, {"source": "x"}, {"from": "2026-13-01"}, {"from": "2026-03-02", "to": "2026-03-01"},
                {"q": "王"}):
        with pytest.raises(InvalidInput):
            queries.clues(gl, wf, bad)
    # the registrar finds its own clue; another district's prosecutor finds nothing by the name
    assert ids({"q": "小明"}) == [a]
    assert [c.id for c in queries.clues(gl, driver.actor("teacher"), {"q": "小明"})] == [a]
    assert queries.clues(gl, driver.actor("yz_prosecutor"), {"q": "小明"}) == []
