"""Opening a case page: the full record for those who work on the case, and an access-log entry."""
from sqlalchemy import select

from .. import audit
from ..closed_loop import case_checklists
from ..models import (
    Approval, Assessment, AuditEntry, DocumentRecord, FollowupVisit, GuidancePlan, GuidanceProvider,
    GuidanceSession, RiskClue, RiskCodeChange, Round, TaskRecord, User, WorkItem,
)
from ..models import CaseAgency
from ..permissions import require_case
from ..rounds import element_states, load_workflow


def view_case(gl, actor, case_id: int) -> dict:
    """Everything the case page shows; records the view (访问留痕) in the same transaction."""
    with gl.transaction() as session:
        case = require_case(session, actor, case_id)
        audit.record(session, actor, "view_case", "case", case.id, case.id)
        rounds = session.scalars(select(Round).where(Round.case_id == case.id).order_by(Round.number)).all()
        running = next((r for r in rounds if r.status == "running"), rounds[-1] if rounds else None)
        runtime = workflow = None
        if running is not None:
            runtime, workflow = load_workflow(session, gl, running)
        by_case = lambda model, *order: session.scalars(  # noqa: E731
            select(model).where(model.case_id == case.id).order_by(*(order or (model.id,)))).all()
        view = {
            "case": case, "guardians": list(case.guardians), "rounds": rounds, "current_round": running,
            "clue": session.scalars(select(RiskClue).where(RiskClue.case_id == case.id)).first(),
            "agencies": sorted(session.scalars(select(CaseAgency.agency_code).where(CaseAgency.case_id == case.id))),
            "codes": by_case(RiskCodeChange), "assessments": by_case(Assessment), "plans": by_case(GuidancePlan),
            "sessions": by_case(GuidanceSession, GuidanceSession.held_on), "visits": by_case(FollowupVisit,
                                                                                                FollowupVisit.visited_on),
            "documents": by_case(DocumentRecord), "approvals": by_case(Approval),
            "work_items": by_case(WorkItem, WorkItem.due_at), "records": by_case(TaskRecord),
            "audit": audit.pending(session, case.id) + session.scalars(
                select(AuditEntry).where(AuditEntry.case_id == case.id).order_by(AuditEntry.id.desc()).limit(200)).all(),
            "checklists": case_checklists(session, gl, case.id),
            "diagram": (runtime.sources.get("intervention_round.bpmn"), element_states(workflow))
            if workflow is not None else (None, {}),
        }
        # the names of the people and providers this case's record mentions, and only those
        people = {getattr(row, key) for name in ("codes", "approvals", "audit") for row in view[name]
                  for key in ("decided_by", "requested_by", "user_id") if getattr(row, key, None)}
        view["users"] = dict(session.execute(select(User.id, User.display_name).where(User.id.in_(people))).all())
        plans = {p.provider_id for p in view["plans"]}
        view["providers"] = dict(session.execute(select(GuidanceProvider.id, GuidanceProvider.name)
                                                 .where(GuidanceProvider.id.in_(plans))).all())
        return view
