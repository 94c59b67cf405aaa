"""Case owners (承办人): in each agency on a case, the one person who carries it. The agency's supervisor
assigns the owner and hands the case over to another of the agency's people, always with a reason; each
assignment is an audit entry naming the owner before and after."""
from sqlalchemy import or_, select, update

from engine.actor import Actor
from engine.auditlog import record as audit
from engine.context import GuardLoop
from engine.errors import Conflict, InvalidInput
from engine.models import CaseOwner, Notification, User, WorkItem
from engine.models.org import Agency
from engine.reads.access import require_case
from engine.reference import NO_CASEWORK_ROLES
from engine.rules import validate as v
from engine.rules.permissions import OWNER_ASSIGNING_REFUSED, may_assign_owner, require
from engine.workflow.clock import clock
from engine.workflow.new_work import eligible, people_for

CASE_HANDED = "case_handed"   # the notice to the new owner


def _require_supervisor(actor: Actor) -> None:
    require(may_assign_owner(actor), OWNER_ASSIGNING_REFUSED)


def _candidates(session, actor: Actor, district_id: int):
    """The agency's people of the case's district who work on cases, by name."""
    return session.scalars(select(User).join(Agency, Agency.id == User.agency_id).where(
        Agency.code == actor.agency, User.district_id == district_id, User.active.is_(True),
        User.role.not_in(NO_CASEWORK_ROLES)).order_by(User.display_name, User.id)).all()


def owner_form(gl: GuardLoop, actor: Actor, case_id: int) -> tuple:
    """The case, its owner in the supervisor's agency (or None) and whom the case can be given to."""
    _require_supervisor(actor)
    with gl.reading() as session:
        case = require_case(session, actor, case_id)
        current = session.get(CaseOwner, (case.id, actor.agency))
        return case, current, _candidates(session, actor, case.district_id)


def assign_owner(gl: GuardLoop, actor: Actor, case_id: int, data: dict) -> None:
    """指定/变更承办人: ``owner`` (a user id), ``reason``, and ``expected_owner``: the owner the supervisor
    saw ("" for none); if the case changed hands since, nothing is written (``Conflict``)."""
    _require_supervisor(actor)
    reason = v.text(data, "reason", max_len=1000)
    owner_id = v.integer(data, "owner", low=1, high=2**31 - 1)
    expected = str(data.get("expected_owner") or "").strip()
    with gl.transaction() as session:
        case = require_case(session, actor, case_id)
        if owner_id not in {u.id for u in _candidates(session, actor, case.district_id)}:
            raise InvalidInput("owner", "承办人须为本机构在该区县办案的人员。",
                               "The owner must be one of your agency's caseworkers in the case's district.")
        current = session.get(CaseOwner, (case.id, actor.agency))
        if (str(current.user_id) if current else "") != expected:
            raise Conflict("该个案的承办人刚被变更，请刷新后查看。",
                           "The case's owner changed a moment ago; reload to see who it is now.")
        if current is not None and current.user_id == owner_id:
            raise InvalidInput("owner", "此人已是承办人。", "This person already owns the case.")
        before = {"owner": current.user_id} if current else None
        now = clock.now()
        if current is None:
            session.add(CaseOwner(case_id=case.id, agency_code=actor.agency, user_id=owner_id, assigned_by=actor.id,
                                  assigned_at=now, reason=reason))
        else:
            current.user_id, current.assigned_by, current.assigned_at, current.reason = owner_id, actor.id, now, reason
        session.flush()   # an insert or UPDATE … WHERE version = the one read: a second supervisor's is a Conflict
        audit.record(session, actor, "hand_over_case" if current else "assign_owner", "case_owner",
                     f"{case.id}:{actor.agency}", case.id, before,
                     {"owner": owner_id, "agency": actor.agency, "reason": reason})
        hand_over_tasks(session, actor, case, before["owner"] if before else None, owner_id)
        if owner_id != actor.id:
            session.add(Notification(district_id=case.district_id, agency_code=actor.agency, kind=CASE_HANDED,
                                     case_id=case.id, user_id=owner_id, created_at=now,
                                     payload={"by": actor.display_name}))


def hand_over_tasks(session, actor: Actor, case, old_owner, new_owner: int) -> None:
    """The agency's open tasks of the case held by nobody or by the former owner go to the new owner where
    the new owner's role may complete them; each move is audited."""
    items = session.scalars(select(WorkItem).where(
        WorkItem.case_id == case.id, WorkItem.lane == actor.agency, WorkItem.kind == "task",
        or_(WorkItem.assignee_id.is_(None), WorkItem.assignee_id == old_owner) if old_owner
        else WorkItem.assignee_id.is_(None))).all()
    if not items:
        return
    people = people_for(session, case.id, case.district_id, [actor.agency])
    for item in items:
        if new_owner not in eligible(people, item.lane, item.roles):
            continue
        held = WorkItem.assignee_id.is_(None) if item.assignee_id is None else WorkItem.assignee_id == item.assignee_id
        moved = session.execute(update(WorkItem).where(WorkItem.id == item.id, held).values(assignee_id=new_owner)
                                .execution_options(synchronize_session=False))
        if moved.rowcount == 1:
            audit.record(session, actor, "assign_task", "task", item.task_id, case.id,
                         {"assignee": item.assignee_id},
                         {"assignee": new_owner, "task": item.task_spec, "reason": "case handed over"})
