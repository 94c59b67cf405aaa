"""The closed-loop checklist's status logic (met / missing / pending / not required), on facts alone."""
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from engine.rules.closed_loop import (
    ITEMS, MET, MISSING, NOT_REQUIRED, PENDING, RoundFacts, current_step, evaluate, evidence_rules)

NOW = datetime(2026, 6, 1, 1, 0, tzinfo=timezone.utc)
ALL_OK = {key: True for key in ITEMS}
STEPS = ("assess", "handle", "guide", "follow_up", "review")


def steps(ended=(), running=()):
    """The round's step times: steps begun (and ended) — they run side by side."""
    at = (NOW - timedelta(days=30)).isoformat()
    return {**{s: {"started": at, "ended": at} for s in ended}, **{s: {"started": at, "ended": None} for s in running}}


def facts(**changes) -> RoundFacts:
    """A downgraded orange round with every piece of evidence on record."""
    base = RoundFacts(
        round_id=1, case_id=1, number=1, status="completed", outcome="downgraded", risk_code="orange",
        started_at=NOW - timedelta(days=200), ended_at=NOW - timedelta(days=1), steps=steps(STEPS), initial=1,
        reassessments=1,
        reports=2, served=2, undelivered=0, handling_decided=1, plan_sessions=6,
        plan_min_minutes=40, plan_period_days=180, plan_drafted_at=NOW - timedelta(days=190), sessions=6,
        minutes=300, attended=6, qualifying=6, visits=4, visits_required=4, approval_needed="downgrade",
        approved=1, approvals_pending=0, ok=dict(ALL_OK),
        **{f"{item}_chases_{state}": 0 for item in ("handling", "guidance", "follow_up")
           for state in ("explained", "open")})
    ok = dict(base.ok, **changes.pop("ok", {}))
    return replace(base, ok=ok, **changes)


def statuses(checklist) -> dict:
    return {item.key: item.status for item in checklist.items}


def test_a_round_with_every_item_evidenced_is_complete():
    checklist = evaluate(facts(), NOW)
    assert statuses(checklist) == {key: MET for key in ITEMS}
    assert checklist.complete and checklist.ended and checklist.note is None
    assert [i.key for i in checklist.items] == list(ITEMS)  # the order of the procedure


def test_an_ended_round_without_some_evidence_has_those_items_missing():
    checklist = evaluate(facts(undelivered=1, qualifying=4, ok={"handling": False, "guidance": False}), NOW)
    assert statuses(checklist) == {**{key: MET for key in ITEMS}, "handling": MISSING, "guidance": MISSING}
    assert not checklist.complete
    guidance = next(i for i in checklist.items if i.key == "guidance")
    assert guidance.detail[0].startswith("指导 4/6 次达标") and guidance.detail[1].startswith("4 of 6 qualifying")
    assert "300" in guidance.detail[1] and "100%" in guidance.detail[1]
    handling = next(i for i in checklist.items if i.key == "handling")
    assert "1 of 2 served documents delivered" in handling.detail[1]


def test_a_running_round_in_the_guide_step():
    f = facts(status="running", outcome=None, ended_at=None, steps=steps(("assess", "handle"), ("guide", "follow_up")),
              reassessments=0, reports=1,
              qualifying=2, visits=0, approval_needed=None, approved=0, plan_drafted_at=NOW - timedelta(days=60),
              ok={"guidance": False, "follow_up": False, "reassessment": False})
    checklist = evaluate(f, NOW)
    assert statuses(checklist) == {"assessment": MET, "handling": MET, "guidance": PENDING, "follow_up": PENDING,
                                   "reassessment": PENDING, "approval": PENDING}
    assert not checklist.complete and not checklist.ended
    assert current_step(f, NOW) == "guide"


def test_handling_is_not_met_before_the_handle_step_is_over():
    # Decided and nothing undelivered yet, but an order may still be issued: pending, not met.
    f = facts(status="running", outcome=None, steps=steps(("assess",), ("handle", "guide", "follow_up")),
              ok={"guidance": False})
    assert statuses(evaluate(f, NOW))["handling"] == PENDING


def test_guidance_whose_period_ran_out_unmet_is_missing_while_the_round_runs_on():
    f = facts(status="running", outcome=None, steps=steps(("assess", "handle", "guide"), ("follow_up",)), qualifying=2,
              plan_drafted_at=NOW - timedelta(days=181), ok={"guidance": False})
    assert statuses(evaluate(f, NOW))["guidance"] == MISSING
    assert current_step(f, NOW) == "follow_up"


def test_steps_run_side_by_side_the_first_unfinished_one_is_current():
    f = facts(status="running", outcome=None, steps=steps(("assess", "guide"), ("handle", "follow_up")), visits=0,
              ok={"follow_up": False})
    assert current_step(f, NOW) == "handle"
    assert statuses(evaluate(f, NOW))["guidance"] == MET
    assert statuses(evaluate(f, NOW))["follow_up"] == PENDING


