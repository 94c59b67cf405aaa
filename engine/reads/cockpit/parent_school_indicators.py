"""The parent-school indicators of the cockpit (家庭教育数字驾驶舱, seed 001): each defined once with its formula,
unit, target and period, computed by SQL aggregates over a district (or the whole municipality, ``None``)
and a span of days ``start`` … ``end`` (both included).

The cockpit's framework (``engine.reads.cockpit.indicators``) registers them: ``Indicator(**d) for d in
PARENT_SCHOOL_INDICATORS``. Attendance carries its district and date (``ix_ps_attendance_district_day``),
so the counts read one index however many guardians there are.
"""
from datetime import date

from sqlalchemy import case, func, literal, select

from engine.models import (
    Attendance,
    Case,
    Certificate,
    Course,
    CourseSession,
    Participant,
    PlanCourseRequirement,
    SurveyResponse,
)
from engine.reads.periods import bounds


def _count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _attendance(district_id, start: date, end: date):
    a = Attendance
    where = [a.held_on >= start, a.held_on <= end]
    if district_id is not None:
        where.append(a.district_id == district_id)
    return where


def participants(session, district_id, start, end) -> int:
    """参训家长数: distinct guardians signed in at least once."""
    return session.scalar(select(func.count(func.distinct(Attendance.participant_id)))
                          .where(*_attendance(district_id, start, end))) or 0


def attendances(session, district_id, start, end) -> int:
    """参训人次: sign-ins."""
    return session.scalar(select(func.count(Attendance.id)).where(*_attendance(district_id, start, end))) or 0


def learning_hours(session, district_id, start, end) -> float:
    """培训课时: hours learnt (each guardian's minutes at each class, summed) ÷ 60."""
    minutes = session.scalar(select(func.coalesce(func.sum(Attendance.minutes), 0))
                             .where(*_attendance(district_id, start, end))) or 0
    return round(minutes / 60, 1)


def average_hours(session, district_id, start, end) -> float | None:
    """人均学时: learning hours ÷ guardians trained."""
    people, minutes = session.execute(select(func.count(func.distinct(Attendance.participant_id)),
                                             func.coalesce(func.sum(Attendance.minutes), 0))
                                      .where(*_attendance(district_id, start, end))).one()
    return round(round(minutes / 60, 1) / people, 2) if people else None


def registered(session, district_id, start, end) -> int:
    """在册家长数: guardians in the parent-school register by the end of the period."""
    _, until = bounds(end, end)
    query = select(func.count(Participant.id)).where(Participant.created_at < until)
    if district_id is not None:
        query = query.where(Participant.district_id == district_id)
    return session.scalar(query) or 0


def participation_rate(session, district_id, start, end) -> float | None:
    """家长培训参与率: guardians trained in the period ÷ guardians in the register."""
    base = registered(session, district_id, start, end)
    return round(100 * participants(session, district_id, start, end) / base, 1) if base else None


def certificates(session, district_id, start, end) -> int:
    """结业证书: certificates earned in the period (the year's hours reached at a class in it)."""
    query = select(func.count(Certificate.id)).where(Certificate.earned_on >= start, Certificate.earned_on <= end)
    if district_id is not None:
        query = query.where(Certificate.district_id == district_id)
    return session.scalar(query) or 0


def certificate_rate(session, district_id, start, end) -> float | None:
    """持证率: guardians trained in the period who earned a certificate in it ÷ guardians trained."""
    people = participants(session, district_id, start, end)
    if not people:
        return None
    trained = select(Attendance.participant_id).where(*_attendance(district_id, start, end))
    held = session.scalar(select(func.count(func.distinct(Certificate.participant_id))).where(
        Certificate.earned_on >= start, Certificate.earned_on <= end, Certificate.participant_id.in_(trained))) or 0
    return round(100 * held / people, 1)


def sessions_held(session, district_id, start, end) -> int:
    """开课次数: classes held."""
    query = (select(func.count(CourseSession.id)).join(Course, Course.id == CourseSession.course_id)
             .where(CourseSession.held_on >= start, CourseSession.held_on <= end))
    if district_id is not None:
        query = query.where(Course.district_id == district_id)
    return session.scalar(query) or 0


