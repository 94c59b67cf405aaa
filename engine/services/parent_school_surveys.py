"""Satisfaction surveys (满意度调查) after a parent-school course or a guidance plan: four questions scored
1–5 and a comment, entered from paper by staff or submitted on a public form reached by QR code (no login,
no name, no contact: nothing personal is asked or kept). Results per provider and per course."""
from sqlalchemy import select

from engine.actor import Actor
from engine.auditlog import record as audit
from engine.context import GuardLoop
from engine.errors import InvalidInput, NotFound
from engine.models import Case, Course, GuidancePlan, GuidanceProvider, SurveyResponse
from engine.reads.access import require_case
from engine.reads.periods import bounds
from engine.rules import validate as v
from engine.rules.permissions import COURSE_OTHER_ORGANISATION, SURVEY_CLOSED, require
from engine.services import parent_school as ps
from engine.workflow.clock import clock

QUESTIONS = {
    "content": ("课程/指导内容实用", "The content was useful"),
    "delivery": ("讲授/指导人员专业", "The teacher or counsellor was competent"),
    "arrangement": ("时间地点安排合适", "Time and place suited me"),
    "effect": ("对改善家庭教育有帮助", "It helps me in bringing up my child"),
}
SCORES = {str(n): (str(n), str(n)) for n in range(1, 6)}
SUBJECTS = {"course": ("课程", "Course"), "plan": ("指导方案", "Guidance plan")}
COMMENT_MAX = 1000
PUBLIC_PER_LINK_MAX = 2000   # a survey link takes at most this many answers (a flood stops there)


def _answers(data: dict) -> dict:
    scores = {key: int(v.choice(data, key, SCORES)) for key in QUESTIONS}
    total, n = sum(scores.values()), len(scores)
    return {"scores": scores, "overall": (2 * total + n) // (2 * n),   # the mean, halves rounded up
            "comment": v.text(data, "comment", required=False, max_len=COMMENT_MAX) or None}


def require_subject(gl, actor, subject: str, subject_id) -> None:
    """The paper questionnaire page's permission check, before any form is shown (``_subject``'s)."""
    with gl.reading() as session:
        _subject(session, actor, subject, subject_id)


def _subject(session, actor: Actor, subject: str, subject_id) -> dict:
    """What the survey is about, checked for the actor: a course of their district (staff), or a guidance
    plan of a case they are on."""
    if subject == "course":
        course = ps._course(session, actor, subject_id)
        return {"course_id": course.id, "district_id": course.district_id, "provider_id": course.provider_id,
                "provider_label": course.provider_name}
    if subject == "plan":
        plan = session.get(GuidancePlan, ps._id(subject_id))
        if plan is None:
            raise NotFound("指导方案不存在。", "No such guidance plan.")
        case = require_case(session, actor, plan.case_id)
        provider = session.get(GuidanceProvider, plan.provider_id)
        return {"plan_id": plan.id, "district_id": case.district_id, "provider_id": provider.id,
                "provider_label": provider.name}
    raise InvalidInput("subject", "调查对象无效。", "Not a survey subject.")


def record_paper(gl: GuardLoop, actor: Actor, subject: str, subject_id, data: dict) -> int:
    """纸质问卷录入: staff enter one paper questionnaire."""
    with gl.transaction() as session:
        target = _subject(session, actor, subject, subject_id)
        answers = _answers(data)
        response = SurveyResponse(subject=subject, channel="paper", recorded_by=actor.id, submitted_at=clock.now(),
                                  **target, **answers)
        session.add(response)
        session.flush()
        audit.record(session, actor, "record_survey", "ps_survey_response", response.id, None, None,
                     {"subject": subject, "overall": answers["overall"]})
        return response.id


