"""The service layer: the one door through which every state change goes.

Each function takes the engine context and the acting user explicitly, checks permission itself, runs
in one transaction with the domain rows, the workflow state and the audit entry, and raises domain
errors (``PermissionDenied``, ``NotFound``, ``Conflict``, ``InvalidInput``).
"""
from engine.services.accounts import authenticate, sign_out
from engine.services.approvals import approval_queue, decide_approval
from engine.services.cases import close_case, upgrade_on_incident
from engine.services.chases import answer_chase, open_chases
from engine.services.clues import check_duplicates, open_case, register_clue
from engine.services.records import record_guidance_session, record_visit
from engine.services.reports import acknowledge_report, my_reports, report_queue, respond_to_report
from engine.services.setup import create_user, seed_reference
from engine.services.tasks import approve, complete_task, escalate, request_closure, request_downgrade
from engine.services.timers import tick
from engine.services.viewing import view_case

__all__ = [
    "check_duplicates", "open_case", "register_clue", "approve", "complete_task", "escalate",
    "record_guidance_session", "record_visit", "request_closure", "request_downgrade", "close_case",
    "upgrade_on_incident", "tick", "create_user", "seed_reference", "authenticate", "sign_out", "view_case",
    "approval_queue", "decide_approval", "answer_chase", "open_chases", "acknowledge_report", "my_reports",
    "report_queue", "respond_to_report",
]
