"""Bad input raises InvalidInput naming the field and leaves the database unchanged; stale writes conflict."""
import pytest
from sqlalchemy import func, select

from engine import services
from engine.errors import Conflict, InvalidInput, NotFound
from engine.models import AuditEntry, Case, RiskClue, TaskRecord, WorkItem
from engine.demo.scenario import scores

from .helpers import CHILD, assess, blue_case_at_its_outcome, decide, new_case, propose


def _counts(gl):
    with gl.reading() as s:
        return tuple(s.scalar(select(func.count(m.id))) for m in (RiskClue, Case, AuditEntry, TaskRecord, WorkItem))


def _clue(driver, **override):
    data = {"source": "school", "reporter_name": "班主任", "received_at": driver.today(), "description": "旷课",
            **CHILD, **override}
    return services.register_clue(driver.gl, driver.actor("teacher"), data)


@pytest.mark.parametrize("field, value, message", [
    ("child_id_number", "500105201405010012", "校验位"),
    ("child_id_number", "50010520140501001", "18 位"),
    ("child_id_number", "500105201402300014", "出生日期"),
    ("child_id_number", "500105201405010028", "性别"),
    ("child_birth_date", "2030-01-01", "晚于今天"),
    ("child_birth_date", "2001-01-01", "18"),
    ("received_at", "2026-12-01", "晚于今天"),
    ("received_at", "2026-03-02T12:00:00+08:00", "晚于现在"),
    ("received_at", "yesterday", "格式"),
    ("child_name", "", "必填"),
    ("source", "rumour", "选项无效"),
    ("reporter_name", "", "必填"),
])
def test_bad_clue_fields_are_named_and_nothing_is_written(gl, driver, field, value, message):
    before = _counts(gl)
    with pytest.raises(InvalidInput, match=message) as caught:
        _clue(driver, **{field: value})
    assert caught.value.field == field
    assert _counts(gl) == before


def test_bad_guardian_id_names_the_row(gl, driver):
    with pytest.raises(InvalidInput) as caught:
        _clue(driver, guardians=[{"name": "甲", "relation": "father", "id_number": "123"}])
    assert caught.value.field == "guardians-0-id_number"


def test_bad_task_input_leaves_the_case_unchanged(gl, driver):
    case = new_case(driver)
    driver.do("wf_caseworker", case, "social_investigation", {"findings": "x", "investigated_on": driver.today()})
    before, version = _counts(gl), driver.version(case)
    bad = [
        ({**scores(10), "child_safety": 7, "risk_factors": [], "summary": "x"}, "child_safety"),
        ({**scores(10), "risk_factors": ["aliens"], "summary": "x"}, "risk_factors"),
        ({**scores(10), "risk_factors": []}, "summary"),
        ({"risk_factors": [], "summary": "x"}, "child_daily_life"),
    ]
    for data, field in bad:
        with pytest.raises(InvalidInput) as caught:
            driver.do("wf_caseworker", case, "scored_assessment", data)
        assert caught.value.field == field
    assert _counts(gl) == before and driver.version(case) == version
    assert [i.task_spec for i in driver.open_items(case)] == ["scored_assessment"]


def test_no_handling_measure_chosen_is_refused(gl, driver):
    case = new_case(driver)
    assess(driver, case, 14, ["truancy"])
    with pytest.raises(InvalidInput) as caught:
        driver.do("wf_caseworker", case, "propose_measures", {"reason": "x"})
    assert caught.value.field == "measure_notify"


def test_future_dates_and_past_deadlines_are_refused(gl, driver):
    case = new_case(driver)
    with pytest.raises(InvalidInput, match="晚于今天"):
        driver.do("wf_caseworker", case, "social_investigation", {"findings": "x", "investigated_on": "2027-01-01"})
    assess(driver, case, 18, ["criminal_victim"])
    propose(driver, case, notify=False, supervision_order=True)
    decide(driver, case, "supervision_order")
    with pytest.raises(InvalidInput) as caught:
        driver.do("prosecutor", case, "draft_order", {"action": "submit", "failings": "a", "duties": "b",
                                                      "deadline": "2026-01-01"})
    assert caught.value.field == "deadline"


def test_downgrade_that_the_reassessment_does_not_support_is_refused(gl, driver):
    case = blue_case_at_its_outcome(driver)  # blue throughout: closure is recommended, a downgrade is impossible
    with pytest.raises(InvalidInput) as caught:
        services.request_downgrade(gl, driver.actor("wf_caseworker"), case, "x", driver.version(case))
    assert caught.value.field == "outcome"


def test_unknown_task_is_not_found_and_a_stale_version_conflicts(gl, driver):
    case = new_case(driver)
    actor = driver.actor("wf_caseworker")
    with pytest.raises(NotFound):
        services.complete_task(gl, actor, case, "00000000-0000-0000-0000-000000000000", {}, driver.version(case))
    with pytest.raises(NotFound):
        services.complete_task(gl, actor, 999999, "00000000-0000-0000-0000-000000000000", {}, 1)
    item = driver.item(case, "social_investigation")
    stale = driver.version(case)
    services.complete_task(gl, actor, case, item.task_id, {"findings": "x", "investigated_on": driver.today()}, stale)
    before = _counts(gl)
    with pytest.raises(Conflict):  # the same task again, as a second tab would
        services.complete_task(gl, driver.actor("wf_caseworker2"), case, item.task_id,
                               {"findings": "y", "investigated_on": driver.today()}, stale)
    with pytest.raises(Conflict):  # the next task, but from a stale page
        services.complete_task(gl, actor, case, driver.item(case, "scored_assessment").task_id,
                               {**scores(3), "risk_factors": [], "summary": "x"}, stale)
    assert _counts(gl) == before


def test_duplicates_are_found_by_id_number_or_name_and_birth_date(gl, driver):
    new_case(driver)
    actor = driver.actor("wf_caseworker")
    by_id = services.check_duplicates(gl, actor, id_number=CHILD["child_id_number"].lower())
    by_name = services.check_duplicates(gl, actor, name=CHILD["child_name"], birth_date=CHILD["child_birth_date"])
    assert by_id == by_name and by_id.matched and len(by_id.own_cases) == 1
    assert not services.check_duplicates(gl, driver.actor("yz_caseworker"), id_number=CHILD["child_id_number"]).matched
