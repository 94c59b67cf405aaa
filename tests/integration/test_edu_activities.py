"""Activities of schools, kindergartens and communities against their quotas (issue 17, deliverable 4)."""
from datetime import date

import pytest
from sqlalchemy import select

from engine.errors import InvalidInput, NotFound, PermissionDenied
from engine.models import AuditEntry
from engine.services import activities


def _activity(day, **extra):
    return {"held_on": day, "title": "家长会", "kind": "parent_meeting", "participants": "40", "hours": "1.5", **extra}


def test_terms_and_years():
    assert activities.term_of(date(2026, 3, 2)) == (date(2026, 2, 1), date(2026, 8, 31))
    assert activities.term_of(date(2026, 1, 15)) == (date(2025, 9, 1), date(2026, 1, 31))
    assert activities.term_of(date(2025, 9, 1)) == (date(2025, 9, 1), date(2026, 1, 31))
    assert activities.period_of("year", date(2026, 3, 2)) == (date(2026, 1, 1), date(2026, 12, 31))
    assert activities.period_label("term", date(2025, 9, 1))[0] == "2025—2026学年第一学期"


def test_quotas_come_from_the_decision_table(gl):
    with gl.reading() as s:
        assert activities.quotas(gl, s) == {"school": (2, "term"), "kindergarten": (3, "term"),
                                            "community": (4, "year")}


def test_who_is_behind(gl, driver):
    office, teacher, community = driver.actor("wf_caseworker"), driver.actor("teacher"), driver.actor("community")
    school = activities.add_organisation(gl, teacher, {"name": "江北区某小学", "kind": "school"})
    kinder = activities.add_organisation(gl, office, {"name": "江北区某幼儿园", "kind": "kindergarten"})
    street = activities.add_organisation(gl, community, {"name": "观音桥社区", "kind": "community"})
    with pytest.raises(PermissionDenied):      # a teacher does not register communities
        activities.add_organisation(gl, teacher, {"name": "另一社区", "kind": "community"})
    with pytest.raises(InvalidInput):
        activities.add_organisation(gl, teacher, {"name": "江北区某小学", "kind": "school"})
    # autumn term 2025: the school held one (short of two); spring 2026: two, so on track
    activities.record_activity(gl, teacher, school, _activity("2025-10-10"))
    activities.record_activity(gl, teacher, school, _activity("2026-02-10"))
    activities.record_activity(gl, teacher, school, _activity("2026-02-28", kind="parent_child", participants="25"))
    for day in ("2025-10-01", "2025-11-01", "2025-12-01", "2026-02-15"):
        activities.record_activity(gl, teacher, kinder, _activity(day))
    for day in ("2025-05-01", "2026-01-20"):
        activities.record_activity(gl, community, street, _activity(day, kind="lecture"))
    with pytest.raises(PermissionDenied):      # the community does not record for the school
        activities.record_activity(gl, community, school, _activity("2026-02-10"))
    with pytest.raises(PermissionDenied):      # another district
        activities.record_activity(gl, driver.actor("yz_caseworker"), school, _activity("2026-02-10"))
    with pytest.raises(NotFound):
        activities.record_activity(gl, teacher, "999999", _activity("2026-02-10"))
    with pytest.raises(InvalidInput):
        activities.record_activity(gl, teacher, school, _activity("2026-02-10", participants="many"))

    view = activities.read_progress(gl, office, date(2026, 3, 2))
    now = {p.name: (p.required, p.done, p.participants, p.behind) for p in view["current"]}
    assert now == {"江北区某小学": (2, 2, 65, False), "江北区某幼儿园": (3, 1, 40, True),
                   "观音桥社区": (4, 1, 40, True)}
    overdue = {p.name: (p.period[0], p.done) for p in view["overdue"]}
    assert overdue == {"江北区某小学": ("2025—2026学年第一学期", 1), "观音桥社区": ("2025年", 1)}
    assert {p.name for p in view["behind"]} == {"江北区某幼儿园", "观音桥社区"}
    assert {o.name for o in activities.organisations_for(gl, teacher)} == {"江北区某小学", "江北区某幼儿园"}
    assert activities.read_progress(gl, driver.actor("yz_caseworker"), date(2026, 3, 2))["current"] == []
    with pytest.raises(PermissionDenied):
        activities.read_progress(gl, driver.actor("admin"))
    with gl.reading() as s:
        assert len(s.scalars(select(AuditEntry).where(AuditEntry.action == "record_edu_activity")).all()) == 9
