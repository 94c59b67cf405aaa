"""Assess (评估): social investigation and the scored assessment."""
from datetime import timedelta

from sqlalchemy import select

from ..models import Assessment, RiskCodeChange
from ..reference import ASSESSMENT_ITEMS, ITEM_MAX, RISK_FACTORS
from .. import validate as v
from . import task_handler


@task_handler("social_investigation")
def social_investigation(ctx):
    ctx.record.update(findings=v.text(ctx.data, "findings", max_len=5000),
                      investigated_on=v.day(ctx.data, "investigated_on"),
                      sources=v.text(ctx.data, "sources", required=False, max_len=1000))
    return {}


def read_scores(data: dict) -> dict:
    return {item: v.integer(data, item, low=0, high=ITEM_MAX) for item in ASSESSMENT_ITEMS}


def _assessment(ctx, kind: str) -> dict:
    scores = read_scores(ctx.data)
    factors = v.choices(ctx.data, "risk_factors", RISK_FACTORS)
    summary = v.text(ctx.data, "summary", max_len=5000)
    row = Assessment(case_id=ctx.case.id, round_id=ctx.round.id, kind=kind, item_scores=scores,
                     total_score=sum(scores.values()), risk_factors=factors, summary=summary,
                     assessed_by=ctx.actor.id, assessed_at=ctx.now)
    ctx.session.add(row)
    ctx.record.update(scores=scores, risk_factors=factors, summary=summary)
    return {"total_score": row.total_score, "risk_factors": factors}


def latest_assessment(ctx, kind: str) -> Assessment:
    return ctx.session.scalars(select(Assessment).where(Assessment.round_id == ctx.round.id,
                                                        Assessment.kind == kind)
                               .order_by(Assessment.id.desc())).first()


def record_assessed_code(ctx):
    """The risk-code table decided the round's code: write it into the case's code history."""
    decided = ctx.runtime.latest_data(ctx.workflow, "plan_followup")
    code, review_days = decided["risk_code"], decided["review_days"]
    latest_assessment(ctx, "initial").decided_code = code
    case = ctx.case
    review = ctx.now.date() + timedelta(days=review_days)
    ctx.session.add(RiskCodeChange(
        case_id=case.id, round_id=ctx.round.id, kind="assessment", code=code, previous_code=case.current_code,
        reason=f"第 {ctx.round.number} 轮评估赋码（总分 {decided['total_score']}）", decided_by=ctx.actor.id,
        decided_at=ctx.now, next_review=review))
    case.current_code, case.code_review_due = code, review
    ctx.round.risk_code = code
    issue_report(ctx, code)


def issue_report(ctx, code: str) -> None:
    """评估报告: the scores, factors, code and reasons of the assessment just made."""
    from ..services.documents import issue, issuer_name
    issue(ctx.session, ctx.gl, ctx.actor, ctx.case, ctx.round.id, "assessment_report",
          {**ctx.record, "code": code, "assessed_on": ctx.now.date().isoformat(),
           "assessor": issuer_name(ctx.session, ctx.actor.id)})


@task_handler("scored_assessment", after=record_assessed_code)
def scored_assessment(ctx):
    return _assessment(ctx, "initial")
