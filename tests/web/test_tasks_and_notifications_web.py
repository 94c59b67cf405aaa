"""Claiming, releasing and assigning tasks and the notification centre in the browser, in Chinese and
English: the inbox's sections, the refusal naming the holder, the header's count, marking read."""
import pytest
from sqlalchemy import select

from engine.models import AuditEntry, AuditStaged, Case, Notification, WorkItem


@pytest.fixture
def investigation(gl):
    with gl.reading() as s:
        return s.scalars(select(WorkItem).where(WorkItem.task_spec == "social_investigation")
                         .order_by(WorkItem.id)).first()


def _task_url(item):
    return f"/cases/{item.case_id}/tasks/{item.task_id}"


def _holder(gl, item):
    with gl.reading() as s:
        return s.scalar(select(WorkItem.assignee_id).where(WorkItem.id == item.id))


def test_claim_from_the_inbox_then_a_colleague_is_refused_by_name(as_user, gl, investigation, users):
    li = as_user("wf_caseworker")
    inbox = li.get("/").get_data(as_text=True)
    assert "分配给我" in inbox and "本机构未分配" in inbox and "认领" in inbox
    response = li.post(_task_url(investigation) + "/claim", {"back": "inbox"}, token_from="/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/")
    assert _holder(gl, investigation) == users["wf_caseworker"].id
    mine = li.get("/?held=mine").get_data(as_text=True)
    assert investigation.task_id in mine
    zhou = as_user("wf_caseworker2")
    page = zhou.get(_task_url(investigation)).get_data(as_text=True)
    assert "李娟" in page and 'class="primary">提交' not in page          # read-only for the colleague
    with gl.reading() as s:
        version = s.get(Case, investigation.case_id).version
    refused = zhou.post(_task_url(investigation), {"expected_version": str(version), "findings": "x",
                                                   "investigated_on": "2026-03-01"}, token_from=_task_url(investigation))
    assert refused.status_code == 403 and "李娟" in refused.get_data(as_text=True)
    taken = zhou.post(_task_url(investigation) + "/claim", {}, token_from=_task_url(investigation))
    assert taken.status_code == 409 and "李娟" in taken.get_data(as_text=True)
    assert investigation.task_id in zhou.get("/?held=others").get_data(as_text=True)
    assert li.post(_task_url(investigation) + "/release", {}, token_from=_task_url(investigation)).status_code == 302
    assert _holder(gl, investigation) is None


def test_the_supervisor_assigns_with_a_reason_in_english(as_user, gl, investigation, users):
    sup = as_user("wf_supervisor")
    sup.get("/lang/en")
    url = _task_url(investigation) + "/assign"
    page = sup.get(url).get_data(as_text=True)
    assert "Assign the task" in page and "周敏" in page
    empty = sup.post(url, {"assignee": str(users["wf_caseworker2"].id), "reason": "", "expected_assignee": ""})
    assert empty.status_code == 422 and _holder(gl, investigation) is None
    done = sup.post(url, {"assignee": str(users["wf_caseworker2"].id), "reason": "Li Juan is on leave",
                          "expected_assignee": ""})
    assert done.status_code == 302 and _holder(gl, investigation) == users["wf_caseworker2"].id
    stale = sup.post(url, {"assignee": str(users["wf_caseworker"].id), "reason": "again", "expected_assignee": ""})
    assert stale.status_code == 409 and _holder(gl, investigation) == users["wf_caseworker2"].id
    assert as_user("wf_caseworker").get(url).status_code == 403


def test_the_notification_centre_and_the_header_count(as_user, gl, investigation, users):
    sup = as_user("wf_supervisor")
    sup.post(_task_url(investigation) + "/assign", {"assignee": str(users["wf_caseworker2"].id), "reason": "分案",
                                                     "expected_assignee": ""})
    zhou = as_user("wf_caseworker2")
    page = zhou.get("/notifications/").get_data(as_text=True)
    assert "指派给您的新任务" in page and "社会调查" in page and 'class="count badge"' in page
    with gl.reading() as s:
        notice = s.scalars(select(Notification).where(Notification.kind == "task_new")).one()
    # someone else cannot mark it
    assert as_user("wf_caseworker").post(f"/notifications/{notice.id}/read", {}, token_from="/").status_code == 404
    assert zhou.post(f"/notifications/{notice.id}/read", {"back": "centre"}, token_from="/notifications/").status_code == 302
    assert zhou.post("/notifications/read-all", {}, token_from="/notifications/").status_code == 302
    assert 'class="count badge"' not in zhou.get("/notifications/").get_data(as_text=True)
    bad = zhou.post("/notifications/digest", {"email": "nope", "digest_opt_in": "1"}, token_from="/notifications/")
    assert bad.status_code == 422 and "电子邮箱格式不正确" in bad.get_data(as_text=True)
    ok = zhou.post("/notifications/digest", {"email": "zm@example.org", "digest_opt_in": "1"}, token_from="/notifications/")
    assert ok.status_code == 302 and users["wf_caseworker2"].id
    with gl.reading() as s:
        assert [e.action for m in (AuditEntry, AuditStaged)
                for e in s.scalars(select(m).where(m.action == "update_digest_settings"))] == ["update_digest_settings"]
    assert as_user("leader").get("/notifications/").status_code == 403


# -- the small things: each fixed ----------------------------------------------------------------------

def test_a_returned_approval_says_it_was_returned_not_saved(as_user, gl):
    from engine.models import Approval
    with gl.reading() as s:
        approval = s.scalars(select(Approval).where(Approval.kind == "order", Approval.status == "pending")).one()
        item = s.scalars(select(WorkItem).where(WorkItem.task_spec == "approve_order",
                                                WorkItem.round_id == approval.round_id)).one()
        version = s.get(Case, item.case_id).version
    head = as_user("court_supervisor")
    url = _task_url(item)
    response = head.post(url, {"decision": "returned", "reason": "请写明指导时长。", "expected_version": str(version)})
    assert response.status_code == 302
    page = head.get(response.headers["Location"]).get_data(as_text=True)
    assert "已退回补正" in page and "已保存" not in page


def test_the_case_page_lists_visits_sessions_and_plans_by_round(as_user, gl):
    with gl.reading() as s:
        case = s.scalars(select(Case).where(Case.child_name == "陈小雨")).one()   # downgraded: a second round
    page = as_user("wf_caseworker").get(f"/cases/{case.id}").get_data(as_text=True)
    visits = page.split('id="h-visits"')[1].split("</section>")[0]
    guidance = page.split('id="h-guidance"')[1].split("</section>")[0]
    assert '<th scope="col">轮次</th>' in visits and '<td class="round-no">1</td>' in visits
    assert '<th scope="col">轮次</th>' in guidance and "第 1 轮" in guidance
