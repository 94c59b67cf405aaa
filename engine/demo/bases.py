"""Demo data for the family-education services of the school year 2025-09-01 – 2026-08-31 in 江北 (JB) and
高新区 (GX): practice bases (some renewed to 2025–2029, the rest left expired, one expiring), their
activities and an annual report; schools, kindergartens and communities with their activities (some behind
their quota); the screening register with visits and one entry turned into a risk clue.

Everything goes through the services as the people involved, on the injectable clock; days after today are
skipped (the demo may be seeded at any time of the year). Idempotent: nothing is added when organisations
exist already.
"""
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from engine.actor import actor_by_username
from engine.auditlog import record as audit
from engine.context import GuardLoop
from engine.infra.bootstrap import DEMO_PASSWORD
from engine.models import (
    BaseServiceArea,
    BaseStaff,
    District,
    EduOrganisation,
    GuidanceProvider,
    PracticeBase,
    ScreeningEntry,
    User,
)
from engine.services import activities, bases, screening
from engine.services.setup import add_user
from engine.workflow.clock import CHINA_TZ, clock

YEAR_START, YEAR_END = date(2025, 9, 1), date(2026, 8, 31)
JB_BASE = "江北区妇女儿童活动中心"
# other districts' bases the demo renews (their offices have no demo users): name → districts served
RENEWED = {"沙坪坝区康居西城小学校": ("SPB", "GX")}
EXPIRING = "渝中区中华路小学校"          # recognised until 60 days from today: its office (yz_caseworker) is told
GX_USERS = [   # username, display name, agency, role
    ("gx_caseworker", "高新区妇联·家庭教育指导中心·林悦", "womens_federation", "caseworker"),
    ("gx_supervisor", "高新区妇联督导·邓华", "womens_federation", "supervisor"),
    ("gx_teacher", "高新区某小学·许老师", "education", "caseworker"),
    ("gx_community", "高新区网格员·唐军", "community", "caseworker"),
]
ORGANISATIONS = {   # district → (name, kind, recorder, activities in the school year)
    "JB": [("江北区观音桥小学", "school", "teacher", 5), ("江北区华新实验小学", "school", "teacher", 3),
           ("江北区鲤鱼池中学", "school", "teacher", 4), ("江北区阳光幼儿园", "kindergarten", "teacher", 6),
           ("江北区童心幼儿园", "kindergarten", "teacher", 4), ("观音桥街道建新北路社区", "community", "community", 4),
           ("五里店街道塔坪社区", "community", "community", 2)],
    "GX": [("高新区金凤小学", "school", "gx_teacher", 4), ("高新区西永中学", "school", "gx_teacher", 2),
           ("高新区含谷幼儿园", "kindergarten", "gx_teacher", 6), ("西永街道微电园社区", "community", "gx_community", 5),
           ("含谷镇含金社区", "community", "gx_community", 3)],
}
KINDS = ["parent_meeting", "lecture", "parent_child", "consultation", "parent_child", "practice"]
TITLES = {"parent_meeting": "家长会：家校共育", "lecture": "家庭教育讲座：亲子沟通", "parent_child": "亲子活动：亲子阅读",
          "consultation": "家庭教育咨询日", "home_visit": "集中家访", "practice": "家庭教育实践：劳动教育"}
BASE_ACTIVITIES = [("2025-09-20", "parent_child", "亲子阅读会", 36, 2), ("2025-10-18", "lecture", "家庭教育公益讲座", 120, 2),
                   ("2025-11-15", "consultation", "家庭教育咨询日", 28, 3), ("2025-12-13", "parent_child", "亲子手工", 42, 2),
                   ("2026-01-10", "special_family", "留守儿童家庭帮扶", 18, 3), ("2026-03-14", "lecture", "青春期沟通讲座", 95, 1.5),
                   ("2026-04-18", "practice", "亲子劳动实践", 40, 3), ("2026-05-16", "parent_child", "亲子运动会", 60, 3),
                   ("2026-06-13", "lecture", "暑期安全与陪伴", 110, 1.5), ("2026-07-11", "special_family", "困境家庭团体辅导", 16, 2)]
