"""Loading what a permission check needs: the case with "does the actor's agency take part in it", and the
SQL conditions "the cases / clues this actor may see" for lists. The decisions are ``engine.rules.permissions``."""
from sqlalchemy import bindparam, exists, false, select
from sqlalchemy.orm import Session

from engine.errors import NotFound
from engine.models import Case, CaseAgency, Round
from engine.rules.permissions import (
    CASE_NOT_YOURS,
    CLUE_DECIDING_AGENCIES,
    COORDINATING_AGENCY,
    may_see_clue,
    may_view_case,
    require,
    require_view_case,
    works_on_cases,
)

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


def can_view_case(session: Session, actor, case: Case) -> bool:
    # the district first: the database is asked only when it decides
    return may_view_case(actor, case.district_id, True) and takes_part(session, case.id, actor.agency)


def require_case(session: Session, actor, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound("个案不存在。", "No such case.")
    require(can_view_case(session, actor, case), CASE_NOT_YOURS)
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
    require_view_case(actor, case.district_id, bool(part_of_it))
    known_to_take_part(session).add((case.id, actor.agency))
    return case, rnd


def can_see_clue(session: Session, actor, clue) -> bool:
    """``may_see_clue``, asking the database whether the actor's agency takes part in the clue's case only
    when that decides it."""
    return may_see_clue(actor, clue.district_id, clue.registered_by, clue.case_id,
                        lambda: takes_part(session, clue.case_id, actor.agency))


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
