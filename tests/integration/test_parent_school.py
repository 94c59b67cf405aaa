"""Parent schools: courses, sessions, sign-in (QR sheet, roster, staff), hours per school year, certificates,
and a guidance plan that requires courses counted by the closed-loop checklist. SQLite and PostgreSQL."""
from datetime import timedelta
from io import BytesIO

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from engine.workflow.clock import clock
from engine.errors import InvalidInput, NotFound, PermissionDenied
from engine.models import AuditStaged, Attendance, Certificate, Guardian, Participant, PublicLink
from engine.services import parent_school as ps

from .helpers import assess, new_case, propose
from .test_closed_loop import admonish, current, statuses

COURSE = {"title": "做智慧父母", "kind": "basic", "provider_kind": "school", "provider_name": "江北区某小学",
          "planned_hours": 8, "capacity": 3, "school_year": 2025}


def course_with_sessions(driver, who="teacher", n=3, minutes=90, **extra):
    course = ps.create_course(driver.gl, driver.actor(who), {**COURSE, **extra})
    sessions = [ps.add_session(driver.gl, driver.actor(who), course,
                               {"held_on": (clock.today() + timedelta(days=i)).isoformat(), "starts_at": "19:00",
                                "place": "学校报告厅", "minutes": minutes}) for i in range(n)]
    return course, sessions


def roster(*rows, header=("姓名", "手机号", "身份证号")) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def test_school_years_run_from_september():
    from datetime import date
    assert ps.school_year_of(date(2025, 9, 1)) == 2025 and ps.school_year_of(date(2026, 8, 31)) == 2025
    assert ps.school_year_of(date(2026, 9, 1)) == 2026
    assert ps.hours(90) == "1.5" and ps.hours(240) == "4"


def test_a_course_is_run_by_staff_of_its_district_only(gl, driver):
    course, (first, *_) = course_with_sessions(driver)
    for who in ("police", "yz_caseworker", "leader"):
        with pytest.raises(PermissionDenied):
            ps.add_session(gl, driver.actor(who), course, {"held_on": "2026-03-02", "starts_at": "19:00",
                                                           "place": "x", "minutes": 60})
    with pytest.raises(PermissionDenied):   # community staff see it but another agency runs it
        ps.open_signin(gl, driver.actor("community"), first)
    ps.open_signin(gl, driver.actor("wf_caseworker"), first)   # the district office may
    with pytest.raises(InvalidInput) as bad:
        ps.add_session(gl, driver.actor("teacher"), course, {"held_on": "2026-09-02", "starts_at": "19:00",
                                                             "place": "x", "minutes": 60})
    assert bad.value.field == "held_on"                       # outside the 2025—2026 school year
    with pytest.raises(InvalidInput) as bad:
        ps.create_course(gl, driver.actor("teacher"), {**COURSE, "kind": "lecture"})
    assert bad.value.field == "kind"


def test_qr_sign_in_matches_the_register_and_reveals_nobody(gl, driver):
    course, (first, second, third) = course_with_sessions(driver)
    token = ps.open_signin(gl, driver.actor("teacher"), first)
    page = ps.public_signin_page(gl, token)
    assert page["title"] == "做智慧父母" and page["place"] == "学校报告厅" and "name" not in page
    # unknown name and digits: asked for the full number, nothing recorded
    assert ps.public_signin(gl, token, {"name": "王芳", "last4": "1234"}) == "need_phone"
    assert ps.public_signin(gl, token, {"name": "王芳", "phone": "13800001234"}) == "signed"
    assert ps.public_signin(gl, token, {"name": "王芳", "last4": "1234"}) == "already"
    # a second session: name and last four digits are enough now
    token2 = ps.open_signin(gl, driver.actor("teacher"), second)
    assert ps.public_signin(gl, token2, {"name": "王芳", "last4": "1234"}) == "signed"
    with pytest.raises(InvalidInput):
        ps.public_signin(gl, token2, {"name": "王芳", "last4": "12a4"})
    # the number is someone else's: refused without saying whose, and counted as a failed attempt
    assert ps.public_signin(gl, token2, {"name": "李四", "phone": "13800001234"}) == "mismatch"
    # a new link withdraws the old one; an expired link is refused
    ps.open_signin(gl, driver.actor("teacher"), first)
    with pytest.raises(NotFound):
        ps.public_signin_page(gl, token)
    clock.advance(timedelta(hours=gl.settings.parent_school_link_hours, minutes=1))
    with pytest.raises(NotFound):
        ps.public_signin(gl, token2, {"name": "王芳", "last4": "1234"})


