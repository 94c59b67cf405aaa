"""Family-education activities of schools, kindergartens and communities, and their quotas.

Each organisation owes a number of activities per period (``workflows/activity_quota.dmn``: schools twice a
term, kindergartens three times a term, communities four times a year — seed 000 items 10–11). Terms run
1 September – 31 January and 1 February – 31 August; years are calendar years.

School and kindergarten staff (agency ``education``) record for schools and kindergartens of their
district, community staff (``community``, and civil affairs' 儿童主任) for communities; the district
family-education office (women's federation caseworkers and supervisors) for any of its district, and it
registers the organisations. Everyone of the district reads the progress and the overdue list.
"""
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from engine.actor import Actor
from engine.auditlog import record as audit
from engine.context import GuardLoop
from engine.errors import InvalidInput, NotFound
from engine.models import EduActivity, EduOrganisation
from engine.reference import ORG_KINDS
from engine.rules import validate as v
from engine.rules.permissions import (
    ACTIVITIES_REFUSED,
    ACTIVITY_REFUSED,
    ORGANISATION_REFUSED,
    may_add_organisations,
    may_read_activities,
    may_record_activities,
    may_register_organisation,
    require,
)
from engine.services.bases import hours as _hours
from engine.workflow.clock import clock

ACTIVITY_KINDS = {
    "parent_meeting": ("家长会", "Parents' meeting"),
    "lecture": ("家庭教育讲座", "Family-education lecture"),
    "parent_child": ("亲子活动", "Parent-child activity"),
    "consultation": ("咨询指导", "Consultation"),
    "home_visit": ("集中家访", "Home visits"),
    "practice": ("家庭教育实践活动", "Family-education practice"),
}
PERIODS = {"term": ("学期", "Term"), "year": ("年度", "Year")}


def term_of(day: date) -> tuple[date, date]:
    """The school term containing ``day``: autumn 1 Sep – 31 Jan, spring 1 Feb – 31 Aug."""
    if day.month >= 9:
        return date(day.year, 9, 1), date(day.year + 1, 1, 31)
    if day.month == 1:
        return date(day.year - 1, 9, 1), date(day.year, 1, 31)
    return date(day.year, 2, 1), date(day.year, 8, 31)


def period_of(kind: str, day: date) -> tuple[date, date]:
    return term_of(day) if kind == "term" else (date(day.year, 1, 1), date(day.year, 12, 31))


def period_label(kind: str, start: date) -> tuple[str, str]:
    if kind == "year":
        return f"{start.year}年", str(start.year)
    if start.month == 9:
        return f"{start.year}—{start.year + 1}学年第一学期", f"{start.year}–{start.year + 1} autumn term"
    return f"{start.year - 1}—{start.year}学年第二学期", f"{start.year - 1}–{start.year} spring term"


def quotas(gl: GuardLoop, session) -> dict[str, tuple[int, str]]:
    """Organisation kind → (activities required, period kind), from ``activity_quota.dmn``."""
    runtime = gl.runtime(session, gl.current_version(session))
    found = {}
    for kind in ORG_KINDS:
        decided = runtime.decide("activity_quota", {"org_kind": kind})
        found[kind] = (int(decided["activities"]), str(decided["period"]))
    return found


def may_record_for(actor: Actor, org: EduOrganisation) -> bool:
    return may_record_activities(actor, org.district_id, org.kind)


may_read = may_read_activities  # what the pages ask


def _require_reader(actor: Actor) -> None:
    require(may_read_activities(actor), ACTIVITIES_REFUSED)


def add_organisation(gl: GuardLoop, actor: Actor, data: dict) -> int:
    kind = v.choice(data, "kind", ORG_KINDS)
    require(may_register_organisation(actor, kind), ORGANISATION_REFUSED)
    name = v.text(data, "name", max_len=120)
    with gl.transaction() as session:
        if session.scalars(select(EduOrganisation.id).where(EduOrganisation.district_id == actor.district_id,
                                                            EduOrganisation.name == name)).first():
            raise InvalidInput("name", "本区县已登记同名机构。", "An organisation of this name is already registered.")
        org = EduOrganisation(name=name, kind=kind, district_id=actor.district_id)
        session.add(org)
        session.flush()
        audit.record(session, actor, "add_edu_organisation", "edu_organisation", org.id, after={"name": name, "kind": kind})
        return org.id


