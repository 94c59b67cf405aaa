"""Satisfaction surveys (paper and the public QR form) and the parent-school indicators against hand counts.
SQLite and PostgreSQL."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from engine.workflow.clock import clock
from engine.errors import InvalidInput, NotFound, PermissionDenied
from engine.models import District, SurveyResponse
from engine.services import parent_school as ps
from engine.services import parent_school_surveys as surveys
from engine.reads.cockpit.parent_school_indicators import PARENT_SCHOOL_INDICATORS

from .test_parent_school import course_with_sessions

ANSWERS = {"content": "5", "delivery": "4", "arrangement": "4", "effect": "5", "comment": "很有收获"}


def test_paper_and_public_answers_are_counted_per_provider(gl, driver):
    course, _ = course_with_sessions(driver)
    teacher = driver.actor("teacher")
    surveys.record_paper(gl, teacher, "course", course, ANSWERS)
    surveys.record_paper(gl, teacher, "course", course, {**ANSWERS, "content": "1", "delivery": "2",
                                                          "arrangement": "3", "effect": "2", "comment": ""})
    token = surveys.open_link(gl, teacher, "course", course)
    page = surveys.public_page(gl, token)
    assert page == {"subject": "course", "title": "做智慧父母", "provider": "江北区某小学"}
    surveys.submit_public(gl, token, {**ANSWERS, "name": "不会保存"})
    with pytest.raises(InvalidInput) as bad:
        surveys.submit_public(gl, token, {**ANSWERS, "effect": "6"})
    assert bad.value.field == "effect"
    result = surveys.results(gl, teacher, 2025)
    (name, summary), = result["providers"]
    assert name == "江北区某小学" and summary["n"] == 3
    assert summary["overall"] == round((5 + 2 + 5) / 3, 2)          # overall: each answer's rounded mean
    assert summary["satisfied"] == round(100 * 2 / 3, 1)
    assert summary["means"]["content"] == round((5 + 1 + 5) / 3, 2)
    assert [c[2] for c in result["comments"]] == ["很有收获", "很有收获"]
    with gl.reading() as s:
        channels = sorted(r.channel for r in s.scalars(select(SurveyResponse)))
        assert channels == ["paper", "paper", "qr"]
        assert all(r.recorded_by is None for r in s.scalars(select(SurveyResponse).where(SurveyResponse.channel == "qr")))
    with pytest.raises(PermissionDenied):
        surveys.record_paper(gl, driver.actor("yz_caseworker"), "course", course, ANSWERS)
    clock.advance(timedelta(hours=gl.settings.parent_school_link_hours + 1))
    with pytest.raises(NotFound):
        surveys.submit_public(gl, token, ANSWERS)


def compute(gl, key, district="JB", start=date(2025, 9, 1), end=date(2026, 8, 31)):
    indicator = next(d for d in PARENT_SCHOOL_INDICATORS if d["key"] == key)
    with gl.reading() as s:
        district_id = s.scalars(select(District.id).where(District.code == district)).one() if district else None
        return indicator["compute"](s, district_id, start, end)


def test_indicators_match_a_hand_count(gl, driver):
    # Three guardians: A at three 90-minute classes (4.5 h, certificate), B at one, C registered by a roster
    # of another session only; one 60-minute general class B also attends. Surveys: 2 of 3 satisfied.
    teacher = driver.actor("teacher")
    course, sessions = course_with_sessions(driver, capacity=50, minutes=90)
    general, (g1,) = course_with_sessions(driver, n=1, minutes=60, kind="general", capacity=50)
    a, b, c = ({"name": "甲", "phone": "13800000001"}, {"name": "乙", "phone": "13800000002"},
               {"name": "丙", "phone": "13800000003"})
    for s_id in sessions:
        ps.record_attendance(gl, teacher, s_id, a)
    ps.record_attendance(gl, teacher, sessions[0], b)
    ps.record_attendance(gl, teacher, g1, b)
    ps.record_attendance(gl, teacher, g1, c)
    for answers in (ANSWERS, ANSWERS, {**ANSWERS, "content": "1", "delivery": "1", "arrangement": "2", "effect": "1"}):
        surveys.record_paper(gl, teacher, "course", course, answers)
    # another district's guardian does not count in JB
    other = ps.create_course(gl, driver.actor("yz_caseworker"), {"title": "x", "kind": "basic", "provider_kind": "community",
                                                                  "provider_name": "某社区", "planned_hours": 2,
                                                                  "capacity": 5, "school_year": 2025})
    o1 = ps.add_session(gl, driver.actor("yz_caseworker"), other, {"held_on": "2026-03-03", "starts_at": "09:00",
                                                                   "place": "社区", "minutes": 120})
    ps.record_attendance(gl, driver.actor("yz_caseworker"), o1, {"name": "丁", "phone": "13800000004"})

    assert compute(gl, "parent_trained") == 3                        # 甲 乙 丙
    assert compute(gl, "parent_attendances") == 6                    # 3 + 2 + 1
    assert compute(gl, "parent_training_hours") == 8.0               # 4.5 + 1.5 + 1 + 1 (hours)
    assert compute(gl, "parent_average_hours") == round(8.0 / 3, 2)
    assert compute(gl, "parent_training_rate") == 100.0              # 3 trained of 3 registered
    assert compute(gl, "parent_certificates") == 1
    assert compute(gl, "parent_certificate_rate") == round(100 / 3, 1)
    assert compute(gl, "parent_school_sessions") == 4                # 3 + 1 classes in JB
    assert compute(gl, "course_satisfaction") == round(100 * 2 / 3, 1)
    assert compute(gl, "guidance_satisfaction") is None              # no answers: no figure, not 0
    assert compute(gl, "plan_course_completion") is None
    # the municipality: 丁 of 渝中 too
    assert compute(gl, "parent_trained", district=None) == 4
    assert compute(gl, "parent_training_hours", district=None) == 10.0
    # a period with nothing in it
    assert compute(gl, "parent_trained", start=date(2024, 9, 1), end=date(2025, 8, 31)) == 0
    assert compute(gl, "parent_average_hours", start=date(2024, 9, 1), end=date(2025, 8, 31)) is None
    assert {d["key"] for d in PARENT_SCHOOL_INDICATORS} >= {"parent_training_rate", "parent_certificate_rate"}
    assert all(set(d) == {"key", "name_zh", "name_en", "unit", "target", "period", "formula_zh", "compute"}
               for d in PARENT_SCHOOL_INDICATORS)