def open_link(gl: GuardLoop, actor: Actor, subject: str, subject_id) -> str:
    """A survey QR code for the course or plan, open for ``parent_school_link_hours``."""
    with gl.transaction() as session:
        target = _subject(session, actor, subject, subject_id)
        require(subject != "course" or ps.can_manage(actor, session.get(Course, target["course_id"])),
                COURSE_OTHER_ORGANISATION)
        key = {"course_id": target["course_id"]} if subject == "course" else {"plan_id": target["plan_id"]}
        return ps.new_link(session, gl, actor, "survey", **key).token


def public_page(gl: GuardLoop, token: str) -> dict:
    """What the public form shows: the course title or "家庭教育指导" and the provider. Nothing about anyone."""
    with gl.reading() as session:
        link = ps._link(session, token, "survey")
        if link.course_id:
            course = session.get(Course, link.course_id)
            return {"subject": "course", "title": course.title, "provider": course.provider_name}
        plan = session.get(GuidancePlan, link.plan_id)
        return {"subject": "plan", "title": "家庭教育指导", "provider": session.get(GuidanceProvider, plan.provider_id).name}


def submit_public(gl: GuardLoop, token: str, data: dict) -> int:
    answers = _answers(data)
    with gl.transaction() as session:
        link = ps._link(session, token, "survey", lock=True)
        require(link.uses < PUBLIC_PER_LINK_MAX, SURVEY_CLOSED)
        if link.course_id:
            course = session.get(Course, link.course_id)
            target = {"subject": "course", "course_id": course.id, "district_id": course.district_id,
                      "provider_id": course.provider_id, "provider_label": course.provider_name}
        else:
            plan = session.get(GuidancePlan, link.plan_id)
            provider = session.get(GuidanceProvider, plan.provider_id)
            target = {"subject": "plan", "plan_id": plan.id, "district_id": session.get(Case, plan.case_id).district_id,
                      "provider_id": provider.id, "provider_label": provider.name}
        link.uses += 1
        response = SurveyResponse(channel="qr", recorded_by=None, submitted_at=clock.now(), **target, **answers)
        session.add(response)
        session.flush()
        audit.record(session, None, "submit_survey", "ps_survey_response", response.id, None, None,
                     {"subject": target["subject"], "overall": answers["overall"], "link": link.id})
        return response.id


def results(gl: GuardLoop, actor: Actor, school_year: int | None = None) -> dict:
    """Per provider and per course of the actor's district in a school year: answers, the mean of each
    question and overall, the share satisfied (overall 4 or 5); the latest comments (no names)."""
    ps.require_staff(actor)
    year = school_year or ps.school_year_of(clock.today())
    start, end = ps.year_bounds(year)
    since, until = bounds(start, end)
    r = SurveyResponse
    where = (r.district_id == actor.district_id, r.submitted_at >= since, r.submitted_at < until)
    with gl.reading() as session:
        rows = session.scalars(select(r).where(*where).order_by(r.submitted_at.desc())).all()
        titles = dict(session.execute(select(Course.id, Course.title).where(
            Course.id.in_({x.course_id for x in rows if x.course_id}))).all())
    def summary(group):
        n = len(group)
        means = {k: round(sum(x.scores.get(k, 0) for x in group) / n, 2) for k in QUESTIONS}
        return {"n": n, "means": means, "overall": round(sum(x.overall for x in group) / n, 2),
                "satisfied": round(100 * sum(x.overall >= 4 for x in group) / n, 1)}
    providers, courses = {}, {}
    for x in rows:
        providers.setdefault(x.provider_label, []).append(x)
        if x.course_id:
            courses.setdefault(x.course_id, []).append(x)
    return {"year": year, "total": summary(rows) if rows else None,
            "providers": sorted(((name, summary(g)) for name, g in providers.items()), key=lambda p: -p[1]["n"]),
            "courses": sorted(((titles.get(cid, ""), summary(g)) for cid, g in courses.items()), key=lambda p: -p[1]["n"]),
            "comments": [(x.submitted_at, x.provider_label, x.comment) for x in rows if x.comment][:20]}