def record_activity(gl: GuardLoop, actor: Actor, organisation_id, data: dict) -> int:
    with gl.transaction() as session:
        org = _organisation(session, organisation_id)
        require(may_record_for(actor, org), ACTIVITY_REFUSED)
        fields = {"held_on": v.day(data, "held_on"), "title": v.text(data, "title", max_len=200),
                  "kind": v.choice(data, "kind", ACTIVITY_KINDS),
                  "participants": v.integer(data, "participants", low=0, high=100000),
                  "hours": _hours(data, "hours")}
        activity = EduActivity(organisation_id=org.id, recorded_by=actor.id, recorded_at=clock.now(), **fields)
        session.add(activity)
        session.flush()
        audit.record(session, actor, "record_edu_activity", "edu_activity", activity.id,
                     after={**fields, "organisation_id": org.id})
        return activity.id


def _organisation(session, organisation_id) -> EduOrganisation:
    try:
        number = int(str(organisation_id))
    except ValueError:
        number = 0
    org = session.get(EduOrganisation, number) if 0 < number < 2**31 else None
    if org is None:
        raise NotFound("机构不存在。", "No such organisation.")
    return org


@dataclass(frozen=True)
class Progress:
    organisation_id: int
    name: str
    kind: str
    period: tuple[str, str]
    period_start: date
    period_end: date
    required: int
    done: int
    participants: int
    hours: float
    may_record: bool

    @property
    def behind(self) -> bool:
        return self.done < self.required


def progress(session, gl: GuardLoop, actor: Actor, district_id: int, on: date, *,
             previous: bool = False) -> list[Progress]:
    """Every organisation of the district against its quota for the period containing ``on`` (or, with
    ``previous``, for the period that ended before it): one aggregate query per kind of organisation."""
    rows = []
    for kind, (required, period_kind) in quotas(gl, session).items():
        start, end = period_of(period_kind, on)
        if previous:
            start, end = period_of(period_kind, start - timedelta(days=1))
        done = (select(EduActivity.organisation_id, func.count().label("n"),
                       func.coalesce(func.sum(EduActivity.participants), 0).label("people"),
                       func.coalesce(func.sum(EduActivity.hours), 0).label("hours"))
                .where(EduActivity.held_on >= start, EduActivity.held_on <= end)
                .group_by(EduActivity.organisation_id).subquery())
        query = (select(EduOrganisation, done.c.n, done.c.people, done.c.hours)
                 .outerjoin(done, done.c.organisation_id == EduOrganisation.id)
                 .where(EduOrganisation.district_id == district_id, EduOrganisation.kind == kind)
                 .order_by(EduOrganisation.name))
        for org, n, people, hours in session.execute(query):
            rows.append(Progress(org.id, org.name, kind, period_label(period_kind, start), start, end, required,
                                 int(n or 0), int(people or 0), round(float(hours or 0), 1),
                                 may_record_for(actor, org)))
    return rows


def read_progress(gl: GuardLoop, actor: Actor, on: date | None = None) -> dict:
    """The actor's district: this period's progress of every organisation, and the overdue list (the
    organisations short of their quota in the period that has ended, and those behind now)."""
    _require_reader(actor)
    on = on or clock.today()
    with gl.reading() as session:
        current = progress(session, gl, actor, actor.district_id, on)
        ended = progress(session, gl, actor, actor.district_id, on, previous=True)
        recent = session.execute(select(EduActivity, EduOrganisation.name)
                                 .join(EduOrganisation, EduOrganisation.id == EduActivity.organisation_id)
                                 .where(EduOrganisation.district_id == actor.district_id)
                                 .order_by(EduActivity.held_on.desc(), EduActivity.id.desc()).limit(30)).all()
        session.expunge_all()
    return {"on": on, "current": current, "overdue": [p for p in ended if p.behind],
            "behind": [p for p in current if p.behind], "recent": recent,
            "may_add": may_add_organisations(actor)}


def organisations_for(gl: GuardLoop, actor: Actor) -> list[EduOrganisation]:
    """The organisations the actor may record for."""
    _require_reader(actor)
    with gl.reading() as session:
        orgs = session.scalars(select(EduOrganisation).where(EduOrganisation.district_id == actor.district_id)
                               .order_by(EduOrganisation.kind, EduOrganisation.name)).all()
        session.expunge_all()
    return [o for o in orgs if may_record_for(actor, o)]
