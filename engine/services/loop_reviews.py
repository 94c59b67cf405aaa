"""Closed-loop audits (闭环审查): supervisors go over closed and closing cases with the checklist computed
from the records, sign a complete loop off, return a closed case for rework (which reopens its last
round at the step to redo), and draw random samples of closed cases for review (抽查).
"""
import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from engine.actor import Actor
from engine.auditlog import record as audit
from engine.context import GuardLoop
from engine.errors import Conflict, InvalidInput, NotFound
from engine.models import Approval, Case, ReviewSample, Round, RoundReview, User
from engine.models.case import bump_version
from engine.reads.access import require_case, visible_cases
from engine.reads.checklists import checklists
from engine.rules import validate as v
from engine.rules.masking import mask_name
from engine.rules.permissions import LOOP_REVIEW_REFUSED, may_review_loops, require
from engine.workflow.catalog import REWORK_STEPS
from engine.workflow.clock import clock
from engine.workflow.rounds import load_workflow, save_round

SAMPLE_LIMIT = 200


@dataclass(frozen=True)
class AuditRow:
    case_id: int
    case_no: str
    child: str                 # masked
    code: str | None
    state: str                 # closed, closing (a closure request waits for approval)
    round_id: int
    round_number: int
    ended_at: datetime | None
    checklist: object          # closed_loop.Checklist
    review: object | None      # the latest RoundReview of the round
    sampled: bool
    case_version: int


def require_auditor(actor: Actor) -> None:
    require(may_review_loops(actor), LOOP_REVIEW_REFUSED)


def audit_list(gl: GuardLoop, actor: Actor, *, state: str | None = None, sample_id: int | None = None,
               limit: int = 200) -> dict:
    """Closed and closing cases the supervisor may see, each with its last round's checklist and review."""
    require_auditor(actor)
    with gl.reading() as session:
        closing = select(Approval.round_id).where(Approval.kind == "closure", Approval.status == "pending")
        sample = session.get(ReviewSample, sample_id) if sample_id else _latest_sample(session, actor)
        sampled = set(sample.case_ids) if sample else set()
        query = (select(Round, Case).join(Case, Case.id == Round.case_id)
                 .where(visible_cases(actor), ((Round.outcome == "closed") | Round.id.in_(closing))))
        if state == "closed":
            query = query.where(Round.outcome == "closed")
        elif state == "closing":
            query = query.where(Round.id.in_(closing))
        elif state == "sampled":
            query = query.where(Case.id.in_(sampled or {0}))
        found = session.execute(query.order_by(Round.ended_at.desc().nulls_first(), Round.id.desc())
                                .limit(limit)).all()
        lists = checklists(session, gl, [r.id for r, _ in found])
        reviews = _latest_reviews(session, [r.id for r, _ in found])
        reviewers = dict(session.execute(select(User.id, User.display_name).where(
            User.id.in_({r.reviewed_by for r in reviews.values()}))).all()) if reviews else {}
    rows = [AuditRow(case.id, case.case_no, mask_name(case.child_name), case.current_code,
                     "closed" if rnd.outcome == "closed" else "closing", rnd.id, rnd.number, rnd.ended_at,
                     lists.get(rnd.id), reviews.get(rnd.id), case.id in sampled, case.version)
            for rnd, case in found]
    return {"rows": rows, "sample": sample, "reviewers": reviewers}


def _latest_reviews(session, round_ids) -> dict:
    latest = {}
    for review in session.scalars(select(RoundReview).where(RoundReview.round_id.in_(round_ids))
                                  .order_by(RoundReview.id)):
        latest[review.round_id] = review
    return latest


def _latest_sample(session, actor: Actor):
    return session.scalars(select(ReviewSample).where(ReviewSample.district_id == actor.district_id,
                                                      ReviewSample.agency == actor.agency)
                           .order_by(ReviewSample.id.desc())).first()


def _closed_round(session, gl: GuardLoop, actor: Actor, round_id: int):
    rnd = session.get(Round, round_id, with_for_update=True)
    if rnd is None:
        raise NotFound("轮次不存在。", "No such round.")
    case = require_case(session, actor, rnd.case_id)
    if rnd.outcome != "closed" or case.status != "closed":
        raise InvalidInput("round", "只有已结案个案的最后一轮可以审查签署或退回整改。",
                           "Only the last round of a closed case is signed off or returned for rework.")
    return rnd, case


