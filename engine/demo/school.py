"""Demo data of parent schools: the 2025—2026 school year in 江北区 (JB) and 高新区 (GX) — courses of the four
kinds run by schools, a community, the district office and a practice base, their sessions, guardians
signing in (QR, roster, staff), the certificates that follow, satisfaction answers — and, in the current
school year, a case whose guidance plan requires a basic course that the guardian attends.

Everything goes through the services, as the people would do it. Deterministic: the same data every time.
"""
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from engine import services
from engine.context import GuardLoop
from engine.demo.scenario import Driver, scores
from engine.infra.bootstrap import DEMO_PASSWORD
from engine.models import Course, CourseSession, GuidancePlan, GuidanceProvider, User
from engine.services import parent_school as ps, parent_school_surveys as surveys
from engine.services.setup import add_user
from engine.workflow.catalog import Task
from engine.workflow.clock import CHINA_TZ, clock

# the staff of 高新区 the demo needs (江北's are the demo users of ``bootstrap``)
GX_USERS = [("gx_teacher", "高新区某小学·刘老师", "education", "caseworker", "GX"),
            ("gx_community", "高新区网格员·罗娜", "community", "caseworker", "GX")]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["芳", "伟", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "霞", "平"]


def _people(prefix: int, n: int) -> list[dict]:
    """``n`` guardians with distinct names and mobile numbers (13{prefix}…)."""
    return [{"name": SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7 + prefix) % len(GIVEN)] + ("" if i < 20 else "某"),
             "phone": f"13{prefix:01d}{i:08d}"} for i in range(n)]


# (who, course fields, sessions (day, time, place, minutes), who attends each session: ranges of people)
JB_COURSES = [
    ("teacher", {"title": "做智慧父母·家长学校基础课", "kind": "basic", "provider_kind": "school",
                 "provider_name": "江北区某小学", "planned_hours": 8, "capacity": 60},
     [(date(2025, 10, 16), "19:00", "江北区某小学报告厅", 120), (date(2025, 12, 11), "19:00", "江北区某小学报告厅", 120),
      (date(2026, 3, 19), "19:00", "江北区某小学报告厅", 120), (date(2026, 5, 21), "19:00", "江北区某小学报告厅", 120)],
     [range(0, 30), range(0, 24), range(0, 20), range(5, 18)]),
    ("wf_caseworker", {"title": "家长大课堂：读懂青春期", "kind": "general", "provider_kind": "community",
                       "provider_name": "江北区家庭教育指导中心", "planned_hours": 2, "capacity": 200},
     [(date(2025, 11, 8), "09:30", "江北区妇女儿童活动中心", 90)], [range(10, 40)]),
    ("community", {"title": "社区家长夜校·隔代教养", "kind": "custom", "provider_kind": "community",
                   "provider_name": "观音桥街道某社区", "planned_hours": 3, "capacity": 30},
     [(date(2026, 4, 9), "19:30", "社区党群服务中心", 90), (date(2026, 6, 4), "19:30", "社区党群服务中心", 90)],
     [range(30, 42), range(30, 38)]),
    ("wf_caseworker", {"title": "家庭教育网络微课", "kind": "online", "provider_kind": "online",
                       "provider_name": "重庆市家庭教育线上平台", "planned_hours": 2, "capacity": 500},
     [(date(2026, 1, 20), "20:00", "线上", 60)], [range(20, 45)]),
]
GX_COURSES = [
    ("gx_teacher", {"title": "科学城家长夜校·基础课", "kind": "basic", "provider_kind": "school",
                    "provider_name": "高新区某小学", "planned_hours": 8, "capacity": 80},
     [(date(2025, 9, 25), "19:00", "高新区某小学多功能厅", 120), (date(2025, 11, 27), "19:00", "高新区某小学多功能厅", 120),
      (date(2026, 3, 26), "19:00", "高新区某小学多功能厅", 120)],
     [range(0, 26), range(0, 22), range(3, 20)]),
    ("gx_community", {"title": "亲子成长契约工作坊", "kind": "general", "provider_kind": "community",
                      "provider_name": "高新区某社区", "planned_hours": 2, "capacity": 40},
     [(date(2026, 5, 16), "14:30", "社区亲子活动室", 120)], [range(15, 35)]),
]
SURVEY_ANSWERS = [("5", "5", "4", "5", "讲得很实用"), ("4", "4", "4", "4", ""), ("5", "4", "3", "5", "希望多安排周末场次"),
                  ("3", "3", "2", "3", "时间太晚"), ("5", "5", "5", "5", "")]


