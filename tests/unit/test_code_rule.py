"""The downgrade rule (engine.rules.codes): a code goes down only with an approved downgrade of this case
to exactly that code, decided by someone other than who asked."""
from types import SimpleNamespace

from engine.rules.codes import approves_downgrade, is_downgrade, may_change_code

CASE = 5


def approval(**changes):
    values = dict(case_id=CASE, kind="downgrade", status="approved", to_code="yellow", requested_by=1, decided_by=2)
    return SimpleNamespace(**{**values, **changes})


def test_a_code_goes_up_or_stays_without_approval():
    assert not is_downgrade("yellow", "red") and not is_downgrade("yellow", "yellow")
    assert may_change_code("yellow", "red", CASE) and may_change_code(None, "blue", CASE)


def test_a_code_goes_down_only_with_an_approved_downgrade_to_exactly_that_code():
    assert is_downgrade("orange", "yellow")
    assert not may_change_code("orange", "yellow", CASE)
    assert may_change_code("orange", "yellow", CASE, approval())
    assert not may_change_code("orange", "blue", CASE, approval())


def test_an_approval_of_another_case_kind_or_state_does_not_count():
    for wrong in (dict(case_id=6), dict(kind="closure"), dict(status="pending"), dict(status="refused")):
        assert not approves_downgrade(approval(**wrong), CASE, "yellow"), wrong


def test_nobody_approves_their_own_downgrade():
    assert not approves_downgrade(approval(decided_by=1), CASE, "yellow")
    assert not approves_downgrade(approval(decided_by=None), CASE, "yellow")
    assert not approves_downgrade(None, CASE, "yellow")
