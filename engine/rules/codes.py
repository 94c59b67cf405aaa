"""The risk-code history (赋码、降级、升级) and the one rule every change of code obeys: a code goes down only
with a supervisor's approval of that downgrade on record (风险等级降级须经审批)."""
from datetime import timedelta

from engine.errors import PermissionDenied
from engine.models import Approval, RiskCodeChange
from engine.reference import code_rank


def set_code(session, runtime, actor, case, round_id, kind: str, code: str, reason: str, now,
             approval: Approval | None = None) -> RiskCodeChange:
    """Record ``code`` as the case's code from now, with its next review date (from the follow-up table).

    Refuses a lower code unless ``approval`` is an approved downgrade of this case to exactly that code.
    """
    if code_rank(code) < code_rank(case.current_code) and not _approves(approval, case, code):
        raise PermissionDenied("风险等级降级须经督导审批。", "A risk code goes down only with a supervisor's approval.")
    review = now.date() + timedelta(days=runtime.decide("followup_schedule", {"risk_code": code})["review_days"])
    change = RiskCodeChange(case_id=case.id, round_id=round_id, kind=kind, code=code, previous_code=case.current_code,
                            reason=reason, decided_by=actor.id, decided_at=now, next_review=review,
                            approval_id=approval.id if approval is not None else None)
    session.add(change)
    case.current_code, case.code_review_due = code, review
    return change


def _approves(approval, case, code) -> bool:
    return (approval is not None and approval.case_id == case.id and approval.kind == "downgrade"
            and approval.status == "approved" and approval.to_code == code and approval.decided_by is not None
            and approval.decided_by != approval.requested_by)
