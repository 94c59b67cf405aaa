"""Chases (督办): the open chases addressed to an agency, and a supervisor's answer to one — the explanation
and what was done. Answering never touches the procedure; the chase was raised beside it."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from engine.actor import Actor
from engine.auditlog import record as audit
from engine.context import GuardLoop
from engine.errors import Conflict, NotFound
from engine.models import Case, Chase
from engine.rules import validate as v
from engine.rules.masking import mask_name
from engine.rules.permissions import CHASES_REFUSED, may_answer_chases, require
from engine.workflow.catalog import SAFETY_CONTACT_CHASE
from engine.workflow.clock import clock

CHASE_KINDS = {"decision": ("审查决定逾期", "Decision overdue"), "approval": ("审批逾期", "Approval overdue"),
               "delivery": ("送达逾期", "Delivery overdue"), "report": ("履行检查逾期", "Compliance check overdue"),
               "visit": ("回访逾期", "Visit overdue"), "session": ("指导逾期", "Guidance session overdue"),
               SAFETY_CONTACT_CHASE: ("红码安全联系逾期", "Red-code safety contact overdue")}


@dataclass(frozen=True)
class ChaseRow:
    chase_id: int
    case_id: int
    case_no: str
    child: str
    kind: str
    late_agency: str
    times: int
    first_raised_at: datetime
    last_raised_at: datetime
    resolved_at: datetime | None
    answered_at: datetime | None


def _require_supervisor(actor: Actor) -> None:
    require(may_answer_chases(actor), CHASES_REFUSED)


def open_chases(gl: GuardLoop, actor: Actor, limit: int = 100) -> list[ChaseRow]:
    """Chases addressed to the actor's agency in their district that no supervisor has answered yet."""
    _require_supervisor(actor)
    with gl.reading() as session:
        rows = session.execute(select(Chase, Case.case_no, Case.child_name).join(Case, Case.id == Chase.case_id).where(
            Chase.to_agency == actor.agency, Chase.district_id == actor.district_id, Chase.answered_at.is_(None))
            .order_by(Chase.first_raised_at).limit(limit)).all()
    return [ChaseRow(c.id, c.case_id, case_no, mask_name(name), c.kind, c.late_agency or "", c.times,
                     c.first_raised_at, c.last_raised_at, c.resolved_at, c.answered_at) for c, case_no, name in rows]


def answer_chase(gl: GuardLoop, actor: Actor, chase_id: int, data: dict) -> None:
    """督办答复: why it was late and what was done about it."""
    _require_supervisor(actor)
    with gl.transaction() as session:
        chase = session.get(Chase, chase_id, with_for_update=True)
        if chase is None or chase.to_agency != actor.agency or chase.district_id != actor.district_id:
            raise NotFound("督办不存在。", "No such chase.")
        explanation = v.text(data, "explanation", max_len=3000)
        action = v.text(data, "action", max_len=3000)
        if chase.answered_at is not None:
            raise Conflict("该督办已答复。", "This chase was answered already.")
        chase.explanation, chase.action = explanation, action
        chase.answered_by, chase.answered_at = actor.id, clock.now()
        audit.record(session, actor, "answer_chase", "chase", chase.id, chase.case_id, None,
                     {"explanation": explanation, "action": action})