CHILDREN = {   # district → (registrar, name, sex, birth, family types, watch, registered, visits (days after))
    "JB": [("community", "刘小飞", "M", "2014-03-11", ["left_behind", "grandparent"], "watch", "2025-09-08", [30, 60, 95]),
           ("community", "黄诗琪", "F", "2016-07-02", ["single_parent"], "routine", "2025-09-10", [85, 180]),
           ("community", "周子豪", "M", "2012-11-23", ["parent_incarcerated"], "key", "2025-09-15", [14, 28, 42]),
           ("community", "吴欣怡", "F", "2017-01-30", ["migrant", "hardship"], "watch", "2025-10-09", [31]),
           ("teacher", "郑浩然", "M", "2013-05-19", ["divorced"], "routine", "2025-10-20", [90]),
           ("teacher", "孙雨桐", "F", "2015-09-04", ["special_needs"], "watch", "2025-11-03", [28, 60])],
    "GX": [("gx_community", "冯俊杰", "M", "2013-08-16", ["left_behind"], "watch", "2025-09-12", [30, 61]),
           ("gx_community", "何佳怡", "F", "2016-12-01", ["grandparent", "low_income"], "routine", "2025-09-25", [90]),
           ("gx_community", "曾宇航", "M", "2011-04-27", ["blended"], "key", "2025-10-14", [14]),
           ("gx_teacher", "邱梓涵", "F", "2014-02-08", ["single_parent"], "routine", "2025-11-20", [])],
}


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=CHINA_TZ)


def seed_bases_demo(gl: GuardLoop) -> None:
    with gl.reading() as session:
        if session.scalars(select(EduOrganisation.id)).first() is not None:
            return
    today = clock.today()
    try:
        _users(gl)
        _bases(gl, today)
        _organisations(gl, today)
        _screening(gl, today)
    finally:
        clock.reset()
    bases.raise_expiry_notices(gl)


def _users(gl: GuardLoop) -> None:
    with gl.transaction() as session:
        known = set(session.scalars(select(User.username)))
        for username, name, agency, role in GX_USERS:
            if username not in known:
                add_user(session, None, {"username": username, "display_name": name, "password": DEMO_PASSWORD,
                                         "agency": agency, "role": role, "district": "GX"}, demo=True)
        session.flush()
        staff = session.scalars(select(User).where(User.username == "base_staff")).first()
        jb_base = session.scalars(select(GuidanceProvider.id).where(GuidanceProvider.name == JB_BASE)).one()
        if staff is not None and session.get(BaseStaff, staff.id) is None:
            session.add(BaseStaff(user_id=staff.id, provider_id=jb_base))


def _version(gl: GuardLoop, provider_id: int) -> int:
    with gl.reading() as session:
        return session.get(PracticeBase, provider_id).version


def _bases(gl: GuardLoop, today: date) -> None:
    with gl.reading() as session:
        ids = dict(session.execute(select(GuidanceProvider.name, GuidanceProvider.id)).all())
        districts = dict(session.execute(select(District.code, District.id)).all())
    jb = ids[JB_BASE]
    office, supervisor = actor_by_username_safe(gl, "wf_caseworker"), actor_by_username_safe(gl, "wf_supervisor")
    bases.renew_base(gl, office, jb, {"version": _version(gl, jb), "valid_from": "2025-01-01",
                                      "valid_until": "2029-12-31"})
    bases.update_base(gl, office, jb, {"version": _version(gl, jb), "capacity": "300", "serves": ["JB", "GX"],
                                       "service_kinds": ["lecture", "parent_child", "consultation", "special_family"]})
    # the offices of other districts (no demo accounts there): written as the system, on the audit log
    with gl.transaction() as session:
        for name, serves in RENEWED.items():
            base = session.get(PracticeBase, ids[name])
            base.valid_from, base.valid_until, base.version = date(2025, 1, 1), date(2029, 12, 31), base.version + 1
            for code in serves:
                if session.get(BaseServiceArea, (ids[name], districts[code])) is None:
                    session.add(BaseServiceArea(provider_id=ids[name], district_id=districts[code]))
            audit.record(session, None, "renew_practice_base", "practice_base", ids[name],
                         after={"valid_from": base.valid_from, "valid_until": base.valid_until, "serves": serves})
        base = session.get(PracticeBase, ids[EXPIRING])
        base.valid_from, base.valid_until = date(2021, 1, 1), today + timedelta(days=60)
        base.version += 1
        audit.record(session, None, "renew_practice_base", "practice_base", ids[EXPIRING],
                     after={"valid_from": base.valid_from, "valid_until": base.valid_until})
    staff = actor_by_username_safe(gl, "base_staff")
    for day, kind, title, people, hours in BASE_ACTIVITIES:
        held = date.fromisoformat(day)
        if held <= today:
            clock.set(_at(held, 18))
            bases.record_base_activity(gl, staff, jb, {"held_on": day, "title": title, "kind": kind,
                                                       "participants": str(people), "hours": str(hours)})
    if today >= date(2025, 12, 20):
        clock.set(_at(date(2025, 12, 20)))
        report = bases.submit_annual_report(gl, staff, jb, {"year": "2025", "summary": (
            "2025年基地面向江北区、高新区家庭开展亲子阅读、公益讲座、咨询日和困境家庭帮扶等活动，"
            "服务家庭教育指导个案转介家庭，全年活动记录见附表。")})
        clock.set(_at(date(2025, 12, 29)))
        bases.review_annual_report(gl, supervisor, report, {"decision": "approved", "version": "1",
                                                            "note": "材料齐全，予以通过。"})
    clock.reset()


