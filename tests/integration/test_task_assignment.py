"""Claiming, releasing and assigning tasks within an agency; only the holder completes a held task; a new
task goes to the case owner; the people who must know of a new task are notified. On SQLite and PostgreSQL;
the claim race on PostgreSQL with two connections."""
import threading

import pytest
from sqlalchemy import select

from engine.reads import lists as queries
from engine.errors import Conflict, InvalidInput, PermissionDenied
from engine.models import AuditEntry, AuditStaged, Notification, User, WorkItem
from engine.services import assignment, owners

from .helpers import new_case


@pytest.fixture
def case(driver):
    return new_case(driver)


def _uid(gl, username):
    with gl.reading() as s:
        return s.scalar(select(User.id).where(User.username == username))


def _item(driver, case, spec="social_investigation") -> WorkItem:
    return driver.item(case, spec)


def _actions(gl, action):
    with gl.reading() as s:
        return [e for model in (AuditEntry, AuditStaged) for e in s.scalars(select(model).where(model.action == action))]


def _notices(gl, username, kind=None):
    with gl.reading() as s:
        query = select(Notification).where(Notification.user_id == _uid(gl, username))
        if kind:
            query = query.where(Notification.kind == kind)
        return s.scalars(query.order_by(Notification.id)).all()


def _investigate(driver, case, who):
    return driver.do(who, case, "social_investigation", {"findings": "走访", "investigated_on": driver.today()})


def test_a_new_task_is_unassigned_and_every_eligible_person_of_the_agency_hears_of_it(gl, driver, case):
    item = _item(driver, case)
    assert item.assignee_id is None
    for who in ("wf_caseworker", "wf_caseworker2"):
        [notice] = _notices(gl, who, "task_unassigned")
        assert notice.case_id == case and notice.payload["task"] == "social_investigation"
    # not told: a role that may not complete it, another agency
    assert _notices(gl, "wf_counsellor", "task_unassigned") == []
    assert _notices(gl, "police") == []


def test_claim_then_only_the_holder_completes(gl, driver, case):
    item = _item(driver, case)
    assignment.claim(gl, driver.actor("wf_caseworker"), case, item.task_id)
    assert _item(driver, case).assignee_id == _uid(gl, "wf_caseworker")
    [entry] = _actions(gl, "claim_task")
    assert entry.case_id == case and entry.after["assignee"] == _uid(gl, "wf_caseworker")
    with pytest.raises(PermissionDenied) as refused:
        _investigate(driver, case, "wf_caseworker2")
    assert "李娟" in refused.value.message and "李娟" in refused.value.message_en
    with pytest.raises(Conflict) as taken:
        assignment.claim(gl, driver.actor("wf_caseworker2"), case, item.task_id)
    assert "李娟" in taken.value.message
    with pytest.raises(InvalidInput):
        assignment.claim(gl, driver.actor("wf_caseworker"), case, item.task_id)
    # a supervisor cannot complete it either: they reassign it
    _investigate(driver, case, "wf_caseworker")
    assert driver.item(case, "scored_assessment").assignee_id is None


def test_a_claim_needs_the_agency_and_the_role(gl, driver, case):
    item = _item(driver, case)
    with pytest.raises(PermissionDenied):
        assignment.claim(gl, driver.actor("wf_counsellor"), case, item.task_id)   # role may not complete it
    with pytest.raises(PermissionDenied):
        assignment.claim(gl, driver.actor("police"), case, item.task_id)          # not on the case
    assert _item(driver, case).assignee_id is None and _actions(gl, "claim_task") == []


def test_release_gives_the_task_back(gl, driver, case):
    item = _item(driver, case)
    assignment.claim(gl, driver.actor("wf_caseworker"), case, item.task_id)
    with pytest.raises(PermissionDenied):
        assignment.release(gl, driver.actor("wf_caseworker2"), case, item.task_id)
    assignment.release(gl, driver.actor("wf_caseworker"), case, item.task_id)
    assert _item(driver, case).assignee_id is None
    assert len(_actions(gl, "release_task")) == 1
    assignment.claim(gl, driver.actor("wf_caseworker2"), case, item.task_id)
    _investigate(driver, case, "wf_caseworker2")


