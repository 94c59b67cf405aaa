"""Assess (评估): social investigation and the scored assessment that the risk-code table reads."""
from sqlalchemy import select

from engine.issuing.issue import issue, issuer_name
from engine.models import Assessment
from engine.reference import ASSESSMENT_ITEMS, CODE_NAMES, FACTOR_GROUPS, ITEM_MAX, RISK_FACTORS
from engine.rules import validate as v
from engine.tasks.registry import task_handler
from engine.workflow.catalog import Task
from engine.workflow.risk_codes import set_code


@task_handler(Task.SOCIAL_INVESTIGATION)
def social_investigation(ctx):
    ctx.record.update(findings=v.text(ctx.data, "findings", max_len=5000),
                      investigated_on=v.day(ctx.data, "investigated_on"),
                      sources=v.text(ctx.data, "sources", required=False, max_len=1000))
    return {}


def read_scores(data: dict) -> dict:
    return {item: v.integer(data, item, low=0, high=ITEM_MAX) for item in ASSESSMENT_ITEMS}


def table_inputs(scores: dict, factors: list, other_carer_able: bool) -> dict:
    """What ``risk_code.dmn`` reads: the factor groups, the child-safety score and the total."""
    groups = {group: any(f in factors for f in members) for group, members in FACTOR_GROUPS.items()}
    return {**groups, "other_carer_able": other_carer_able, "child_safety": scores["child_safety"],
            "total_score": sum(scores.values())}


def _assessment(ctx, kind: str) -> dict:
    scores = read_scores(ctx.data)
    factors = v.choices(ctx.data, "risk_factors", RISK_FACTORS)
    other_carer_able = v.boolean(ctx.data, "other_carer_able")
    summary = v.text(ctx.data, "summary", max_len=5000)
    row = Assessment(case_id=ctx.case.id, round_id=ctx.round.id, kind=kind, item_scores=scores,
                     total_score=sum(scores.values()), risk_factors=factors, summary=summary,
                     assessed_by=ctx.actor.id, assessed_at=ctx.now)
    ctx.session.add(row)
    ctx.record.update(scores=scores, risk_factors=factors, other_carer_able=other_carer_able, summary=summary)
    return table_inputs(scores, factors, other_carer_able)


def latest_assessment(ctx, kind: str) -> Assessment:
    return ctx.session.scalars(select(Assessment).where(Assessment.round_id == ctx.round.id,
                                                        Assessment.kind == kind)
                               .order_by(Assessment.id.desc())).first()


def record_assessed_code(ctx):
    """The risk-code tables decided the round's code: the assessment's code, never below the case's current
    code (a downgrade needs its own approval). Write it into the case's code history."""
    decided = ctx.runtime.latest_data(ctx.workflow, "plan_followup")
    code, assessed = decided["risk_code"], decided["assessed_code"]
    latest_assessment(ctx, "initial").decided_code = assessed
    reason = f"第 {ctx.round.number} 轮评估赋码（总分 {decided['total_score']}）"
    if decided.get("code_held"):
        reason += f"；评估为{CODE_NAMES[assessed][0]}，降级须经审批，维持{CODE_NAMES[code][0]}"
    set_code(ctx.session, ctx.runtime, ctx.actor, ctx.case, ctx.round.id, "assessment", code, reason, ctx.now)
    ctx.round.risk_code = code
    ctx.record.update(assessed_code=assessed, code=code, code_held=bool(decided.get("code_held")))
    issue_report(ctx, code)


def issue_report(ctx, code: str) -> None:
    """评估报告: the scores, factors, code and reasons of the assessment just made."""
    issue(ctx.session, ctx.gl, ctx.actor, ctx.case, ctx.round.id, "assessment_report",
          {**ctx.record, "code": code, "assessed_on": ctx.now.date().isoformat(),
           "assessor": issuer_name(ctx.session, ctx.actor.id), "assessing_agency": ctx.actor.agency})


@task_handler(Task.SCORED_ASSESSMENT, after=record_assessed_code)
def scored_assessment(ctx):
    return _assessment(ctx, "initial")