def test_a_watched_round_needs_no_handling_or_guidance():
    f = facts(risk_code="watch", handling_decided=0, plan_sessions=None, qualifying=0, sessions=0,
              outcome="closed", approval_needed="closure")
    assert statuses(evaluate(f, NOW))["handling"] == NOT_REQUIRED
    assert statuses(evaluate(f, NOW))["guidance"] == NOT_REQUIRED


@pytest.mark.parametrize("item", ["handling", "guidance", "follow_up"])
def test_an_unanswered_chase_makes_its_own_item_missing_at_once(item):
    f = facts(status="running", outcome=None, steps=steps(("assess",), ("handle", "guide", "follow_up")), visits=1,
              **{f"{item}_chases_open": 1}, ok={item: False})
    checklist = evaluate(f, NOW)
    chased = next(i for i in checklist.items if i.key == item)
    assert chased.status == MISSING and "1 chase(s) unanswered" in chased.detail[1]
    assert all(i.status != MISSING for i in checklist.items if i.key != item), "other items are not blamed"
    explained = facts(**{f"{item}_chases_explained": 1})
    assert "1 chase(s) answered" in next(i for i in evaluate(explained, NOW).items if i.key == item).detail[1]


def test_another_round_needs_no_approval():
    checklist = evaluate(facts(outcome="another_round", approval_needed=None, approved=0), NOW)
    assert statuses(checklist)["approval"] == NOT_REQUIRED and checklist.complete


def test_an_escalation_without_its_approval_is_missing():
    checklist = evaluate(facts(outcome="escalated", approval_needed="escalation", approved=0, approvals_pending=1,
                               ok={"approval": False}), NOW)
    approval = next(i for i in checklist.items if i.key == "approval")
    assert approval.status == MISSING and "escalation" in approval.detail[1] and "waiting" in approval.detail[1]
    assert not checklist.complete


def test_an_interrupted_round_requires_nothing_more():
    f = facts(status="interrupted", outcome="upgraded", steps=steps(("assess",), ("guide",)), visits=0, reassessments=0,
              approval_needed=None, approved=0, ok={"follow_up": False, "reassessment": False, "handling": False})
    checklist = evaluate(f, NOW)
    assert statuses(checklist) == {"assessment": MET, "handling": NOT_REQUIRED, "guidance": MET,
                                   "follow_up": NOT_REQUIRED, "reassessment": NOT_REQUIRED, "approval": NOT_REQUIRED}
    assert checklist.complete and checklist.note is not None
    assert current_step(f, NOW) is None


def test_a_new_round_waits_for_its_assessment():
    f = facts(status="running", outcome=None, steps=steps((), ("assess",)), initial=0, reassessments=0, reports=0,
              handling_decided=0, served=0, plan_sessions=None, plan_drafted_at=None, plan_period_days=None,
              sessions=0, attended=0, qualifying=0, minutes=0, visits=0, visits_required=None,
              approval_needed=None, approved=0, ok={key: False for key in ITEMS})
    checklist = evaluate(f, NOW)
    assert set(statuses(checklist).values()) == {PENDING}
    assert current_step(f, NOW) == "assess"
    assert checklist.counts() == {MET: 0, MISSING: 0, PENDING: 6, NOT_REQUIRED: 0}


def test_every_item_has_labels_and_details_in_both_languages():
    for f in (facts(), facts(status="running", outcome=None, steps={}, ok={k: False for k in ITEMS})):
        for item in evaluate(f, NOW).items:
            assert all(item.label) and all(item.detail)
            assert any("\u4e00" <= ch <= "\u9fff" for ch in item.detail[0]) and item.detail[1].isascii()


class Nullable:
    """A nullable column's value for ``evidence_rules``, which is written with column operators (``is_``,
    ``is_not``); as in SQL, a comparison with NULL holds no evidence."""

    def __init__(self, value):
        self.value = value

    def is_(self, other):
        return self.value is other

    def is_not(self, other):
        return self.value is not other

    def __le__(self, other):
        return self.value is not None and self.value <= other

    def __ge__(self, other):
        return self.value is not None and self.value >= other


def evidence_of(**changes) -> dict:
    f = facts(**changes)
    f = replace(f, plan_sessions=Nullable(f.plan_sessions), visits_required=Nullable(f.visits_required),
                approval_needed=Nullable(f.approval_needed))
    return {key: bool(held) for key, held in evidence_rules(f).items()}


def test_the_evidence_rules_hold_for_a_round_with_every_record():
    assert evidence_of() == ALL_OK


def test_the_evidence_rules_name_what_is_lacking():
    assert not evidence_of(reports=1)["reassessment"]            # the re-assessment's report is missing
    assert not evidence_of(undelivered=1)["handling"]
    assert not evidence_of(qualifying=5)["guidance"]
    assert not evidence_of(plan_sessions=None)["guidance"]
    assert not evidence_of(visits_required=None)["follow_up"]
    assert not evidence_of(approved=0)["approval"]
    assert evidence_of(approved=0, approval_needed=None)["approval"]


def test_a_watched_round_needs_no_handling_or_guidance_evidence():
    held = evidence_of(risk_code="watch", handling_decided=0, plan_sessions=None)
    assert held["handling"] and held["guidance"]