def _gx_users(gl: GuardLoop) -> bool:
    """The 高新区 demo staff, on a database of demo accounts only (as ``init --demo-users`` makes them)."""
    with gl.transaction() as session:
        if session.scalars(select(User.id).where(User.demo.is_(False))).first() is not None:
            return False
        for username, name, agency, role, district in GX_USERS:
            if session.scalars(select(User.id).where(User.username == username)).first() is None:
                add_user(session, None, {"username": username, "display_name": name, "password": DEMO_PASSWORD,
                                         "agency": agency, "role": role, "district": district}, demo=True)
    return True


def _at(day: date, hhmm: str = "09:00", days_before: int = 0) -> None:
    """The demo's clock at a moment of the school year (China time)."""
    hour, minute = (int(x) for x in hhmm.split(":"))
    clock.set(datetime.combine(day - timedelta(days=days_before), time(hour, minute), CHINA_TZ))


def _run(dr: Driver, courses, people, school_year: int) -> list[int]:
    """Each course created two weeks before its first class with every class scheduled; the guardians signed
    in at each class as it happens; the paper questionnaires entered after the last one."""
    made = []
    for who, fields, sessions, attends in courses:
        actor = dr.actor(who)
        _at(sessions[0][0], days_before=14)
        course = ps.create_course(dr.gl, actor, {**fields, "school_year": school_year})
        made.append(course)
        ids = [ps.add_session(dr.gl, actor, course, {"held_on": day.isoformat(), "starts_at": at, "place": place,
                                                     "minutes": minutes}) for day, at, place, minutes in sessions]
        for session_id, (day, at, _, _), who_attends in zip(ids, sessions, attends):
            _at(day, at)
            for i in who_attends:
                ps.record_attendance(dr.gl, actor, session_id, people[i])
        _at(sessions[-1][0], "21:30")
        for answers in SURVEY_ANSWERS[: 3 + len(made) % 3]:
            surveys.record_paper(dr.gl, actor, "course", course,
                                 dict(zip((*surveys.QUESTIONS, "comment"), answers)))
    return made


def _base_course(dr: Driver, people) -> None:
    """A course of a JB practice base (when the district has one)."""
    with dr.gl.reading() as session:
        base = session.scalars(select(GuidanceProvider).join(User, User.district_id == GuidanceProvider.district_id)
                               .where(User.username == "wf_caseworker").order_by(GuidanceProvider.id)).first()
    if base is None:
        return
    actor = dr.actor("wf_caseworker")
    _at(date(2026, 7, 11), "09:30")
    course = ps.create_course(dr.gl, actor, {"title": "亲子共读实践课", "kind": "custom", "provider_kind": "base",
                                             "provider_id": base.id, "planned_hours": 2, "capacity": 25,
                                             "school_year": 2025})
    session_id = ps.add_session(dr.gl, actor, course, {"held_on": "2026-07-11", "starts_at": "09:30",
                                                       "place": base.name, "minutes": 120})
    for i in range(18, 30):
        ps.record_attendance(dr.gl, actor, session_id, people[i])


