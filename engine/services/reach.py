"""Objects looked up by id answer alike whether they are missing or outside the actor's reach: a request
of another district must not learn that it exists, let alone its state (已被审批)."""
from engine.actor import Actor
from engine.context import GuardLoop
from engine.errors import NotFound
from engine.models import Approval, Case
from engine.reads.access import can_view_case


def require_approval_in_reach(gl: GuardLoop, actor: Actor, approval_id: int) -> None:
    """NotFound unless the approval belongs to a case the actor may see."""
    with gl.reading() as session:
        approval = session.get(Approval, approval_id)
        case = session.get(Case, approval.case_id) if approval is not None else None
        if case is None or not can_view_case(session, actor, case):
            raise NotFound("审批申请不存在。", "No such request.")
