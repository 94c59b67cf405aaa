"""Changes to a case outside the round's task order: an upgrade on a new incident, and closure."""

from sqlalchemy import select

from engine.actor import Actor
from engine.auditlog import record as audit
from engine.context import GuardLoop
from engine.errors import Conflict, InvalidInput
from engine.issuing import document_context as doc_context
from engine.issuing.issue import issue, issuer_name
from engine.models import Approval, DocumentRecord, FollowupVisit, GuidanceSession, RiskCodeChange, Round
from engine.models.case import bump_version
from engine.reads.access import require_case
from engine.reference import CODES, code_rank
from engine.rules import validate as v
from engine.rules.permissions import CLOSURE_UNAPPROVED, require, require_casework
from engine.workflow.clock import clock
from engine.workflow.risk_codes import set_code
from engine.workflow.rounds import load_workflow, save_round, start_round


def close_case(session, gl: GuardLoop, actor: Actor, case, rnd) -> None:
    """结案. Refused unless a supervisor's approval of closure is on record for this round."""
    approved = session.scalars(select(Approval).where(
        Approval.round_id == rnd.id, Approval.kind == "closure", Approval.status == "approved")).first()
    require(approved is not None, CLOSURE_UNAPPROVED)
    case.status, case.closed_at, case.code_review_due = "closed", clock.now(), None
    audit.record(session, actor, "close_case", "case", case.id, case.id, {"status": "open"},
                 {"status": "closed", "approval_id": approved.id})
    _issue_closure_report(session, gl, actor, case, rnd, approved)


def _issue_closure_report(session, gl: GuardLoop, actor: Actor, case, rnd, approval) -> None:
    """结案报告: every round, the code history, guidance and visits, the documents and the approval."""
    by_case = lambda model: session.scalars(select(model).where(model.case_id == case.id)  # noqa: E731
                                            .order_by(model.id)).all()
    documents = [d for d in by_case(DocumentRecord) if d.number]
    summary = doc_context.closure(by_case(Round), by_case(RiskCodeChange), by_case(GuidanceSession),
                                  by_case(FollowupVisit), documents, approval,
                                  issuer_name(session, approval.decided_by), approval.request_reason)
    issue(session, gl, actor, case, rnd.id, "closure_report", summary)


def raise_code(session, gl: GuardLoop, actor: Actor, case, running: Round | None, code: str, reason: str, now) -> None:
    """升级: the code goes up at once; the running round stops (its open work with it) and a new round starts
    with a fresh assessment."""
    before = {"code": case.current_code}
    set_code(session, gl.runtime(session, gl.current_version(session)), actor, case,
             running.id if running else None, "upgrade", code, reason, now)
    if running is not None:
        runtime, workflow = load_workflow(session, gl, running)
        workflow.cancel()
        running.status, running.outcome, running.ended_at = "interrupted", "upgraded", now
        save_round(session, runtime, case, running, workflow)  # an interrupted round has no work items
    audit.record(session, actor, "upgrade_on_incident", "case", case.id, case.id, before,
                 {"code": code, "reason": reason})
    start_round(session, gl, actor, case, "new incident")


def upgrade_on_incident(gl: GuardLoop, actor: Actor, case_id: int, data: dict, expected_version: int) -> dict:
    """A new incident raises the code at once (升级); the running round stops and a new one starts
    with a fresh assessment."""
    code = v.choice(data, "code", CODES)
    reason = v.text(data, "reason", max_len=3000)
    with gl.transaction() as session:
        case = require_case(session, actor, case_id)
        require_casework(actor)
        if case.version != expected_version:
            raise Conflict("该个案刚被他人修改，请刷新后重试。", "This case changed a moment ago; reload and try again.")
        if case.status != "open":
            raise InvalidInput("code", "个案已结案。", "The case is closed.")
        if code_rank(code) <= code_rank(case.current_code):
            raise InvalidInput("code", "升级后的等级应高于当前等级。", "The new code must be higher than the current one.")
        now = clock.now()
        running = session.scalars(select(Round).where(Round.case_id == case.id, Round.status == "running")).first()
        raise_code(session, gl, actor, case, running, code, reason, now)
        bump_version(session, case, now)
        return {"case_version": case.version}
