"""The one rule every change of risk code (赋码、降级、升级) obeys: a code goes down only with a supervisor's
approval of that downgrade on record (风险等级降级须经审批). How far down a re-assessment may go (one level
at a time) is the follow-up table's (``workflows/*.dmn``); recording a change is ``engine.workflow.risk_codes``."""
from engine.reference import code_rank

DOWNGRADE_UNAPPROVED = ("风险等级降级须经督导审批。", "A risk code goes down only with a supervisor's approval.")


def is_downgrade(current_code: str | None, code: str) -> bool:
    return code_rank(code) < code_rank(current_code)


def approves_downgrade(approval, case_id: int, code: str) -> bool:
    """``approval`` (an ``Approval`` or None) is an approved downgrade of this case to exactly ``code``,
    decided by someone other than who asked for it."""
    return (approval is not None and approval.case_id == case_id and approval.kind == "downgrade"
            and approval.status == "approved" and approval.to_code == code and approval.decided_by is not None
            and approval.decided_by != approval.requested_by)


def may_change_code(current_code: str | None, code: str, case_id: int, approval=None) -> bool:
    """Up or level: always; down: only with ``approval`` approving exactly this downgrade."""
    return not is_downgrade(current_code, code) or approves_downgrade(approval, case_id, code)