def sign_off(gl: GuardLoop, actor: Actor, round_id: int, note: str = "") -> int:
    """审查通过: the supervisor signs the closed loop off; refused while the checklist misses anything."""
    require_auditor(actor)
    note = v.text({"note": note}, "note", required=False, max_len=2000)
    with gl.transaction() as session:
        rnd, case = _closed_round(session, gl, actor, round_id)
        checklist = checklists(session, gl, [rnd.id])[rnd.id]
        if not checklist.complete:
            missing = "、".join(i.label[0] for i in checklist.items if i.status not in ("met", "not_required"))
            raise InvalidInput("round", f"闭环证据不全（{missing}），不能签署，请退回整改。",
                               "The loop is not closed (evidence missing): return the case for rework instead.")
        review = _review(session, actor, rnd, "signed_off", note, checklist)
        audit.record(session, actor, "sign_off_audit", "round", rnd.id, case.id, None, {"review_id": review.id})
        return review.id


def return_for_rework(gl: GuardLoop, actor: Actor, round_id: int, step: str, reason: str,
                      expected_version: int) -> dict:
    """退回整改: the closed case opens again and its last round goes back to the latest ``step`` task done
    (a guidance session, a follow-up visit or the re-assessment); from there the round runs on as usual
    and closes again only with a new approval."""
    require_auditor(actor)
    step = v.choice({"step": step}, "step", REWORK_STEPS)
    reason = v.text({"reason": reason}, "reason", max_len=3000)
    with gl.transaction() as session:
        rnd, case = _closed_round(session, gl, actor, round_id)
        if case.version != expected_version:
            raise Conflict("该个案刚被他人修改，请刷新后重试。", "This case changed a moment ago; reload and try again.")
        runtime, workflow = load_workflow(session, gl, rnd)
        done = [t for t in workflow.get_tasks(state=TaskState.COMPLETED) if t.task_spec.name == REWORK_STEPS[step]]
        if not done:
            raise InvalidInput("step", "本轮没有可退回的该步骤记录。", "This round has no such step to go back to.")
        checklist = checklists(session, gl, [rnd.id])[rnd.id]
        workflow.reset_from_task_id(max(done, key=lambda t: t.last_state_change).id)
        workflow.completed = False  # SpiffWorkflow keeps the flag of the finished run
        workflow.do_engine_steps()
        now = clock.now()
        rnd.status, rnd.outcome, rnd.ended_at = "running", None, None
        case.status, case.closed_at = "open", None
        save_round(session, runtime, case, rnd, workflow)
        review = _review(session, actor, rnd, "returned", reason, checklist, step)
        audit.record(session, actor, "return_for_rework", "round", rnd.id, case.id,
                     {"case_status": "closed"}, {"case_status": "open", "step": step, "reason": reason,
                                                 "review_id": review.id})
        bump_version(session, case, now)
        return {"case_version": case.version, "review_id": review.id}


def _review(session, actor: Actor, rnd, status, note, checklist, step=None) -> RoundReview:
    sampled = _latest_sample(session, actor)
    review = RoundReview(case_id=rnd.case_id, round_id=rnd.id, status=status, reopened_at_step=step, note=note,
                         checklist=audit.plain({"complete": checklist.complete,
                                                "items": {i.key: i.status for i in checklist.items}}),
                         sample_id=sampled.id if sampled and rnd.case_id in sampled.case_ids else None,
                         reviewed_by=actor.id, reviewed_at=clock.now())
    session.add(review)
    session.flush()
    return review


def draw_sample(gl: GuardLoop, actor: Actor, size: int, days: int = 365) -> int:
    """抽查: ``size`` closed cases at random from those closed in the last ``days`` days in the supervisor's
    district; the seed is kept, so the draw can be shown to have been random."""
    require_auditor(actor)
    size = v.integer({"size": size}, "size", low=1, high=SAMPLE_LIMIT)
    days = v.integer({"days": days}, "days", low=1, high=5 * 366)
    with gl.transaction() as session:
        since = clock.now() - timedelta(days=days)
        population = sorted(session.scalars(select(Case.id).where(visible_cases(actor), Case.status == "closed",
                                                                  Case.closed_at >= since)))
        if not population:
            raise InvalidInput("size", "该期间内没有已结案个案。", "No case was closed in that period.")
        seed = secrets.token_hex(8)
        chosen = sorted(random.Random(seed).sample(population, min(size, len(population))))
        sample = ReviewSample(district_id=actor.district_id, agency=actor.agency, drawn_by=actor.id,
                              drawn_at=clock.now(), seed=seed, population=len(population), case_ids=chosen)
        session.add(sample)
        session.flush()
        audit.record(session, actor, "draw_review_sample", "review_sample", sample.id, None, None,
                     {"size": len(chosen), "population": len(population), "seed": seed, "days": days})
        return sample.id

