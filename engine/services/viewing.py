"""Opening a case page: the full record for those who work on the case, and an access-log entry."""
from sqlalchemy import bindparam, select

from engine.actor import Actor
from engine.auditlog import record as audit
from engine.context import GuardLoop
from engine.models import (
    Approval,
    Assessment,
    Attachment,
    AuditEntry,
    CaseAgency,
    CaseNote,
    CaseOwner,
    Chase,
    ComplianceCheck,
    DocumentRecord,
    FollowupVisit,
    GuidancePlan,
    GuidanceProvider,
    GuidanceSession,
    OrderSupervision,
    Referral,
    RiskClue,
    RiskCodeChange,
    Round,
    TaskRecord,
    User,
    WorkItem,
)
from engine.reads.access import require_case
from engine.reads.checklists import case_checklists
from engine.workflow.rounds import element_states, load_workflow

# What the page lists of a case, in order, each statement built once (their cache keys are memoized).
_ORDER = {GuidanceSession: (GuidanceSession.held_on, GuidanceSession.id), OrderSupervision: (OrderSupervision.document_id,),
          FollowupVisit: (FollowupVisit.visited_on, FollowupVisit.id), WorkItem: (WorkItem.due_at, WorkItem.id),
          CaseNote: (CaseNote.occurred_on.desc(), CaseNote.id.desc()), Attachment: (Attachment.id.desc(),),
          CaseOwner: (CaseOwner.agency_code,)}
_BY_CASE = {model: select(model).where(model.case_id == bindparam("case_id"))
            .order_by(*(_ORDER[model] if model in _ORDER else (model.id,)))  # type: ignore[union-attr]  # only models with an id
            for model in (RiskCodeChange, Assessment, GuidancePlan, GuidanceSession, FollowupVisit, DocumentRecord,
                          Approval, WorkItem, TaskRecord, Referral, OrderSupervision, ComplianceCheck, Chase,
                          CaseNote, Attachment, CaseOwner)}
_ROUNDS = select(Round).where(Round.case_id == bindparam("case_id")).order_by(Round.number)
_CLUE = select(RiskClue).where(RiskClue.case_id == bindparam("case_id"))
_AGENCIES = select(CaseAgency.agency_code).where(CaseAgency.case_id == bindparam("case_id"))
_TRAIL = (select(AuditEntry).where(AuditEntry.case_id == bindparam("case_id"))
          .order_by(AuditEntry.id.desc()).limit(200))


def view_case(gl: GuardLoop, actor: Actor, case_id: int) -> dict:
    """Everything the case page shows; records the view (访问留痕) in the same transaction."""
    with gl.transaction() as session:
        case = require_case(session, actor, case_id)
        audit.record(session, actor, "view_case", "case", case.id, case.id)
        this = {"case_id": case.id}
        rounds = session.scalars(_ROUNDS, this).all()
        running = next((r for r in rounds if r.status == "running"), rounds[-1] if rounds else None)
        runtime = workflow = None
        if running is not None and running.status != "quarantined":  # a set-aside state may not load
            runtime, workflow = load_workflow(session, gl, running)
        by_case = lambda model: session.scalars(_BY_CASE[model], this).all()  # noqa: E731
        view = {
            "case": case, "guardians": list(case.guardians), "rounds": rounds, "current_round": running,
            "clue": session.scalars(_CLUE, this).first(), "agencies": sorted(session.scalars(_AGENCIES, this)),
            "codes": by_case(RiskCodeChange), "assessments": by_case(Assessment), "plans": by_case(GuidancePlan),
            "sessions": by_case(GuidanceSession), "visits": by_case(FollowupVisit),
            "documents": by_case(DocumentRecord), "approvals": by_case(Approval),
            "work_items": by_case(WorkItem), "records": by_case(TaskRecord),
            "audit": audit.pending(session, case.id) + session.scalars(_TRAIL, this).all(),
            "referrals": by_case(Referral), "supervisions": by_case(OrderSupervision),
            "compliance_checks": by_case(ComplianceCheck), "chases": by_case(Chase),
            "notes": by_case(CaseNote), "attachments": by_case(Attachment), "owners": by_case(CaseOwner),
            "checklists": case_checklists(session, gl, case.id),
            "diagram": (runtime, element_states(workflow)) if workflow is not None else (None, {}),
        }
        # the names of the people and providers this case's record mentions, and only those
        people = {getattr(row, key) for name in ("codes", "approvals", "audit", "referrals", "chases",
                                                 "compliance_checks", "visits", "sessions", "notes", "attachments",
                                                 "owners")
                  for row in view[name]
                  for key in ("decided_by", "requested_by", "user_id", "proposed_by", "answered_by", "checked_by",
                              "recorded_by", "author_id", "uploaded_by") if getattr(row, key, None)}
        view["users"] = dict(session.execute(select(User.id, User.display_name).where(User.id.in_(people))).all())
        plans = {p.provider_id for p in view["plans"]}
        view["providers"] = dict(session.execute(select(GuidanceProvider.id, GuidanceProvider.name)
                                                 .where(GuidanceProvider.id.in_(plans))).all())
        return view
