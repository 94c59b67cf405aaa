"""Recording a risk code (赋码、降级、升级) in the case's code history, under the rule of ``engine.rules.codes``."""
from datetime import timedelta

from engine.models import Approval, RiskCodeChange
from engine.rules.codes import DOWNGRADE_UNAPPROVED, may_change_code
from engine.rules.permissions import require


def set_code(session, runtime, actor, case, round_id, kind: str, code: str, reason: str, now,
             approval: Approval | None = None) -> RiskCodeChange:
    """Record ``code`` as the case's code from now, with its next review date (from the follow-up table).

    Refuses a lower code unless ``approval`` is an approved downgrade of this case to exactly that code.
    """
    require(may_change_code(case.current_code, code, case.id, approval), DOWNGRADE_UNAPPROVED)
    review = now.date() + timedelta(days=runtime.decide("followup_schedule", {"risk_code": code})["review_days"])
    change = RiskCodeChange(case_id=case.id, round_id=round_id, kind=kind, code=code, previous_code=case.current_code,
                            reason=reason, decided_by=actor.id, decided_at=now, next_review=review,
                            approval_id=approval.id if approval is not None else None)
    session.add(change)
    case.current_code, case.code_review_due = code, review
    return change
