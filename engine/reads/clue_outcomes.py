"""What becomes of a clue, as those who sent it are told: the reporting agency on "Clues I reported" and the
API client that sent it (its status endpoint and webhooks). Nothing of the child beyond the masked name."""
from engine.models import Case, RiskClue
from engine.rules.masking import mask_name


def outcome(session, clue: RiskClue) -> dict:
    """What the reporting agency is told became of its clue: the status, the reason, what it was merged
    into (a case by number only when the agency is on it: merged into a case, it is) and when."""
    merged_into = None
    if clue.merged_case_id is not None:
        merged_into = session.get(Case, clue.merged_case_id).case_no
    elif clue.merged_into_id is not None:
        merged_into = session.get(RiskClue, clue.merged_into_id).clue_no
    status = "opened" if clue.case_id is not None else clue.status
    return {"status": status, "reason": clue.decision_reason, "merged_into": merged_into,
            "decided_at": clue.decided_at}


def sender_view(session, clue: RiskClue) -> dict:
    """A clue as the system that sent it may see it: its number and status, the police's acknowledgement of
    and response to a mandatory report, whether a case was opened and closed; the child's name masked."""
    case = session.get(Case, clue.case_id) if clue.case_id is not None else None
    return {
        "id": clue.id, "clue_no": clue.clue_no, "status": "opened_as_case" if case is not None else clue.status,
        "child": mask_name(clue.child.get("name", "")), "received_at": clue.received_at,
        "registered_at": clue.registered_at, "mandatory_report": clue.mandatory_report,
        "report": {"routed_to": clue.report_to, "ack_due_at": clue.ack_due_at,
                   "acknowledged_at": clue.acknowledged_at, "respond_due_at": clue.respond_due_at,
                   "responded_at": clue.responded_at, "response": clue.police_response}
        if clue.mandatory_report else None,
        "case": {"opened_at": case.opened_at, "closed": case.status == "closed"} if case is not None else None,
        "decision": {"reason": clue.decision_reason, "decided_at": clue.decided_at,
                     "merged_into": "case" if clue.merged_case_id is not None
                     else "clue" if clue.merged_into_id is not None else None,
                     "merged_into_clue": session.get(RiskClue, clue.merged_into_id).clue_no
                     if clue.merged_into_id is not None else None}
        if clue.status in ("rejected", "merged") else None,
    }
