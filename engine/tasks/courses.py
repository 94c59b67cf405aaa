"""Parent-school courses a guidance plan requires (家长学校学时要求), and the participant register (参训家长名册)
that links a case's guardian to their sign-ins across schools and years."""
import re
from datetime import date

from sqlalchemy import select

from engine.actor import Actor
from engine.auditlog import record as audit
from engine.errors import InvalidInput
from engine.models import Guardian, Participant, PlanCourseRequirement
from engine.reference import COURSE_KINDS
from engine.rules import validate as v
from engine.workflow.clock import clock

PHONE = re.compile(r"^1\d{10}$")


def find_or_register(session, district_id: int, person: dict) -> tuple[Participant, bool]:
    """The register's entry for this person (by ID number, else by phone in the district), created when
    there is none; a known entry gains the phone or ID number it lacked. A name that differs from the
    register's for the same key is refused: the key belongs to someone else."""
    found = None
    if person.get("id_number"):
        found = session.scalars(select(Participant).where(Participant.id_number == person["id_number"])).first()
    if found is None and person.get("phone"):
        found = session.scalars(select(Participant).where(Participant.district_id == district_id,
                                                          Participant.phone == person["phone"])).first()
    if found is not None:
        if found.name != person["name"]:
            field = "id_number" if person.get("id_number") == found.id_number and found.id_number else "phone"
            raise InvalidInput(field, "该号码已登记为另一位家长。", "This number is registered to another guardian.")
        if person.get("phone") and not found.phone and found.district_id == district_id:
            found.phone, found.phone_last4 = person["phone"], person["phone"][-4:]
        if person.get("id_number") and not found.id_number:
            found.id_number = person["id_number"]
        if person.get("child_school") and not found.child_school:
            found.child_school = person["child_school"]
        return found, False
    found = Participant(district_id=district_id, name=person["name"], phone=person.get("phone"),
                        phone_last4=person["phone"][-4:] if person.get("phone") else None,
                        id_number=person.get("id_number"), child_school=person.get("child_school"),
                        created_at=clock.now())
    session.add(found)
    session.flush()
    return found, True


def link_guardian(session, actor: Actor, guardian: Guardian, district_id: int) -> Participant:
    """The register's entry of a case's guardian (found by ID number or phone, else registered) linked to
    the guardian; a guardian with neither cannot be followed."""
    person = {"name": guardian.name, "phone": None, "id_number": guardian.id_number}
    phone = re.sub(r"[\s-]", "", guardian.phone or "")
    if PHONE.fullmatch(phone):
        person["phone"] = phone
    if not person["phone"] and not person["id_number"]:
        raise InvalidInput("course_guardian_ids", f"监护人{guardian.name}没有手机号码或身份证号码，无法跟踪其家长学校学时；请先补充。",
                           f"Guardian {guardian.name} has no mobile number or ID number: add one to follow their "
                           "parent-school hours.")
    participant, _ = find_or_register(session, district_id, person)
    if participant.guardian_id not in (None, guardian.id):
        # the same person is a guardian in another case: the newer case follows them
        audit.record(session, actor, "relink_participant", "ps_participant", participant.id, guardian.case_id,
                     {"guardian": participant.guardian_id}, {"guardian": guardian.id})
    participant.guardian_id = guardian.id
    return participant


def require_courses(session, actor: Actor, case, plan, data: dict, today: date) -> list:
    """The courses a guidance plan requires (``course_hours`` of ``course_kinds``, any kind when none is
    chosen) of the chosen guardians of the case, each linked to the register. None when no hours are asked."""
    wanted = v.integer(data, "course_hours", low=0, high=200, required=False) or 0
    guardian_ids = data.get("course_guardian_ids") or []
    if isinstance(guardian_ids, (str, int)):
        guardian_ids = [guardian_ids]
    if not wanted:
        if guardian_ids:
            raise InvalidInput("course_hours", "请填写要求的家长学校学时。", "Enter the parent-school hours required.")
        return []
    kinds = v.choices(data, "course_kinds", COURSE_KINDS)
    guardians = {str(g.id): g for g in case.guardians if g.status == "active"}
    chosen = [guardians.get(str(g).strip()) for g in guardian_ids]
    if not chosen or None in chosen:
        raise InvalidInput("course_guardian_ids", "请选择须参加家长学校课程的监护人。",
                           "Choose the guardian(s) who must attend parent-school courses.")
    made = []
    for guardian in chosen:
        participant = link_guardian(session, actor, guardian, case.district_id)
        requirement = PlanCourseRequirement(plan_id=plan.id, round_id=plan.round_id, case_id=case.id,
                                            guardian_id=guardian.id, kinds=f",{','.join(kinds)}," if kinds else "",
                                            minutes=wanted * 60, since=today)
        session.add(requirement)
        made.append(requirement)
        audit.record(session, actor, "require_courses", "guidance_plan", plan.id, case.id, None,
                     {"guardian": guardian.id, "participant": participant.id, "kinds": kinds, "hours": wanted})
    session.flush()
    return made
