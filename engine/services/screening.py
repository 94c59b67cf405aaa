"""The screening register (摸排台账, seed 000 #20, 004 #11): children in difficulty registered by grid workers,
schools and 儿童主任 before any risk is reported, with their family type and a watch status, visited on a
schedule, and turned into a risk clue in one step when risk appears.

An entry is seen only by staff of the registering agency in its district and by the district family-education
office (women's federation caseworkers and supervisors). Lists show names masked like the case lists;
opening an entry shows the child's data and writes an access entry (``view_screening_entry``).
"""
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from engine.actor import Actor
from engine.auditlog import record as audit
from engine.context import GuardLoop
from engine.errors import Conflict, InvalidInput, NotFound
from engine.models import ScreeningEntry, ScreeningVisit, User
from engine.reference import FAMILY_TYPES, RISK_FACTORS
from engine.rules import validate as v
from engine.rules.idcard import birth_date as id_birth_date, sex as id_sex
from engine.rules.masking import mask_id, mask_name
from engine.rules.permissions import (
    CLUE_FROM_REGISTER_REFUSED,
    REGISTER_READING_REFUSED,
    REGISTERING_REFUSED,
    VISIT_REFUSED,
    is_family_education_office,
    may_read_register,
    may_record_screening_visit,
    may_register,
    require,
)
from engine.services.clues import register_clue
from engine.workflow.clock import clock

# watch status → (Chinese, English, days between visits)
WATCH = {
    "routine": ("常规关注", "Routine", 90),
    "watch": ("重点关注", "Close watch", 30),
    "key": ("特别关注", "Special watch", 14),
}
# 心理状况筛查 at a visit (e.g. a school counsellor's or the child director's short scale)
PSYCH_CHECKS = {"none": ("未筛查", "Not screened"), "normal": ("未见异常", "No concern"),
                "warning": ("心理预警", "Warning")}
RELATIONS = {"father": ("父亲", "Father"), "mother": ("母亲", "Mother"), "grandparent": ("祖父母/外祖父母", "Grandparent"),
             "relative": ("其他亲属", "Relative"), "other": ("其他", "Other")}
SOURCE_OF_AGENCY = {"community": "community", "civil_affairs": "community", "education": "school"}


def _visible(actor: Actor):
    """SQL: the entries the actor may see."""
    mine = ScreeningEntry.district_id == actor.district_id
    return mine if is_family_education_office(actor) else mine & (ScreeningEntry.agency_code == actor.agency)


def _require_reader(actor: Actor) -> None:
    require(may_read_register(actor), REGISTER_READING_REFUSED)


def _entry(session, actor: Actor, entry_id, *, for_update=False) -> ScreeningEntry:
    try:
        number = int(str(entry_id))
    except ValueError:
        number = 0
    query = select(ScreeningEntry).where(ScreeningEntry.id == number, _visible(actor))
    entry = session.scalars(query.with_for_update() if for_update else query).first() if 0 < number < 2**31 else None
    if entry is None:
        raise NotFound("台账记录不存在。", "No such register entry.")
    return entry


def _fields(data: dict) -> dict:
    birth = v.child_birth_date(data, "birth_date")
    sex = v.choice(data, "child_sex", ("M", "F"))
    number = v.id_number(data, "child_id_number")
    if number and (id_birth_date(number) != birth or id_sex(number) != sex):
        raise InvalidInput("child_id_number", "身份证号码与出生日期或性别不一致。",
                           "The ID number does not match the birth date or sex.")
    return {"child_name": v.text(data, "child_name", max_len=80), "child_sex": sex, "child_id_number": number,
            "birth_date": birth, "address": v.text(data, "address", max_len=200),
            "guardian_name": v.text(data, "guardian_name", max_len=80),
            "guardian_relation": v.choice(data, "guardian_relation", RELATIONS),
            "guardian_phone": v.text(data, "guardian_phone", required=False, max_len=40) or None,
            "family_types": v.choices(data, "family_types", FAMILY_TYPES, at_least=1),
            "watch_status": v.choice(data, "watch_status", {k: w[:2] for k, w in WATCH.items()}),
            "notes": v.text(data, "notes", required=False, max_len=2000) or ""}