def _case_with_courses(dr: Driver) -> None:
    """A case of the current school year: the guidance plan requires 2 hours of a basic course of the
    father, who attends today's class of the 江北 school's basic course; a paper survey of the plan."""
    gl, today = dr.gl, clock.today()
    clue = ps_clue = None
    ps_clue = services.register_clue(gl, dr.actor("teacher"), {
        "source": "school", "reporter_name": "班主任", "mandatory_report": False, "received_at": today.isoformat(),
        "description": "学生多次无人接送，家长对学校沟通不予回应。", "family_types": ["migrant"],
        "risk_factors": ["truancy"], "child_name": "郑某某", "child_sex": "M", "child_birth_date": "2015-06-18",
        "child_school": "江北区某小学",
        "guardians": [{"name": "郑某", "relation": "father", "is_guardian": True, "phone": "13512345678"}]})
    clue = ps_clue
    case = services.open_case(gl, dr.actor("wf_caseworker"), clue, {"case_type": "general"})
    dr.do("wf_caseworker", case, Task.SOCIAL_INVESTIGATION, {"findings": "父亲工作繁忙，疏于接送与沟通。",
                                                            "investigated_on": today.isoformat(), "sources": "学校、家访"})
    dr.do("wf_caseworker", case, Task.SCORED_ASSESSMENT, {**scores(7), "risk_factors": ["special_family"],
                                                          "summary": "监护意识不足，尚无严重侵害。"})
    dr.do("wf_caseworker", case, Task.PROPOSE_MEASURES, {"measure_notify": False, "measure_admonish": True,
                                                         "measure_care": False, "reason": "劝诫并安排家庭教育指导。"})
    dr.do("wf_caseworker", case, Task.ADMONISH_GUARDIAN, {"admonished_on": today.isoformat(), "content": "劝诫按时接送。"})
    father = dr.guardian_id(case, "郑某")
    dr.do("wf_caseworker", case, Task.DRAFT_GUIDANCE_PLAN, {
        "provider_id": dr.provider_id(), "goals": "提升监护意识，参加家长学校基础课。", "course_hours": 2,
        "course_kinds": ["basic"], "course_guardian_ids": [str(father)]})
    teacher = dr.actor("teacher")
    year = ps.school_year_of(today)
    course = ps.create_course(gl, teacher, {"title": "做智慧父母·家长学校基础课", "kind": "basic", "provider_kind": "school",
                                            "provider_name": "江北区某小学", "planned_hours": 8, "capacity": 60,
                                            "school_year": year})
    session_id = ps.add_session(gl, teacher, course, {"held_on": today.isoformat(), "starts_at": "19:00",
                                                      "place": "江北区某小学报告厅", "minutes": 120})
    ps.record_attendance(gl, teacher, session_id, {"name": "郑某", "phone": "13512345678"})
    with gl.reading() as session:
        plan = session.scalars(select(GuidancePlan.id).where(GuidancePlan.case_id == case)).one()
    surveys.record_paper(gl, dr.actor("wf_caseworker"), "plan", plan,
                         {"content": "4", "delivery": "5", "arrangement": "4", "effect": "4", "comment": "指导老师很耐心"})


def seed_school(gl: GuardLoop) -> bool:
    """The parent-school demo (once: nothing when a course exists already)."""
    with gl.reading() as session:
        if session.scalars(select(Course.id)).first() is not None:
            return False
    if not _gx_users(gl):
        return False
    dr = Driver(gl)
    jb, gx = _people(8, 45), _people(9, 35)
    try:
        _run(dr, JB_COURSES, jb, 2025)
        _base_course(dr, jb)
        _run(dr, GX_COURSES, gx, 2025)
        _at(date(2025, 10, 16), "18:50")   # the first class: the QR sheet open, a guardian already signed in
        token = ps.open_signin(gl, dr.actor("teacher"), _first_session(gl, "做智慧父母·家长学校基础课"))
        ps.public_signin(gl, token, {"name": jb[0]["name"], "last4": jb[0]["phone"][-4:]})
    finally:
        clock.reset()
    _case_with_courses(dr)
    return True


def _first_session(gl: GuardLoop, title: str) -> int:
    with gl.reading() as session:
        return session.scalars(select(CourseSession.id).join(Course, Course.id == CourseSession.course_id)
                               .where(Course.title == title).order_by(CourseSession.id)).first()
