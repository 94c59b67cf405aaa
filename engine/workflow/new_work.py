"""Who a new task goes to, and who hears of it.

A task (a READY user task) that opens in an agency's lane is assigned to the agency's case owner (承办人)
when there is one and their role may complete it; otherwise it is unassigned, for anyone of the agency
whose role may complete it to claim (``engine/services/assignment.py``). The assignee is told of it; an
unassigned task is told to every such person of the agency in the case's district. Written with the round's
save, in its unit of work: one read of the people and one insert of the notices.
"""
from sqlalchemy import select

from engine.models import Agency, CaseOwner, Notification, User
from engine.reference import NO_CASEWORK_ROLES
from engine.workflow.clock import clock
from engine.workflow.runtime import role_allowed

NEW_TASK = "task_new"            # a task assigned to me when it opened
UNASSIGNED_TASK = "task_unassigned"   # a task of my agency nobody holds, that I may claim
_INSERT_NOTICES = Notification.__table__.insert()


def people_for(session, case_id: int, district_id: int, lanes) -> list[tuple]:
    """(user id, role, agency, owns the case) of the active caseworking people of ``lanes`` in the district."""
    return session.execute(
        select(User.id, User.role, Agency.code, CaseOwner.user_id.is_not(None))
        .join(Agency, Agency.id == User.agency_id)
        .outerjoin(CaseOwner, (CaseOwner.case_id == case_id) & (CaseOwner.agency_code == Agency.code)
                   & (CaseOwner.user_id == User.id))
        .where(Agency.code.in_(sorted(set(lanes))), User.district_id == district_id, User.active.is_(True),
               User.role.not_in(NO_CASEWORK_ROLES))
        .order_by(User.id)).all()


def eligible(people, lane: str, roles) -> list[int]:
    return [uid for uid, role, agency, _ in people if agency == lane and role_allowed(roles, agency, role)]


def assign_new_work(session, case, rows: list[dict]) -> None:
    """Set ``assignee_id`` on the new work-item rows and write who must hear of them."""
    for row in rows:
        row["assignee_id"] = None
    tasks = [row for row in rows if row.get("kind") == "task"]
    if not tasks:
        return
    people = people_for(session, case.id, case.district_id, [row["lane"] for row in tasks])
    now, notices = clock.now(), []
    for row in tasks:
        owner = [uid for uid, role, agency, owns in people
                 if owns and agency == row["lane"] and role_allowed(row["roles"], agency, role)]
        payload = {"task": row["task_spec"], "task_name": row["task_name"], "task_id": row["task_id"],
                   "due_at": row["due_at"].isoformat() if row.get("due_at") else None}
        if owner:
            row["assignee_id"] = owner[0]
            addressees, kind = owner[:1], NEW_TASK
        else:
            addressees, kind = eligible(people, row["lane"], row["roles"]), UNASSIGNED_TASK
        notices.extend({"district_id": case.district_id, "agency_code": row["lane"], "role": None, "kind": kind,
                        "case_id": case.id, "payload": payload, "created_at": now, "user_id": uid,
                        "dedup_key": None, "read_at": None, "read_by": None} for uid in addressees)
    if notices:
        session.connection().execute(_INSERT_NOTICES, notices)
