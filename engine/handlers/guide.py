"""Guide (指导) and follow up (回访): sessions, visits, and chasing an overdue visit."""
from types import SimpleNamespace

from sqlalchemy import func, select

from .. import doc_context

from ..models import FollowupVisit, GuidancePlan, GuidanceSession
from ..reference import SESSION_KINDS, VISIT_METHODS
from .. import validate as v
from . import task_handler

_INSERT_SESSION = GuidanceSession.__table__.insert()
_INSERT_VISIT = FollowupVisit.__table__.insert()


def current_plan(session, round_id: int) -> GuidancePlan | None:
    return session.scalars(select(GuidancePlan).where(GuidancePlan.round_id == round_id)
                           .order_by(GuidancePlan.id.desc())).first()


def qualifying_sessions(session, round_id: int) -> int:
    """Sessions that count towards the plan: the guardian attended, for at least the plan's minutes."""
    latest_plan = (select(GuidancePlan.min_minutes).where(GuidancePlan.round_id == round_id)
                   .order_by(GuidancePlan.id.desc()).limit(1).scalar_subquery())
    return session.scalar(select(func.count(GuidanceSession.id)).where(
        GuidanceSession.round_id == round_id, GuidanceSession.guardian_attended.is_(True),
        GuidanceSession.minutes >= latest_plan)) or 0


@task_handler("record_guidance_session")
def record_guidance_session(ctx):
    row = dict(case_id=ctx.case.id, round_id=ctx.round.id, kind=v.choice(ctx.data, "kind", SESSION_KINDS),
               held_on=v.day(ctx.data, "held_on"), minutes=v.integer(ctx.data, "minutes", low=1, high=600),
               guardian_attended=v.boolean(ctx.data, "guardian_attended"),
               notes=v.text(ctx.data, "notes", required=False, max_len=5000),
               recorded_by=ctx.actor.id, recorded_at=ctx.now)
    row_id = ctx.session.connection().execute(_INSERT_SESSION, row).inserted_primary_key[0]
    counts = row["guardian_attended"] and row["minutes"] >= ctx.task.data.get("min_minutes", 0)
    ctx.record.update(session_id=row_id, kind=row["kind"], held_on=row["held_on"], minutes=row["minutes"],
                      guardian_attended=row["guardian_attended"], counts_towards_plan=counts)
    # The round's running count (this task is the only way a session is recorded); ``reassess``
    # recounts from the rows themselves.
    return {"sessions_done": ctx.task.data.get("sessions_done", 0) + int(counts)}


def visits_in_round(session, round_id: int) -> int:
    return session.scalar(select(func.count(FollowupVisit.id)).where(FollowupVisit.round_id == round_id)) or 0


@task_handler("record_followup_visit")
def record_followup_visit(ctx):
    row = dict(case_id=ctx.case.id, round_id=ctx.round.id, method=v.choice(ctx.data, "method", VISIT_METHODS),
               visited_on=v.day(ctx.data, "visited_on"), findings=v.text(ctx.data, "findings", max_len=5000),
               orders_complied=v.boolean(ctx.data, "orders_complied"),
               new_incident=v.boolean(ctx.data, "new_incident"), recorded_by=ctx.actor.id, recorded_at=ctx.now)
    row_id = ctx.session.connection().execute(_INSERT_VISIT, row).inserted_primary_key[0]
    ctx.record.update(visit_id=row_id, method=row["method"], visited_on=row["visited_on"],
                      orders_complied=row["orders_complied"], new_incident=row["new_incident"])
    from ..services.documents import issue
    issue(ctx.session, ctx.gl, ctx.actor, ctx.case, ctx.round.id, "followup_record",
          {"visits": doc_context.visits([SimpleNamespace(**row)]), "code": doc_context.code_name(ctx.case.current_code)})
    return {"visits_done": ctx.task.data.get("visits_done", 0) + 1}


@task_handler("chase_overdue_visit", "chase_overdue_session", "chase_deliver_procuratorate_order",
              "chase_deliver_court_order", "chase_deliver_rigid_procuratorate_order", "chase_deliver_rigid_court_order")
def chase_overdue(ctx):
    """督办: the supervising agency's response to a long-overdue visit, guidance session or delivery: the
    explanation and what was done. The chase is the evidence that nothing stayed overdue unexplained."""
    ctx.record.update(explanation=v.text(ctx.data, "explanation", max_len=3000),
                      action=v.text(ctx.data, "action", max_len=3000))
    return {}
