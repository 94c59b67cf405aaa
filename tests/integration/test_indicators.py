"""Each cockpit indicator against a hand count on a small fixture (issue 17, deliverable 7)."""
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from engine.reads import cockpit
from engine.reads.cockpit import indicators
from engine.reads.cockpit.parent_school_indicators import PARENT_SCHOOL_INDICATORS
from engine.reads.cockpit.tables import tables
from engine.errors import InvalidInput
from engine.models import (
    BaseStaff, District, GuidanceProvider, PracticeBase, ScreeningEntry, ScreeningVisit, User,
)
from engine.services import activities, bases, screening
from engine.services.setup import add_user

from .helpers import new_case

START, END = date(2025, 9, 1), date(2026, 3, 1)   # autumn term and a month of spring (182 days)
CHILD = {"child_sex": "F", "birth_date": "2016-06-01", "address": "江北区某街道", "guardian_name": "监护人",
         "guardian_relation": "mother", "family_types": ["single_parent"], "watch_status": "watch"}


def _setup(gl, driver, clock):
    office, teacher, grid = driver.actor("wf_caseworker"), driver.actor("teacher"), driver.actor("community")
    with gl.reading() as s:
        providers = dict(s.execute(select(GuidanceProvider.name, GuidanceProvider.id)).all())
    jb = providers["江北区妇女儿童活动中心"]
    with gl.reading() as s:
        version = s.get(PracticeBase, jb).version
    bases.renew_base(gl, office, jb, {"version": version, "valid_from": "2025-01-01", "valid_until": "2029-12-31"})
    # base activities: two in the period (one parent-child, 30 people; one lecture, 50), one before it
    for day, kind, people in (("2025-10-01", "parent_child", 30), ("2026-01-15", "lecture", 50),
                              ("2025-06-01", "parent_child", 99)):
        bases.record_base_activity(gl, office, jb, {"held_on": day, "title": "活动", "kind": kind,
                                                    "participants": str(people), "hours": "2"})
    # organisations: school 3 activities (needs 2×182/182.5 → 2: met), kindergarten 2 (needs 3: not met),
    # community 2 (needs 4×182/365 → 2: met)
    school = activities.add_organisation(gl, teacher, {"name": "甲小学", "kind": "school"})
    kinder = activities.add_organisation(gl, teacher, {"name": "乙幼儿园", "kind": "kindergarten"})
    street = activities.add_organisation(gl, grid, {"name": "丙社区", "kind": "community"})
    rows = [(teacher, school, "2025-09-20", "parent_meeting", 40), (teacher, school, "2025-11-20", "parent_child", 20),
            (teacher, school, "2026-02-20", "lecture", 35), (teacher, kinder, "2025-10-10", "parent_child", 15),
            (teacher, kinder, "2025-12-10", "lecture", 25), (grid, street, "2025-09-10", "lecture", 12),
            (grid, street, "2026-02-01", "parent_child", 18), (grid, street, "2025-08-31", "parent_child", 77)]
    for who, org, day, kind, people in rows:
        activities.record_activity(gl, who, org, {"held_on": day, "title": "活动", "kind": kind,
                                                  "participants": str(people), "hours": "1"})
    # screening (on 28 February): three children, two visited in the period, one of them turned into a clue
    clock.set(datetime(2026, 2, 28, 2, 0, tzinfo=timezone.utc))
    entries = [screening.register_entry(gl, grid, {**CHILD, "child_name": name}) for name in ("甲", "乙", "丙")]
    for entry in entries[:2]:
        with gl.reading() as s:
            version = s.get(ScreeningEntry, entry).version
        screening.record_visit(gl, grid, entry, {"visited_on": "2026-02-27", "findings": "正常", "version": version})
    with gl.reading() as s:
        version = s.get(ScreeningEntry, entries[0]).version
    screening.to_clue(gl, grid, entries[0], {"description": "发现风险", "risk_factors": ["no_carer"], "version": version})
    new_case(driver)        # a second clue, and an open case
    clock.set(datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc))


