"""Changes of guardianship the procedure makes (监护变更): a parent's duties suspended while civil affairs is
the temporary guardian (未成年人保护法 art. 92), guardianship revoked by a court (art. 108; 民法典 art. 36),
long-term guardianship by civil affairs (art. 94), a guardian designated by the court, an entrusted carer
(art. 22). The guardian record of the case always says who the child's guardians are now."""
from sqlalchemy import select

from engine.actor import Actor
from engine.auditlog import record as audit
from engine.errors import InvalidInput
from engine.models import Agency, Guardian, Office


def chosen_guardians(session, case_id: int, ids) -> list[Guardian]:
    """The case's guardians named by id (from a form), refusing ids of another case."""
    wanted = {int(i) for i in ids or [] if str(i).strip().isdigit()}
    rows = list(session.scalars(select(Guardian).where(Guardian.case_id == case_id, Guardian.id.in_(wanted))))
    if len(rows) != len(wanted):
        raise InvalidInput("guardian_ids", "所选监护人不属于本个案。", "A chosen guardian is not on this case.")
    return rows


def change_status(session, actor: Actor, guardians, status: str, reason: str, on) -> None:
    for guardian in guardians:
        before = guardian.status
        guardian.status, guardian.until, guardian.status_reason = status, on, reason
        audit.record(session, actor, "change_guardianship", "guardian", guardian.id, guardian.case_id,
                     {"status": before}, {"status": status, "reason": reason})


def add_guardian(session, actor: Actor, case_id: int, name: str, relation: str, kind: str, since,
                 reason: str) -> Guardian:
    guardian = Guardian(case_id=case_id, name=name, relation=relation, is_guardian=True, kind=kind, status="active",
                        since=since, status_reason=reason)
    session.add(guardian)
    session.flush()
    audit.record(session, actor, "add_guardian", "guardian", guardian.id, case_id, None,
                 {"name": name, "kind": kind, "reason": reason})
    return guardian


def office_name(session, agency: str, district_id: int) -> str | None:
    return session.scalar(select(Office.name).join(Agency, Agency.id == Office.agency_id)
                          .where(Agency.code == agency, Office.district_id == district_id))
