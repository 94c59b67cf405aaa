"""The notification centre: notices of new tasks, returned requests, deadlines (once per task and threshold,
by the tick) and handed-over cases; only the addressee sees and marks them; all read at once."""
import pytest
from sqlalchemy import func, select

from engine import services
from engine.errors import NotFound
from engine.models import Notification, User
from engine.services import assignment, notifications

from .helpers import blue_case_at_its_outcome, new_case


def _uid(gl, username):
    with gl.reading() as s:
        return s.scalar(select(User.id).where(User.username == username))


def _count(gl, **where):
    with gl.reading() as s:
        return s.scalar(select(func.count(Notification.id)).where(
            *[getattr(Notification, k) == v for k, v in where.items()]))


def _kinds(gl, driver, who):
    shown, _, _ = notifications.listing(gl, driver.actor(who))
    return [n.kind for n in shown]


def test_deadline_notices_once_per_task_and_threshold(gl, driver):
    case = new_case(driver)
    item = driver.item(case, "social_investigation")          # due in five days
    assignment.claim(gl, driver.actor("wf_caseworker"), case, item.task_id)
    services.tick(gl)
    assert _count(gl, kind="task_due_soon") == 0
    driver.advance(2.5)                                        # two and a half days left: within three
    driver.advance(0.1)                                        # a second tick writes nothing more
    assert _count(gl, kind="task_due_soon", user_id=_uid(gl, "wf_caseworker")) == 1
    assert "task_due_soon" in _kinds(gl, driver, "wf_caseworker")
    assert "task_due_soon" not in _kinds(gl, driver, "wf_caseworker2")   # the holder's alone
    driver.advance(3)
    services.tick(gl)
    assert _count(gl, kind="task_overdue") == 1 and _count(gl, kind="task_due_soon") == 1
    [overdue] = [n for n in notifications.listing(gl, driver.actor("wf_caseworker"))[0] if n.kind == "task_overdue"]
    assert overdue.payload["task_id"] == item.task_id and overdue.case_no


def test_an_unassigned_task_s_deadline_is_told_to_its_agency(gl, driver):
    case = new_case(driver)
    driver.advance(6)
    with gl.reading() as s:
        notice = s.scalars(select(Notification).where(Notification.kind == "task_overdue")).one()
    assert notice.user_id is None and notice.agency_code == "womens_federation"
    assert "task_overdue" in _kinds(gl, driver, "wf_caseworker2")
    assert "task_overdue" not in _kinds(gl, driver, "police")
    assert _count(gl, kind="task_due_soon") == 0   # late already when first seen: told as overdue only
    assert case


def test_only_the_addressee_sees_and_marks_a_notice(gl, driver):
    case = new_case(driver)
    services_sup = driver.actor("wf_supervisor")
    assignment.assign(gl, services_sup, case, driver.item(case, "social_investigation").task_id,
                      {"assignee": _uid(gl, "wf_caseworker2"), "reason": "分案"})
    with gl.reading() as s:
        mine = s.scalars(select(Notification).where(Notification.kind == "task_new")).one()
    assert [n.id for n in notifications.listing(gl, driver.actor("wf_caseworker2"))[0] if n.kind == "task_new"] == [mine.id]
    assert "task_new" not in _kinds(gl, driver, "wf_caseworker")
    with pytest.raises(NotFound):
        notifications.mark_read(gl, driver.actor("wf_caseworker"), mine.id)
    before = notifications.unread_count(gl, driver.actor("wf_caseworker2"))
    notifications.mark_read(gl, driver.actor("wf_caseworker2"), mine.id)
    assert notifications.unread_count(gl, driver.actor("wf_caseworker2")) == before - 1
    shown, _, _ = notifications.listing(gl, driver.actor("wf_caseworker2"))
    assert shown[-1].id == mine.id and shown[-1].read_at is not None    # unread first, read last
    assert notifications.mark_all_read(gl, driver.actor("wf_caseworker2")) == before - 1
    assert notifications.unread_count(gl, driver.actor("wf_caseworker2")) == 0
    assert notifications.unread_count(gl, driver.actor("wf_caseworker")) > 0      # theirs untouched


def test_a_returned_request_is_told_to_its_requester(gl, driver):
    case = blue_case_at_its_outcome(driver)
    services.request_closure(gl, driver.actor("wf_caseworker"), case, "稳定", driver.version(case))
    services.approve(gl, driver.actor("wf_supervisor"), case, "returned", "补充材料", driver.version(case))
    with gl.reading() as s:
        notice = s.scalars(select(Notification).where(Notification.kind == "request_returned")).one()
    assert notice.user_id == _uid(gl, "wf_caseworker") and notice.case_id == case
    assert notice.payload["approval"] == "closure" and "补充材料" not in str(notice.payload)
    assert "request_returned" not in _kinds(gl, driver, "wf_caseworker2")


def test_leaders_and_administrators_have_no_notifications(gl, driver):
    new_case(driver)
    assert notifications.unread_count(gl, driver.actor("leader")) == 0
    assert notifications.listing(gl, driver.actor("admin"))[0] == []


def test_a_second_guidance_session_on_one_day_needs_confirming(gl, driver):
    from engine.errors import InvalidInput
    from .helpers import assess, notify, plan, propose
    case = new_case(driver)
    assess(driver, case, 7, ["special_family"])
    propose(driver, case)
    notify(driver, case)
    plan(driver, case)
    driver.session("wf_counsellor", case, kind="case_guidance")
    with pytest.raises(InvalidInput) as refused:
        driver.session("wf_counsellor", case, kind="parent_class")
    assert refused.value.field == "confirm_same_day" and "同一天" in refused.value.message
    with pytest.raises(InvalidInput):               # the same kind on the same day: refused outright
        driver.session("wf_counsellor", case, kind="case_guidance", confirm_same_day=True)
    driver.session("wf_counsellor", case, kind="parent_class", confirm_same_day=True)
