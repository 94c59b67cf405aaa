"""Closed-loop audits: a complete loop is signed off, an incomplete one cannot be; a closed case returned
for rework opens again at the chosen step and closes again only through a new approval; random samples
are drawn from closed cases and can be redrawn from their seed."""
import random

import pytest
from sqlalchemy import select

from engine import services
from engine.errors import Conflict, InvalidInput, PermissionDenied
from engine.models import Approval, Case, ReviewSample, Round, RoundReview
from engine.demo.scenario import scores
from engine.services import loop_reviews as audits

from .helpers import blue_case_at_its_outcome, open_specs, visit


def closed_blue_case(driver):
    gl = driver.gl
    case = blue_case_at_its_outcome(driver)
    services.request_closure(gl, driver.actor("wf_caseworker"), case, "稳定", driver.version(case))
    services.approve(gl, driver.actor("wf_supervisor"), case, "approved", "同意", driver.version(case))
    with gl.reading() as s:
        assert s.get(Case, case).status == "closed"
        return case, s.scalars(select(Round.id).where(Round.case_id == case, Round.outcome == "closed")).one()


def test_only_supervisors_audit(gl, driver):
    for who in ("wf_caseworker", "prosecutor", "leader"):
        with pytest.raises(PermissionDenied):
            audits.audit_list(gl, driver.actor(who))


def test_a_complete_loop_is_listed_and_signed_off(gl, driver):
    case, round_id = closed_blue_case(driver)
    sup = driver.actor("wf_supervisor")
    (row,) = [r for r in audits.audit_list(gl, sup)["rows"] if r.case_id == case]
    assert row.state == "closed" and row.checklist.complete and row.review is None
    audits.sign_off(gl, sup, round_id, "证据齐全。")
    (row,) = [r for r in audits.audit_list(gl, sup, state="closed")["rows"] if r.case_id == case]
    assert row.review.status == "signed_off" and row.review.checklist["complete"] is True
    with pytest.raises(PermissionDenied):  # another district's supervisor cannot see it
        audits.sign_off(gl, driver.actor("yz_caseworker"), round_id)


def test_an_incomplete_loop_cannot_be_signed_off(gl, driver):
    case, round_id = closed_blue_case(driver)
    with gl.transaction() as s:  # as if a visit had never been recorded
        s.execute(RoundReview.__table__.delete())
    from engine.models import FollowupVisit
    with gl.engine.begin() as conn:
        conn.execute(FollowupVisit.__table__.delete().where(FollowupVisit.__table__.c.case_id == case))
    with pytest.raises(InvalidInput, match="闭环证据不全"):
        audits.sign_off(gl, driver.actor("wf_supervisor"), round_id)
    with gl.reading() as s:
        assert s.scalars(select(RoundReview)).all() == []


def test_return_for_rework_reopens_the_round_and_it_closes_again_only_with_a_new_approval(gl, driver):
    case, round_id = closed_blue_case(driver)
    sup = driver.actor("wf_supervisor")
    with pytest.raises(Conflict):
        audits.return_for_rework(gl, sup, round_id, "follow_up", "补一次回访", driver.version(case) - 1)
    with pytest.raises(InvalidInput):
        audits.return_for_rework(gl, sup, round_id, "nonsense", "x", driver.version(case))
    audits.return_for_rework(gl, sup, round_id, "follow_up", "请补充最后一次回访的学校意见。", driver.version(case))
    with gl.reading() as s:
        c, rnd = s.get(Case, case), s.get(Round, round_id)
        assert (c.status, c.closed_at, rnd.status, rnd.outcome) == ("open", None, "running", None)
        review = s.scalars(select(RoundReview).where(RoundReview.round_id == round_id)).one()
        assert (review.status, review.reopened_at_step) == ("returned", "follow_up")
    assert open_specs(driver, case) == [("await_visit", "womens_federation")]
    visit(driver, case)
    driver.do("wf_caseworker", case, "reassess", {**scores(2), "risk_factors": [], "summary": "补充后稳定"})
    services.request_closure(gl, driver.actor("wf_caseworker"), case, "已补充", driver.version(case))
    assert open_specs(driver, case) == [("approve_closure", "womens_federation")]
    services.approve(gl, sup, case, "approved", "同意", driver.version(case))
    with gl.reading() as s:
        assert s.get(Case, case).status == "closed"
        assert [a.status for a in s.scalars(select(Approval).where(Approval.case_id == case,
                                                                    Approval.kind == "closure"))] == ["approved"] * 2
        assert s.scalars(select(Round.id).where(Round.case_id == case)).all() == [round_id], "the same round"


def test_rework_at_a_step_the_round_never_did_is_refused(gl, driver):
    case, round_id = closed_blue_case(driver)
    from engine.models import Round as R
    with gl.reading() as s:
        state = s.get(R, round_id).state
    assert "await_session" in state
    audits.return_for_rework(gl, driver.actor("wf_supervisor"), round_id, "guide", "补充指导", driver.version(case))
    assert open_specs(driver, case) == [("await_session", "womens_federation")]


def test_a_random_sample_of_closed_cases_can_be_redrawn_from_its_seed(gl, driver):
    closed = [closed_blue_case(driver)[0] for _ in range(3)]
    sup = driver.actor("wf_supervisor")
    sample_id = audits.draw_sample(gl, sup, 2, days=1000)   # each case above took some 190 days
    with gl.reading() as s:
        sample = s.get(ReviewSample, sample_id)
    assert len(sample.case_ids) == 2 and set(sample.case_ids) <= set(closed) and sample.population == 3
    assert sorted(random.Random(sample.seed).sample(sorted(closed), 2)) == sample.case_ids
    listed = audits.audit_list(gl, sup, state="sampled")["rows"]
    assert {r.case_id for r in listed} == set(sample.case_ids) and all(r.sampled for r in listed)
    with pytest.raises(InvalidInput):
        audits.draw_sample(gl, sup, 0)
    driver.advance(2)
    with pytest.raises(InvalidInput, match="没有已结案"):
        audits.draw_sample(gl, sup, 2, days=1)