def test_each_indicator_matches_a_hand_count(gl, driver, clock):
    _setup(gl, driver, clock)
    with gl.reading() as s:
        jb = s.scalars(select(District.id).where(District.code == "JB")).one()
        yz = s.scalars(select(District.id).where(District.code == "YZ")).one()
        # the parent schools' indicators have hand counts of their own (test_parent_school_surveys.py)
        these = [i for i in indicators.INDICATORS if i.key not in {d["key"] for d in PARENT_SCHOOL_INDICATORS}]
        found = {i["key"]: i["value"] for i in indicators.compute_all(s, jb, START, END, these)}
        elsewhere = {i["key"]: i["value"] for i in indicators.compute_all(s, yz, START, END, these)}
        everywhere = {i["key"]: i["value"] for i in indicators.compute_all(s, None, START, END, these)}
    assert found == {
        "parent_child_activities": 1 + 3,          # the base's one, the school's, kindergarten's and community's
        "parent_child_participants": 30 + 20 + 15 + 18,
        "bases_in_force": 1,
        "active_base_rate": 100.0,
        "base_activities": 2,
        "base_participants": 80,
        "edu_activities": 7,
        "quota_completion_rate": round(100 * 2 / 3, 1),
        "screening_registered": 3,
        "screening_visit_coverage": round(100 * 2 / 3, 1),
        "screening_visits": 2,
        "psych_screening_coverage": 0.0,        # the two visits screened nobody
        "psych_warning_handling_rate": None,
        "screening_clues": 1,
        "new_clues": 2,
        "open_cases": 1,
        "guidance_sessions": 0,
        "guardian_attendance_rate": None,
    }
    assert elsewhere["edu_activities"] == 0 and elsewhere["bases_in_force"] == 0
    assert elsewhere["quota_completion_rate"] is None and elsewhere["screening_registered"] == 0
    assert everywhere["edu_activities"] == 7 and everywhere["new_clues"] == 2
    # the pro-rata quota
    assert indicators.required_in((2, "term"), START, END) == 2
    assert indicators.required_in((3, "term"), START, END) == 3
    assert indicators.required_in((4, "year"), START, END) == 2
    assert indicators.required_in((2, "term"), date(2025, 9, 1), date(2026, 8, 31)) == 4


def _visit(gl, who, entry, day, psych="none"):
    with gl.reading() as s:
        version = s.get(ScreeningEntry, entry).version
    screening.record_visit(gl, who, entry, {"visited_on": day, "findings": "走访", "version": version,
                                            "psych_check": psych})


def test_psychological_screening_coverage_and_warnings_dealt_with_match_a_hand_count(gl, driver, clock):
    grid = driver.actor("community")
    clock.set(datetime(2026, 1, 5, 2, 0, tzinfo=timezone.utc))
    a, b, c, d, e = (screening.register_entry(gl, grid, {**CHILD, "child_name": n}) for n in "甲乙丙丁戊")
    clock.set(datetime(2026, 2, 28, 2, 0, tzinfo=timezone.utc))
    _visit(gl, grid, a, "2026-01-10", "warning")
    _visit(gl, grid, a, "2026-01-20")               # seen again within 14 days: dealt with
    _visit(gl, grid, b, "2026-01-10", "warning")
    _visit(gl, grid, b, "2026-02-10")               # 31 days later: not dealt with in time
    _visit(gl, grid, c, "2026-01-12", "normal")
    _visit(gl, grid, d, "2026-02-20", "warning")
    with gl.reading() as s:
        version = s.get(ScreeningEntry, d).version
    screening.to_clue(gl, grid, d, {"description": "心理预警", "risk_factors": ["no_carer"], "version": version})
    _visit(gl, grid, e, "2026-01-15")               # visited, not screened
    with gl.reading() as s:
        jb = s.scalars(select(District.id).where(District.code == "JB")).one()
        these = [indicators.BY_KEY["psych_screening_coverage"], indicators.BY_KEY["psych_warning_handling_rate"]]
        found = {i["key"]: i["value"] for i in indicators.compute_all(s, jb, START, END, these)}
        before = {i["key"]: i["value"] for i in indicators.compute_all(s, jb, START, date(2026, 1, 9), these)}
    assert found == {"psych_screening_coverage": 80.0,            # 甲乙丙丁 of five
                     "psych_warning_handling_rate": round(100 * 2 / 3, 1)}   # 甲 and 丁 of 甲乙丁
    assert before == {"psych_screening_coverage": 0.0, "psych_warning_handling_rate": None}


def test_a_visit_refuses_an_unknown_psychological_screening_result(gl, driver, clock):
    grid = driver.actor("community")
    entry = screening.register_entry(gl, grid, {**CHILD, "child_name": "己"})
    with pytest.raises(InvalidInput) as refused:
        _visit(gl, grid, entry, clock.today().isoformat(), "fine")
    assert refused.value.field == "psych_check"
    with gl.reading() as s:
        assert s.scalars(select(ScreeningVisit).where(ScreeningVisit.entry_id == entry)).first() is None


def test_the_cockpit_shows_the_indicators(gl, driver, clock):
    _setup(gl, driver, clock)
    view = cockpit.read_cockpit(gl, driver.actor("wf_supervisor"), {"from": "2025-09-01", "to": "2026-03-01"})
    table = tables(view["figures"])["indicators"]
    rows = {row[0][0]: row for row in table.rows}
    assert len(rows) == len(indicators.INDICATORS)
    assert rows["指导活动配额达标率"][1] == round(100 * 2 / 3, 1) and rows["指导活动配额达标率"][2] == 100
    assert rows["亲子活动次数"][1] == 4
    assert table.sheet("en").headers[0] == "Indicator"