def test_guessing_locks_the_sheet(gl, driver):
    _, (first, *_) = course_with_sessions(driver)
    token = ps.open_signin(gl, driver.actor("teacher"), first)
    for i in range(ps.SIGNIN_FAILURES_MAX):
        assert ps.public_signin(gl, token, {"name": f"某{i}", "last4": "0000"}) == "need_phone"
    assert ps.public_signin_page(gl, token)["locked"]
    with pytest.raises(PermissionDenied):
        ps.public_signin(gl, token, {"name": "王芳", "phone": "13800001234"})


def test_capacity_is_kept(gl, driver):
    _, (first, *_) = course_with_sessions(driver)
    teacher = driver.actor("teacher")
    for i in range(3):
        ps.record_attendance(gl, teacher, first, {"name": f"家长{i}", "phone": f"1390000000{i}"})
    with pytest.raises(InvalidInput):
        ps.record_attendance(gl, teacher, first, {"name": "家长9", "phone": "13900000009"})


def test_roster_import_reports_each_row_and_records_the_valid_ones(gl, driver):
    _, (first, *_) = course_with_sessions(driver, capacity=50)
    content = roster(("张三", "13900001111", None), ("", "13900002222", None), ("李四", "1390000", None),
                     ("王五", None, "11010519491231002x"), ("张三", "13900001111", None), ("赵六", None, "110105194912310022"))
    report = ps.import_roster(gl, driver.actor("teacher"), first, content)
    assert [(r["row"], r["status"], r["field"]) for r in report] == [
        (2, "signed", None), (3, "error", "name"), (4, "error", "phone"), (5, "signed", None),
        (6, "already", None), (7, "error", "id_number")]
    with gl.reading() as s:
        assert s.scalar(select(func.count(Attendance.id))) == 2
        assert s.scalar(select(func.count(Participant.id))) == 2
    with pytest.raises(InvalidInput):
        ps.import_roster(gl, driver.actor("teacher"), first, b"not a workbook")
    with pytest.raises(InvalidInput):
        ps.import_roster(gl, driver.actor("teacher"), first, roster(("x",), header=("备注",)))


def test_four_hours_in_a_school_year_earn_one_verifiable_certificate(gl, driver):
    _, sessions = course_with_sessions(driver, capacity=50, minutes=90)
    teacher = driver.actor("teacher")
    person = {"name": "王芳", "phone": "13800001234"}
    ps.record_attendance(gl, teacher, sessions[0], person)
    ps.record_attendance(gl, teacher, sessions[1], person)
    with gl.reading() as s:
        assert s.scalar(select(func.count(Certificate.id))) == 0      # 3 hours: not yet
    ps.record_attendance(gl, teacher, sessions[2], person)            # 4.5 hours
    with gl.reading() as s:
        certificate = s.scalars(select(Certificate)).one()
        participant = s.get(Participant, certificate.participant_id)
    assert certificate.school_year == 2025 and certificate.minutes == 270
    assert certificate.number == "JB家校结字〔2025〕00001号"
    record = ps.learning_record(gl, teacher, participant.id)
    assert [(y["year"], y["classes"], y["minutes"]) for y in record["years"]] == [(2025, 3, 270)]
    assert record["years"][0]["certificate"].id == certificate.id
    found = ps.verify_certificate(gl, certificate.code.lower())
    assert found["number"] == certificate.number and found["name"] != "王芳" and found["hours"] == "4.5"
    assert ps.verify_certificate(gl, "ZZZZ-ZZZZ") is None
    with pytest.raises(NotFound):        # another district's staff
        ps.learning_record(gl, driver.actor("yz_caseworker"), participant.id)
    with pytest.raises(PermissionDenied):
        ps.certificate_of(gl, driver.actor("police"), certificate.id)


