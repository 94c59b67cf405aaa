"""Guide (指导): the family-education guidance plan. Sessions are recorded when they happen
(``services.records.record_guidance_session``), which the waiting guidance step receives."""
from sqlalchemy import func, select

from engine.errors import InvalidInput
from engine.models import GuidancePlan, GuidanceProvider, GuidanceSession
from engine.models.records import counts_towards_plan
from engine.reads.providers import require_offered
from engine.reference import COURSE_KINDS
from engine.rules import validate as v
from engine.tasks.courses import require_courses
from engine.tasks.handling import issue_document
from engine.tasks.registry import task_handler
from engine.workflow.catalog import Task
from engine.workflow.clock import CHINA_TZ
from engine.workflow.runtime import days_of


def current_plan(session, round_id: int) -> GuidancePlan | None:
    return session.scalars(select(GuidancePlan).where(GuidancePlan.round_id == round_id)
                           .order_by(GuidancePlan.id.desc())).first()


def qualifying_sessions(session, round_id: int) -> int:
    """Sessions that count towards the plan: the guardian attended, for at least the plan's minutes."""
    latest_plan = (select(GuidancePlan.min_minutes).where(GuidancePlan.round_id == round_id)
                   .order_by(GuidancePlan.id.desc()).limit(1).scalar_subquery())
    return session.scalar(select(func.count(GuidanceSession.id)).where(
        GuidanceSession.round_id == round_id,
        counts_towards_plan(GuidanceSession.guardian_attended, GuidanceSession.minutes, latest_plan))) or 0


def guidance_topics(runtime, family_types) -> list[str]:
    """Guidance content by family type (``guidance_content.dmn``)."""
    decided = (runtime.decide("guidance_content", {"family_type": t}) for t in family_types or [])
    return [d["topic"] for d in decided if d]


def provider_in_district(ctx, field: str) -> GuidanceProvider:
    provider = ctx.session.get(GuidanceProvider, v.integer(ctx.data, field, low=1, high=2**31 - 1))
    if provider is None or provider.district_id not in (None, ctx.case.district_id):
        raise InvalidInput(field, "请选择本区县的指导机构。", "Choose a guidance provider of the case's district.")
    return require_offered(ctx.session, provider.id, ctx.case.district_id, ctx.now.astimezone(CHINA_TZ).date(), field)


@task_handler(Task.DRAFT_GUIDANCE_PLAN)
def draft_guidance_plan(ctx):
    """制定家庭教育指导方案: defaults from ``guidance_cadence.dmn`` by code and content by family type; the
    drafter may change them."""
    defaults = ctx.task.data
    data = {"sessions_required": defaults.get("sessions_required"), "min_minutes": defaults.get("min_minutes"),
            "period_days": days_of(defaults.get("guidance_period") or "P180D"),
            "interval_days": days_of(defaults.get("session_interval") or "P30D"),
            **{k: x for k, x in ctx.data.items() if x not in (None, "")}}
    provider = provider_in_district(ctx, "provider_id")
    plan = GuidancePlan(
        case_id=ctx.case.id, round_id=ctx.round.id, provider_id=provider.id,
        sessions_required=v.integer(data, "sessions_required", low=1, high=48),
        min_minutes=v.integer(data, "min_minutes", low=10, high=480),
        period_days=v.integer(data, "period_days", low=7, high=730),
        goals=v.text(ctx.data, "goals", max_len=5000), drafted_by=ctx.actor.id, drafted_at=ctx.now)
    interval = v.integer(data, "interval_days", low=1, high=180)
    ctx.session.add(plan)
    ctx.session.flush()
    courses = require_courses(ctx.session, ctx.actor, ctx.case, plan, ctx.data,
                              ctx.now.astimezone(CHINA_TZ).date())
    topics = guidance_topics(ctx.runtime, ctx.case.family_types)
    ctx.record.update(provider_id=plan.provider_id, sessions_required=plan.sessions_required,
                      min_minutes=plan.min_minutes, period_days=plan.period_days, interval_days=interval,
                      goals=plan.goals, topics=topics)
    if courses:
        kinds = [k for k in courses[0].kinds.split(",") if k]
        ctx.record.update(course_hours=courses[0].minutes // 60, course_kinds=kinds,
                          course_kind_names=[COURSE_KINDS[k][0] for k in kinds],
                          course_guardians=[g.name for g in ctx.case.guardians if g.id in {c.guardian_id for c in courses}])
    issue_document(ctx, "guidance_plan", {**ctx.record, "provider": provider.name})
    return {"sessions_required": plan.sessions_required, "min_minutes": plan.min_minutes,
            "guidance_period": f"P{plan.period_days}D", "session_interval": f"P{interval}D"}