def test_the_supervisor_assigns_and_reassigns_with_a_reason(gl, driver, case):
    item = _item(driver, case)
    sup, cw2 = driver.actor("wf_supervisor"), _uid(gl, "wf_caseworker2")
    with pytest.raises(PermissionDenied):
        assignment.assign(gl, driver.actor("wf_caseworker"), case, item.task_id, {"assignee": cw2, "reason": "忙"})
    with pytest.raises(InvalidInput) as no_reason:
        assignment.assign(gl, sup, case, item.task_id, {"assignee": cw2, "reason": " "})
    assert no_reason.value.field == "reason"
    with pytest.raises(InvalidInput) as wrong_person:   # a counsellor may not complete an investigation
        assignment.assign(gl, sup, case, item.task_id, {"assignee": _uid(gl, "wf_counsellor"), "reason": "试"})
    assert wrong_person.value.field == "assignee"
    with pytest.raises(InvalidInput):                   # another agency's person
        assignment.assign(gl, sup, case, item.task_id, {"assignee": _uid(gl, "police"), "reason": "试"})
    assignment.assign(gl, sup, case, item.task_id, {"assignee": cw2, "reason": "李娟休假", "expected_assignee": ""})
    assert _item(driver, case).assignee_id == cw2
    [entry] = _actions(gl, "assign_task")
    assert entry.after == {"assignee": cw2, "task": "social_investigation", "reason": "李娟休假"}
    [notice] = _notices(gl, "wf_caseworker2", "task_new")
    assert notice.payload["task_id"] == item.task_id and notice.payload["by"] == sup.display_name
    # a supervisor who saw it unassigned is told it changed, nothing written
    with pytest.raises(Conflict):
        assignment.assign(gl, sup, case, item.task_id, {"assignee": _uid(gl, "wf_caseworker"), "reason": "改派",
                                                        "expected_assignee": ""})
    assignment.assign(gl, sup, case, item.task_id, {"assignee": _uid(gl, "wf_caseworker"), "reason": "改派",
                                                    "expected_assignee": str(cw2)})
    assert len(_actions(gl, "reassign_task")) == 1
    with pytest.raises(PermissionDenied):
        _investigate(driver, case, "wf_caseworker2")
    _investigate(driver, case, "wf_caseworker")


def test_new_tasks_go_to_the_case_owner_and_a_handover_moves_them(gl, driver, case):
    sup, cw, cw2 = driver.actor("wf_supervisor"), _uid(gl, "wf_caseworker"), _uid(gl, "wf_caseworker2")
    owners.assign_owner(gl, sup, case, {"owner": cw, "reason": "承办", "expected_owner": ""})
    assert _item(driver, case).assignee_id == cw          # the open unassigned task went to the owner
    [handed] = _notices(gl, "wf_caseworker", "case_handed")
    assert handed.case_id == case
    _investigate(driver, case, "wf_caseworker")
    nxt = driver.item(case, "scored_assessment")
    assert nxt.assignee_id == cw                         # a new task: the owner's at once
    [notice] = _notices(gl, "wf_caseworker", "task_new")
    assert notice.payload["task_id"] == nxt.task_id
    assert _notices(gl, "wf_caseworker2", "task_unassigned")[-1].payload["task"] == "social_investigation"
    owners.assign_owner(gl, sup, case, {"owner": cw2, "reason": "交接", "expected_owner": str(cw)})
    assert driver.item(case, "scored_assessment").assignee_id == cw2
    assert _notices(gl, "wf_caseworker2", "case_handed")


def test_the_inbox_sections(gl, driver, case):
    other = new_case(driver, child_id_number=None, child_name="另一儿童")
    assignment.claim(gl, driver.actor("wf_caseworker"), case, _item(driver, case).task_id)
    mine = queries.inbox(gl, driver.actor("wf_caseworker"), held="mine")
    assert [r.case_id for r in mine.rows] == [case] and mine.held["mine"] == 1
    unassigned = queries.inbox(gl, driver.actor("wf_caseworker"), held="unassigned")
    assert other in {r.case_id for r in unassigned.rows} and case not in {r.case_id for r in unassigned.rows}
    theirs = queries.inbox(gl, driver.actor("wf_caseworker2"), held="others")
    assert [(r.case_id, r.assignee) for r in theirs.rows] == [(case, "江北妇联·李娟")]


@pytest.mark.parametrize("database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
def test_two_claims_at_once_one_wins_the_other_is_told(gl, driver, case, monkeypatch):
    """Both read the task unassigned, then both write: the conditional UPDATE lets one through."""
    item = _item(driver, case)
    both_read = threading.Barrier(2, timeout=30)
    swap = assignment._swap

    def racing_swap(session, item, expected, new):
        both_read.wait()
        return swap(session, item, expected, new)

    monkeypatch.setattr(assignment, "_swap", racing_swap)
    results = {}

    def claim(who):
        try:
            assignment.claim(gl, driver.actor(who), case, item.task_id)
            results[who] = "ok"
        except Conflict as exc:
            results[who] = exc

    threads = [threading.Thread(target=claim, args=(who,)) for who in ("wf_caseworker", "wf_caseworker2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    winners = [who for who, r in results.items() if r == "ok"]
    [loser] = [r for r in results.values() if r != "ok"]
    assert len(winners) == 1 and isinstance(loser, Conflict)
    winner_name = {"wf_caseworker": "李娟", "wf_caseworker2": "周敏"}[winners[0]]
    assert winner_name in loser.message
    assert _item(driver, case).assignee_id == _uid(gl, winners[0])
    assert len(_actions(gl, "claim_task")) == 1