def test_the_threshold_is_a_setting(gl, driver):
    from dataclasses import replace
    gl.settings = replace(gl.settings, parent_school_year_minutes=60)
    _, (first, *_) = course_with_sessions(driver, minutes=60)
    ps.record_attendance(gl, driver.actor("teacher"), first, {"name": "王芳", "phone": "13800001234"})
    with gl.reading() as s:
        assert s.scalar(select(func.count(Certificate.id))) == 1


def test_a_plan_requiring_courses_counts_the_guardians_attendance(gl, driver):
    case = new_case(driver, guardians=[{"name": "监护人甲", "relation": "father", "is_guardian": True,
                                        "phone": "13700001111"}])
    assess(driver, case, 7, ["special_family"])
    propose(driver, case, notify=False, admonish=True)
    admonish(driver, case)
    guardian = driver.guardian_id(case, "监护人甲")
    with pytest.raises(InvalidInput) as bad:   # hours without a guardian
        driver.do("wf_caseworker", case, "draft_guidance_plan",
                  {"provider_id": driver.provider_id(), "goals": "目标", "sessions_required": 1, "course_hours": 3})
    assert bad.value.field == "course_guardian_ids"
    driver.do("wf_caseworker", case, "draft_guidance_plan",
              {"provider_id": driver.provider_id(), "goals": "目标", "sessions_required": 1, "course_hours": 3,
               "course_kinds": ["basic"], "course_guardian_ids": [str(guardian)]})
    driver.session("wf_counsellor", case)
    guidance = next(i for i in current(gl, case).items if i.key == "guidance")
    assert "0 of 1 guardian(s)" in guidance.detail[1]
    _, sessions = course_with_sessions(driver, capacity=50, minutes=120)
    general, (other,) = course_with_sessions(driver, n=1, minutes=120, kind="general", capacity=50)
    teacher = driver.actor("teacher")
    ps.record_attendance(gl, teacher, other, {"name": "监护人甲", "phone": "13700001111"})   # a kind not required
    ps.record_attendance(gl, teacher, sessions[0], {"name": "监护人甲", "phone": "13700001111"})
    assert "0 of 1 guardian(s)" in next(i for i in current(gl, case).items if i.key == "guidance").detail[1]
    ps.record_attendance(gl, teacher, sessions[1], {"name": "监护人甲", "phone": "13700001111"})
    checklist = current(gl, case)
    assert "1 of 1 guardian(s)" in next(i for i in checklist.items if i.key == "guidance").detail[1]
    with gl.reading() as s:
        assert checklist.items[2].status in ("met", "pending")
        from engine.reads.checklists import round_facts
        from engine.models import Round
        rid = s.scalars(select(Round.id).where(Round.case_id == case)).one()
        f = round_facts(s, gl, [rid])[0]
        assert (f.courses_required, f.courses_met) == (1, 1) and f.ok["guidance"]
    # the case shows the learning record to those on it, to nobody else
    learning = ps.case_learning(gl, driver.actor("wf_caseworker"), case)
    record, = learning["records"]
    assert record["guardian"].id == guardian and record["years"][0]["minutes"] == 360
    requirement, = learning["requirements"]
    assert requirement["minutes"] == 240 and requirement["kinds"] == ["basic"]   # the general class does not count
    with pytest.raises(PermissionDenied):
        ps.case_learning(gl, driver.actor("yz_caseworker"), case)


def test_a_guardian_without_phone_or_id_cannot_be_followed(gl, driver):
    case = new_case(driver)
    assess(driver, case, 7, ["special_family"])
    propose(driver, case, notify=False, admonish=True)
    admonish(driver, case)
    guardian = driver.guardian_id(case, "监护人甲")
    with pytest.raises(InvalidInput) as bad:
        driver.do("wf_caseworker", case, "draft_guidance_plan",
                  {"provider_id": driver.provider_id(), "goals": "目标", "course_hours": 3,
                   "course_guardian_ids": [str(guardian)]})
    assert bad.value.field == "course_guardian_ids"
    with gl.reading() as s:
        assert s.scalar(select(func.count(Participant.id))) == 0