def _satisfaction(subject: str):
    def compute(session, district_id, start, end) -> float | None:
        since, until = bounds(start, end)
        r = SurveyResponse
        query = select(func.count(r.id), _count_if(r.overall >= 4)).where(
            r.subject == subject, r.submitted_at >= since, r.submitted_at < until)
        if district_id is not None:
            query = query.where(r.district_id == district_id)
        total, satisfied = session.execute(query).one()
        return round(100 * satisfied / total, 1) if total else None
    compute.__doc__ = f"满意率 ({subject}): answers scoring 4 or 5 overall ÷ answers."
    return compute


def plan_course_completion(session, district_id, start, end) -> float | None:
    """指导方案课程达标率: course requirements of guidance plans made in the period whose guardian has attended
    the hours required (of the kinds required, since the plan) ÷ those requirements."""
    r, a, p = PlanCourseRequirement, Attendance, Participant
    kind_counts = (r.kinds == "") | r.kinds.contains(literal(",") + a.kind + literal(","))
    attended = (select(func.coalesce(func.sum(a.minutes), 0)).join(p, p.id == a.participant_id)
                .where(p.guardian_id == r.guardian_id, a.held_on >= r.since, kind_counts).scalar_subquery())
    query = select(func.count(r.id), _count_if(attended >= r.minutes)) \
        .where(r.since >= start, r.since <= end)
    if district_id is not None:
        query = query.join(Case, Case.id == r.case_id).where(Case.district_id == district_id)
    total, met = session.execute(query).one()
    return round(100 * met / total, 1) if total else None


PARENT_SCHOOL_INDICATORS = [
    dict(key="parent_training_rate", name_zh="家长培训参与率", name_en="Parent training participation rate", unit="%",
         target=None, period="school_year", formula_zh="参训家长数 ÷ 家长学校在册家长数", compute=participation_rate),
    dict(key="parent_certificate_rate", name_zh="持证率", name_en="Certified parents", unit="%", target=None,
         period="school_year", formula_zh="期内修满年度学时、取得结业证书的参训家长数 ÷ 参训家长数", compute=certificate_rate),
    dict(key="parent_trained", name_zh="参训家长数", name_en="Parents trained", unit="人", target=1000,
         period="year", formula_zh="期内至少签到一次的家长数（去重）", compute=participants),
    dict(key="parent_training_hours", name_zh="家长培训课时", name_en="Parent training hours", unit="课时", target=4000,
         period="year", formula_zh="Σ 每位家长每次签到课次的时长（分钟）÷ 60", compute=learning_hours),
    dict(key="parent_average_hours", name_zh="人均学时", name_en="Hours per parent", unit="课时", target=4,
         period="school_year", formula_zh="家长培训课时 ÷ 参训家长数", compute=average_hours),
    dict(key="parent_attendances", name_zh="参训人次", name_en="Parent sign-ins", unit="人次", target=None,
         period="year", formula_zh="期内签到记录数", compute=attendances),
    dict(key="parent_certificates", name_zh="结业证书颁发数", name_en="Certificates issued", unit="人", target=None,
         period="school_year", formula_zh="期内修满年度学时而颁发的结业证书数", compute=certificates),
    dict(key="parent_school_sessions", name_zh="家长学校开课次数", name_en="Parent-school classes held", unit="次",
         target=None, period="term", formula_zh="期内举办的课次数", compute=sessions_held),
    dict(key="course_satisfaction", name_zh="家长学校课程满意率", name_en="Course satisfaction", unit="%", target=90,
         period="school_year", formula_zh="总体评分 4 分及以上的课程问卷数 ÷ 课程问卷数", compute=_satisfaction("course")),
    dict(key="guidance_satisfaction", name_zh="家庭教育指导满意率", name_en="Guidance satisfaction", unit="%", target=90,
         period="year", formula_zh="总体评分 4 分及以上的指导问卷数 ÷ 指导问卷数", compute=_satisfaction("plan")),
    dict(key="plan_course_completion", name_zh="指导方案课程达标率", name_en="Plan course requirements met", unit="%",
         target=None, period="year", formula_zh="监护人已修满要求学时的方案课程要求数 ÷ 期内方案课程要求数",
         compute=plan_course_completion),
]