def actor_by_username_safe(gl: GuardLoop, username: str):
    with gl.reading() as session:
        return actor_by_username(session, username)


def _spread(count: int, seed: int) -> list[date]:
    """``count`` days spread over the school year (deterministic, a little uneven)."""
    span = (YEAR_END - YEAR_START).days
    return [YEAR_START + timedelta(days=int((i + 0.5) * span / count + (seed * 7 + i * 11) % 13 - 6))
            for i in range(count)]


def _organisations(gl: GuardLoop, today: date) -> None:
    for code, orgs in ORGANISATIONS.items():
        for index, (name, kind, recorder, count) in enumerate(orgs):
            who = actor_by_username_safe(gl, recorder)
            clock.set(_at(YEAR_START - timedelta(days=7)))
            org = activities.add_organisation(gl, who, {"name": name, "kind": kind})
            for n, day in enumerate(_spread(count, index)):
                if day > today:
                    continue
                kind_of = "parent_meeting" if kind != "community" and n % 3 == 0 else KINDS[(index + n) % len(KINDS)]
                clock.set(_at(day, 19))
                activities.record_activity(gl, who, org, {
                    "held_on": day.isoformat(), "title": TITLES[kind_of], "kind": kind_of,
                    "participants": str(20 + (index * 17 + n * 23) % 90), "hours": "1.5" if n % 2 else "2"})
    clock.reset()


# 心理监测 at the visits: the first visit screens the child; 周子豪 (a parent in prison) and 冯俊杰 show a
# warning — 周子豪 is seen again 14 days later, 冯俊杰 only after a month
PSYCH_WARNINGS = {"周子豪", "冯俊杰"}


def _psych_check(name: str, visit_index: int) -> str:
    if visit_index:
        return "none"
    return "warning" if name in PSYCH_WARNINGS else "normal"


def _findings(name: str, visit_index: int) -> str:
    if _psych_check(name, visit_index) == "warning":
        return "入户走访，儿童情绪低落、入睡困难，心理状况筛查提示预警；已告知监护人，联系学校心理老师跟进。"
    return "入户走访，监护人在家，儿童生活学习情况正常。"


def _screening(gl: GuardLoop, today: date) -> None:
    for code, children in CHILDREN.items():
        for registrar, name, sex, birth, types, watch, registered, visits in children:
            day = date.fromisoformat(registered)
            if day > today:
                continue
            who = actor_by_username_safe(gl, registrar)
            clock.set(_at(day))
            entry = screening.register_entry(gl, who, {
                "child_name": name, "child_sex": sex, "birth_date": birth, "address": f"{'江北区' if code == 'JB' else '高新区'}某街道某小区",
                "guardian_name": name[0] + "某某", "guardian_relation": "grandparent" if "grandparent" in types else "mother",
                "guardian_phone": "13900000000", "family_types": types, "watch_status": watch})
            for n, after in enumerate(visits):
                visited = day + timedelta(days=after)
                if visited > today:
                    continue
                clock.set(_at(visited, 15))
                with gl.reading() as session:
                    version = session.get(ScreeningEntry, entry).version
                screening.record_visit(gl, who, entry, {"visited_on": visited.isoformat(), "version": version,
                                                        "findings": _findings(name, n),
                                                        "psych_check": _psych_check(name, n)})
            if name == "周子豪" and day + timedelta(days=50) <= today:
                clock.set(_at(day + timedelta(days=50), 16))
                with gl.reading() as session:
                    version = session.get(ScreeningEntry, entry).version
                screening.to_clue(gl, who, entry, {
                    "description": "走访发现儿童连续多日独自在家，照护人外出务工未安排委托照护。",
                    "risk_factors": ["no_carer"], "version": version})
    clock.reset()
