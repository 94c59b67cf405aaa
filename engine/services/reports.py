"""Mandatory reports (强制报告, 未成年人保护法 art. 11): a school, hospital or other reporter's clue goes to the
police at once; the police acknowledge it and respond within the limits of ``mandatory_report.dmn``; the
reporter follows their own clues (their status and the response, nothing of the child beyond what they
reported). Overdue acknowledgements and responses show on the police's inbox and the overdue list."""
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import or_, select

from engine.actor import Actor
from engine.auditlog import record as audit
from engine.context import GuardLoop
from engine.errors import InvalidInput, NotFound
from engine.models import RiskClue
from engine.reads.clue_outcomes import outcome
from engine.rules import validate as v
from engine.rules.masking import mask_name
from engine.rules.permissions import REPORT_HANDLING_REFUSED, may_handle_report, require, require_casework
from engine.services.webhooks import clue_changed
from engine.workflow.clock import clock
from engine.workflow.runtime import timer_moment
from engine.workflow.scripting import moment_after_from


def route_report(session, gl: GuardLoop, clue: RiskClue) -> None:
    """At registration: where a mandatory report goes and by when it must be acknowledged and answered."""
    if not clue.mandatory_report:
        return
    rules = gl.runtime(session, gl.current_version(session)).decide("mandatory_report", {"source": clue.source})
    now = clock.now()
    clue.report_to = rules["route_to"]
    clue.ack_due_at = timer_moment(moment_after_from(now, rules["ack_within"]))
    clue.respond_due_at = timer_moment(moment_after_from(now, rules["respond_within"]))


@dataclass(frozen=True)
class ReportRow:
    clue_id: int
    clue_no: str
    source: str
    child: str
    description: str
    received_at: datetime
    ack_due_at: datetime | None
    acknowledged_at: datetime | None
    respond_due_at: datetime | None
    responded_at: datetime | None
    police_response: str | None
    status: str
    case_opened: bool
    reason: str | None = None          # why a clue was rejected or merged
    merged_into: str | None = None     # the clue or case (by number) it was merged into
    decided_at: datetime | None = None


def _row(clue: RiskClue, *, full: bool) -> ReportRow:
    child = clue.child.get("name", "") if full else mask_name(clue.child.get("name", ""))
    return ReportRow(clue.id, clue.clue_no, clue.source, child, clue.description if full else "", clue.received_at,
                     clue.ack_due_at, clue.acknowledged_at, clue.respond_due_at, clue.responded_at,
                     clue.police_response, clue.status, clue.case_id is not None)


def report_queue(gl: GuardLoop, actor: Actor) -> list[ReportRow]:
    """The mandatory reports routed to the actor's agency in their district that still need an
    acknowledgement or a response, oldest first."""
    require_casework(actor)
    with gl.transaction() as session:  # the list shows children's names: the view is logged
        clues = session.scalars(select(RiskClue).where(
            RiskClue.report_to == actor.agency, RiskClue.district_id == actor.district_id,
            or_(RiskClue.acknowledged_at.is_(None), RiskClue.responded_at.is_(None)))
            .order_by(RiskClue.ack_due_at)).all()
        if clues:
            audit.record(session, actor, "view_reports", "risk_clue", None, None, None,
                         {"clues": [c.id for c in clues]})
        return [_row(c, full=True) for c in clues]


def my_reports(gl: GuardLoop, actor: Actor) -> list[ReportRow]:
    """The clues the actor registered, with their status and the police's response (feedback to the
    reporter); the child's name is masked, as the reporter knows whom they reported."""
    require_casework(actor)
    with gl.reading() as session:
        clues = session.scalars(select(RiskClue).where(RiskClue.registered_by == actor.id)
                                .order_by(RiskClue.received_at.desc()).limit(200)).all()
        rows = []
        for c in clues:
            told = outcome(session, c)
            rows.append(replace(_row(c, full=False), status=told["status"], reason=told["reason"],
                                merged_into=told["merged_into"], decided_at=told["decided_at"]))
    return rows


def _routed_clue(session, actor: Actor, clue_id: int) -> RiskClue:
    clue = session.get(RiskClue, clue_id, with_for_update=True)
    if clue is None or clue.report_to != actor.agency or clue.district_id != actor.district_id:
        raise NotFound("报告不存在。", "No such report.")
    require(may_handle_report(actor), REPORT_HANDLING_REFUSED)
    return clue


def acknowledge_report(gl: GuardLoop, actor: Actor, clue_id: int) -> None:
    """受理回执: the police have the report and are acting on it."""
    with gl.transaction() as session:
        clue = _routed_clue(session, actor, clue_id)
        if clue.acknowledged_at is not None:
            raise InvalidInput("clue", "该报告已受理。", "The report was acknowledged already.")
        clue.acknowledged_at, clue.acknowledged_by = clock.now(), actor.id
        clue_changed(session, clue, "report.acknowledged")   # the sending system's webhook, if any
        audit.record(session, actor, "acknowledge_report", "risk_clue", clue.id, clue.case_id, None,
                     {"late": clue.acknowledged_at > clue.ack_due_at})


def respond_to_report(gl: GuardLoop, actor: Actor, clue_id: int, data: dict) -> None:
    """处置反馈: what the police did (出警、核查、立案…), which the reporter sees."""
    with gl.transaction() as session:
        clue = _routed_clue(session, actor, clue_id)   # the report must be the actor's to answer first
        response = v.text(data, "response", max_len=3000)
        now = clock.now()
        if clue.acknowledged_at is None:
            clue.acknowledged_at, clue.acknowledged_by = now, actor.id
        clue.police_response, clue.responded_at, clue.responded_by = response, now, actor.id
        clue_changed(session, clue, "report.responded")
        audit.record(session, actor, "respond_to_report", "risk_clue", clue.id, clue.case_id, None,
                     {"response": response, "late": now > clue.respond_due_at})