def register_entry(gl: GuardLoop, actor: Actor, data: dict) -> int:
    require(may_register(actor), REGISTERING_REFUSED)
    fields = _fields(data)
    with gl.transaction() as session:
        every = WATCH[fields["watch_status"]][2]
        entry = ScreeningEntry(district_id=actor.district_id, agency_code=actor.agency, registered_by=actor.id,
                               registered_at=clock.now(), visit_every_days=every,
                               next_visit_on=clock.today() + timedelta(days=every), version=1, **fields)
        session.add(entry)
        session.flush()
        audit.record(session, actor, "register_screening_entry", "screening_entry", entry.id,
                     after={"watch_status": entry.watch_status, "family_types": entry.family_types})
        return entry.id


@dataclass(frozen=True)
class EntryRow:
    id: int
    child: str              # masked
    age: int
    family_types: list
    watch_status: str
    next_visit_on: date
    overdue: bool
    agency: str
    clue_id: int | None


def list_entries(gl: GuardLoop, actor: Actor, *, overdue_only: bool = False, limit: int = 500) -> list[EntryRow]:
    """The entries the actor may see, names masked, overdue visits first."""
    _require_reader(actor)
    today = clock.today()
    with gl.reading() as session:
        query = select(ScreeningEntry).where(_visible(actor), ScreeningEntry.closed_on.is_(None))
        if overdue_only:
            query = query.where(ScreeningEntry.next_visit_on < today)
        entries = session.scalars(query.order_by(ScreeningEntry.next_visit_on, ScreeningEntry.id).limit(limit)).all()
    return [EntryRow(e.id, mask_name(e.child_name), _age(e.birth_date, today), list(e.family_types or []),
                     e.watch_status, e.next_visit_on, e.next_visit_on < today, e.agency_code, e.clue_id)
            for e in entries]


