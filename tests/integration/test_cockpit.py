"""The cockpit's figures on driven cases, on SQLite and PostgreSQL: scope, China-time months, step times, cache."""
from dataclasses import replace
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from engine import services
from engine.workflow.clock import clock
from engine.reads.cockpit import cache_of, compute, read_cockpit, read_scope
from engine.errors import InvalidInput, PermissionDenied
from engine.models import Round
from engine.reads.periods import month_of_instant
from engine.services.setup import create_user

from .helpers import assess, new_case, propose
from .test_closed_loop import blue_round_closed

YZ_CHILD = {"child_name": "渝中儿童", "child_sex": "F", "child_birth_date": "2015-02-02", "child_id_number": None}


@pytest.fixture
def supervisors(gl, driver):
    admin = driver.actor("admin")
    for username, role, district in (("yz_supervisor", "supervisor", "YZ"), ("leader2", "leader", "YZ")):
        create_user(gl, admin, {"username": username, "display_name": username, "password": "guardloop-demo",
                                "agency": "womens_federation", "role": role, "district": district})
    return {name: driver.actor(name) for name in ("wf_supervisor", "yz_supervisor", "leader", "leader2")}


def scope_for(gl, actor, **filters):
    with gl.reading() as s:
        return read_scope(s, gl, actor, filters)


def figures_for(gl, actor, **filters):
    with gl.reading() as s:
        return compute(s, gl, read_scope(s, gl, actor, filters))


def test_supervisors_see_their_district_and_leaders_any_or_all(gl, driver, supervisors):
    new_case(driver)                                                  # JB, not coded yet
    new_case(driver, reporter="yz_caseworker", opener="yz_caseworker", **YZ_CHILD)
    jb, yz, leader = supervisors["wf_supervisor"], supervisors["yz_supervisor"], supervisors["leader"]
    assert scope_for(gl, jb).district_code == "JB" and scope_for(gl, yz).district_code == "YZ"
    with pytest.raises(PermissionDenied):
        scope_for(gl, jb, district="YZ")
    with pytest.raises(PermissionDenied):
        scope_for(gl, jb, district="all")
    with pytest.raises(InvalidInput) as unknown:
        scope_for(gl, leader, district="XX")
    assert unknown.value.field == "district"
    everywhere = scope_for(gl, leader, district="all")
    assert everywhere.district_id is None and everywhere.district_name == ("全市（所有区县）", "All districts")
    open_counts = {who: dict(figures_for(gl, actor, **f)["open_by_code"])[None]
                   for who, actor, f in (("jb", jb, {}), ("yz", yz, {}), ("all", leader, {"district": "all"}),
                                         ("leader_yz", leader, {"district": "YZ"}))}
    assert open_counts == {"jb": 1, "yz": 1, "all": 2, "leader_yz": 1}
    clues = dict(figures_for(gl, supervisors["leader2"])["clues_by_source"])   # a leader defaults to their own
    assert clues["school"] == 1


def test_months_are_counted_in_china_time(gl, driver, supervisors):
    clock.set(datetime(2026, 2, 28, 16, 30, tzinfo=timezone.utc))    # 00:30 on 1 March in Beijing
    case = new_case(driver)
    assess(driver, case, 13, ["inadequate_guardianship"])
    services.upgrade_on_incident(gl, driver.actor("wf_caseworker"), case, {"code": "red", "reason": "新发事件"},
                                 driver.version(case))
    with gl.reading() as s:
        dialect = s.get_bind().dialect.name
        months = set(s.scalars(select(month_of_instant(Round.started_at, dialect))))
    assert months == {"2026-03"}
    changes = figures_for(gl, supervisors["wf_supervisor"], **{"from": "2026-02-01", "to": "2026-03-01"})
    assert changes["code_changes"] == [("2026-02", 0, 0), ("2026-03", 0, 1)]
    clues = figures_for(gl, supervisors["wf_supervisor"], **{"from": "2026-02-01", "to": "2026-02-28"})
    assert sum(n for _, n in clues["clues_by_source"]) == 0          # received on 1 March, local time


def test_step_times_are_medians_and_90th_percentiles_of_finished_steps(gl, driver, supervisors):
    # assessed and handled at once, guided and visited over 160 days, reviewed when due on day 181
    blue_round_closed(driver, new_case(driver))
    second = new_case(driver, child_name="第二名儿童", child_id_number=None)
    driver.advance(2)
    assess(driver, second, 7, ["special_family"])
    third = new_case(driver, child_name="第三名儿童", child_id_number=None)
    driver.advance(3)
    assess(driver, third, 7, ["special_family"])
    propose(driver, third, notify=False, admonish=True)
    driver.advance(1)
    driver.do("wf_caseworker", third, "admonish_guardian", {"admonished_on": driver.today(), "content": "劝诫"})
    times = {s["step"]: s for s in figures_for(gl, supervisors["wf_supervisor"])["step_times"]}
    assert times["assess"] == {"step": "assess", "rounds": 3, "median_days": 2.0, "p90_days": 2.8}  # 0, 2, 3 days
    assert times["handle"] == {"step": "handle", "rounds": 2, "median_days": 0.5, "p90_days": 0.9}  # 0, 1 day
    assert times["guide"] == {"step": "guide", "rounds": 1, "median_days": 160.0, "p90_days": 160.0}
    assert times["follow_up"] == {"step": "follow_up", "rounds": 1, "median_days": 160.0, "p90_days": 160.0}
    # the review began once every step was over (day 160); the re-assessment was made when due (day 181)
    assert times["review"] == {"step": "review", "rounds": 1, "median_days": 21.0, "p90_days": 21.0}


def test_the_closed_loop_rate_leaves_interrupted_rounds_out_unless_set(gl, driver, supervisors):
    blue_round_closed(driver, new_case(driver))
    stopped = new_case(driver, child_name="中止儿童", child_id_number=None)
    assess(driver, stopped, 13, ["inadequate_guardianship"])
    services.upgrade_on_incident(gl, driver.actor("wf_caseworker"), stopped, {"code": "red", "reason": "新发事件"},
                                 driver.version(stopped))
    rate = figures_for(gl, supervisors["wf_supervisor"])["closed_loop"]
    assert {k: rate[k] for k in ("ended", "interrupted", "counted", "complete", "rate")} == {
        "ended": 2, "interrupted": 1, "counted": 1, "complete": 1, "rate": 1.0}
    gl.settings = replace(gl.settings, closed_loop_rate_counts_interrupted=True)
    rate = figures_for(gl, supervisors["wf_supervisor"])["closed_loop"]
    assert (rate["counted"], rate["complete"]) == (2, 2)
    assert rate["missing_by_item"] == {"assessment": 0, "handling": 0, "guidance": 0, "follow_up": 0,
                                       "reassessment": 0, "approval": 0}


def test_a_figure_set_is_cached_for_at_most_the_setting(gl, driver, supervisors):
    jb = supervisors["wf_supervisor"]
    cache_of(gl).clear()
    first = read_cockpit(gl, jb, {})["figures"]
    new_case(driver)
    assert read_cockpit(gl, jb, {})["figures"] is first               # within the 60 s: the same set
    gl.settings = replace(gl.settings, cockpit_cache_seconds=0)
    fresh = read_cockpit(gl, jb, {})["figures"]
    assert fresh is not first and dict(fresh["open_by_code"])[None] == dict(first["open_by_code"])[None] + 1
    with pytest.raises(PermissionDenied):
        read_cockpit(gl, driver.actor("wf_caseworker"), {})          # the cache is never a way round the check
