"""Who may see and change what. Checked here, in the engine, for every service; views only mirror it.

A user sees the cases of their own district in which their agency takes part; a user completes a task
only when their agency owns the task's lane, the case is in their district and their role is one the
task names.
"""
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, exists, false, select
from sqlalchemy.orm import Session

from engine.errors import NotFound, PermissionDenied
from engine.models import Case, CaseAgency, Round, WorkItem
from engine.reference import NO_CASEWORK_ROLES
from engine.workflow.runtime import role_allowed

if TYPE_CHECKING:  # engine.workflow.rounds imports this module
    from engine.workflow.rounds import TaskRef

# Built once: building an ORM statement and its cache key costs more than running it (≈0.4 ms).
_CASE_AND_ROUND = (
    select(Case, Round, exists().where(CaseAgency.case_id == Case.id,
                                       CaseAgency.agency_code == bindparam("agency")).label("takes_part"))
    .outerjoin(Round, (Round.case_id == Case.id) & (Round.status == "running"))
    .where(Case.id == bindparam("case_id")))
# FOR NO KEY UPDATE: a writer's lock must not block inserts that reference the case (their key check)
_CASE_AND_ROUND_FOR_UPDATE = _CASE_AND_ROUND.with_for_update(of=Case.__table__, key_share=True)


def known_to_take_part(session: Session) -> set:
    """(case id, agency) pairs this unit of work already knows are on record."""
    return session.info.setdefault("case_agencies", set())


def takes_part(session: Session, case_id: int, agency: str) -> bool:
    known = known_to_take_part(session)
    if (case_id, agency) not in known:
        if session.get(CaseAgency, (case_id, agency)) is None:
            return False
        known.add((case_id, agency))
    return True


def works_on_cases(actor) -> bool:
    """Administrators and leaders work on no case: they never see a child's record."""
    return actor.role not in NO_CASEWORK_ROLES


def require_casework(actor) -> None:
    if not works_on_cases(actor):
        raise PermissionDenied("该账号不办理个案，也不能查看个案。",
                               "This account does not work on cases and may not see them.")


def can_view_case(session: Session, actor, case: Case) -> bool:
    return (works_on_cases(actor) and actor.district_id == case.district_id
            and takes_part(session, case.id, actor.agency))


def require_case(session: Session, actor, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound("个案不存在。", "No such case.")
    if not can_view_case(session, actor, case):
        raise _not_yours()
    return case


def require_case_and_round(session: Session, actor, case_id: int, *, for_update: bool = False):
    """The case, its running round (or None) and the permission check, in one query.

    ``for_update``: lock the case row (PostgreSQL) for a unit of work that will change it, so a second
    writer waits for the first and then reads the version the first wrote — a clear ``Conflict`` instead
    of working on a state that is already gone."""
    statement = _CASE_AND_ROUND_FOR_UPDATE if for_update else _CASE_AND_ROUND
    row = session.execute(statement, {"case_id": case_id, "agency": actor.agency}).first()
    if row is None:
        raise NotFound("个案不存在。", "No such case.")
    case, rnd, part_of_it = row
    if not works_on_cases(actor) or actor.district_id != case.district_id or not part_of_it:
        raise _not_yours()
    known_to_take_part(session).add((case.id, actor.agency))
    return case, rnd


def _not_yours() -> PermissionDenied:
    return PermissionDenied("您无权查看此个案：仅限本辖区参与办理的机构。",
                            "You may not see this case: only agencies of its district that work on it may.")


def require_task_rights(actor, item: "WorkItem | TaskRef") -> None:
    if actor.district_id != item.district_id:
        raise PermissionDenied("该任务不属于您的辖区。", "This task is not in your district.")
    if actor.agency != item.lane:
        raise PermissionDenied("该任务由其他机构办理。", "Another agency owns this task.")
    if not role_allowed(item.roles, actor.agency, actor.role):
        raise PermissionDenied("您的角色不能办理该任务。", "Your role may not complete this task.")


# The women's federation coordinates every case of its district: it joins each case when the case is
# opened (``open_case``), so for its users "takes part" adds nothing to "in the district".
COORDINATING_AGENCY = "womens_federation"


# The agencies that decide whether a clue becomes a case (建档): they see the clues not yet opened.
CLUE_DECIDING_AGENCIES = ("womens_federation", "procuratorate", "court")


def can_see_clue(session: Session, actor, clue) -> bool:
    """A clue's child data is for its registrar, the agencies deciding whether to open a case from it
    while it is open to decision and, once a case is opened from it, the agencies taking part in that case."""
    if not works_on_cases(actor) or clue.district_id != actor.district_id:
        return False
    if clue.registered_by == actor.id:
        return True
    if clue.case_id is None:
        return actor.agency in CLUE_DECIDING_AGENCIES
    return takes_part(session, clue.case_id, actor.agency)


def visible_clues(actor, clue_model):
    """The condition "``actor`` may see this clue" (``can_see_clue``) for lists."""
    if not works_on_cases(actor):
        return false()
    undecided = clue_model.case_id.is_(None) if actor.agency in CLUE_DECIDING_AGENCIES else false()
    on_the_case = exists().where(CaseAgency.case_id == clue_model.case_id, CaseAgency.agency_code == actor.agency)
    return (clue_model.district_id == actor.district_id) & (
        (clue_model.registered_by == actor.id) | undecided | on_the_case)


def visible_cases(actor, case_id=Case.id, district_id=Case.district_id):
    """The condition "``actor`` may see this case", for lists, searches and exports: the actor works on
    cases, the case is in their district and their agency takes part in it (an EXISTS on
    ``case_agency``'s primary key)."""
    if not works_on_cases(actor):
        return false()
    in_district = district_id == actor.district_id
    if actor.agency == COORDINATING_AGENCY:
        return in_district
    return in_district & exists().where(CaseAgency.case_id == case_id, CaseAgency.agency_code == actor.agency)