def _age(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def read_entry(gl: GuardLoop, actor: Actor, entry_id) -> dict:
    """One entry with the child's data and its visits; the view is logged."""
    _require_reader(actor)
    with gl.transaction() as session:
        entry = _entry(session, actor, entry_id)
        visits = session.execute(select(ScreeningVisit, User.display_name)
                                 .join(User, User.id == ScreeningVisit.visitor_id)
                                 .where(ScreeningVisit.entry_id == entry.id)
                                 .order_by(ScreeningVisit.visited_on.desc(), ScreeningVisit.id.desc())).all()
        registrar = session.get(User, entry.registered_by).display_name
        audit.record(session, actor, "view_screening_entry", "screening_entry", entry.id)
        session.flush()
        session.expunge_all()
    return {"entry": entry, "visits": visits, "registrar": registrar, "age": _age(entry.birth_date, clock.today()),
            "overdue": entry.next_visit_on < clock.today(), "may_act": may_record_screening_visit(actor),
            "id_masked": mask_id(entry.child_id_number)}


def entry_for_form(gl: GuardLoop, actor: Actor, entry_id) -> dict:
    """What a form sent back with an error shows: the entry's masked name and version, nothing personal (no
    view is logged: a refused form writes nothing)."""
    _require_reader(actor)
    with gl.reading() as session:
        entry = _entry(session, actor, entry_id)
        return {"id": entry.id, "child": mask_name(entry.child_name), "version": entry.version,
                "watch_status": entry.watch_status, "clue_id": entry.clue_id}


def _version(data) -> int:
    try:
        return int(str(data.get("version")).strip())
    except (TypeError, ValueError):
        raise InvalidInput("version", "表单不完整，请刷新页面。", "The form was incomplete; reload the page.") from None


def record_visit(gl: GuardLoop, actor: Actor, entry_id, data: dict) -> int:
    """A visit: the next one is due the watch status's interval after it; the watch status may change."""
    require(may_record_screening_visit(actor), VISIT_REFUSED)
    with gl.transaction() as session:
        entry = _entry(session, actor, entry_id, for_update=True)
        visited_on = v.day(data, "visited_on")
        findings = v.text(data, "findings", max_len=5000)
        risk_found = v.boolean(data, "risk_found")
        status = v.choice(data, "watch_status", {k: w[:2] for k, w in WATCH.items()}, required=False)
        psych = v.choice(data, "psych_check", PSYCH_CHECKS, required=False) or "none"
        if entry.version != _version(data):
            raise Conflict("该记录刚被他人修改，请刷新后再试。", "This entry changed a moment ago; reload and try again.")
        if visited_on < entry.registered_at.date() - timedelta(days=1):
            raise InvalidInput("visited_on", "走访日期不能早于登记日期。", "The visit cannot be before the registration.")
        follow_up_by = visited_on + timedelta(days=gl.settings.psych_follow_up_days) if psych == "warning" else None
        visit = ScreeningVisit(entry_id=entry.id, visited_on=visited_on, visitor_id=actor.id, findings=findings,
                               risk_found=risk_found, psych_check=psych, psych_follow_up_by=follow_up_by,
                               recorded_at=clock.now())
        session.add(visit)
        before = {"watch_status": entry.watch_status, "next_visit_on": entry.next_visit_on}
        if status:
            entry.watch_status, entry.visit_every_days = status, WATCH[status][2]
        session.flush()
        latest = session.scalar(select(func.max(ScreeningVisit.visited_on)).where(ScreeningVisit.entry_id == entry.id))
        entry.next_visit_on = latest + timedelta(days=entry.visit_every_days)   # from the latest visit on record
        entry.version += 1
        session.flush()
        audit.record(session, actor, "record_screening_visit", "screening_entry", entry.id, before=before,
                     after={"visit": visit.id, "risk_found": risk_found, "psych_check": psych,
                            "watch_status": entry.watch_status,
                            "next_visit_on": entry.next_visit_on})
        return visit.id


def to_clue(gl: GuardLoop, actor: Actor, entry_id, data: dict) -> int:
    """Risk appeared: register a risk clue from the entry (child, guardian, family types) in one step and link
    it. Sent twice (a double click), the second returns the clue the first registered."""
    require(may_register(actor), CLUE_FROM_REGISTER_REFUSED)
    with gl.reading() as session:
        entry = _entry(session, actor, entry_id)
        if entry.clue_id is not None:
            return entry.clue_id
        if entry.version != _version(data):
            raise Conflict("该记录刚被他人修改，请刷新后再试。", "This entry changed a moment ago; reload and try again.")
        clue_data = {
            "source": SOURCE_OF_AGENCY[actor.agency], "reporter_name": actor.display_name,
            "reporter_contact": v.text(data, "reporter_contact", required=False, max_len=80),
            "mandatory_report": v.boolean(data, "mandatory_report"), "received_at": clock.today().isoformat(),
            "description": v.text(data, "description", max_len=5000),
            "child_name": entry.child_name, "child_sex": entry.child_sex,
            "child_birth_date": entry.birth_date.isoformat(), "child_id_number": entry.child_id_number or "",
            "child_address": entry.address, "family_types": list(entry.family_types or []),
            "risk_factors": v.choices(data, "risk_factors", RISK_FACTORS, at_least=1),
            "guardians": [{"name": entry.guardian_name, "relation": entry.guardian_relation, "is_guardian": True,
                           "phone": entry.guardian_phone or ""}]}
        token = f"screening-entry-{entry.id:08d}-v{entry.version}"   # the form token: twice → one clue
    clue_id = register_clue(gl, actor, clue_data, form_token=token)
    with gl.transaction() as session:
        entry = _entry(session, actor, entry_id, for_update=True)
        if entry.clue_id is None:
            entry.clue_id, entry.watch_status, entry.visit_every_days = clue_id, "key", WATCH["key"][2]
            entry.version += 1
            audit.record(session, actor, "screening_to_clue", "screening_entry", entry.id, after={"clue_id": clue_id})
        return entry.clue_id
