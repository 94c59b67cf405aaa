"""The approval queue, deciding from it, and the overdue list, through the browser's HTTP: who may open
them, what they show, and that a return needs a reason."""
import re

import pytest
from sqlalchemy import select

from engine.models import Approval, DocumentRecord


def _case_of(gl, child):
    from engine.models import Case
    with gl.reading() as s:
        return s.scalars(select(Case).where(Case.child_name == child)).one()


def _pending_order(gl):
    with gl.reading() as s:
        return s.scalars(select(Approval).where(Approval.kind == "order", Approval.status == "pending")).one()


@pytest.mark.parametrize("username", ["wf_caseworker", "prosecutor", "police", "wf_counsellor"])
def test_only_supervisors_open_the_queue_and_the_overdue_list(as_user, username):
    b = as_user(username)
    assert b.get("/approvals/").status_code == 403
    assert b.get("/overdue/").status_code == 403
    assert "/approvals/" not in b.get("/").get_data(as_text=True)


def test_admin_has_no_queue(as_user):
    assert as_user("admin").get("/approvals/").status_code == 403


def test_the_head_of_department_sees_the_drafted_order_and_approves_it(as_user, gl):
    approval = _pending_order(gl)
    case = _case_of(gl, "黄子轩")
    b = as_user("court_supervisor")
    page = b.get("/approvals/").get_data(as_text=True)
    assert "家庭教育指导令" in page and case.case_no in page
    assert "黄子轩" not in page and "黄**" in page, "the queue masks names"
    assert as_user("pro_supervisor").get("/approvals/").get_data(as_text=True).count('class="card approval') == 0
    assert as_user("wf_supervisor").get("/approvals/").get_data(as_text=True).count('class="card approval') == 0
    version = re.search(rf'action="/approvals/{approval.id}".*?name="expected_version" value="(\d+)"', page,
                        re.S).group(1)
    assert 'value="approved"' not in page.split(f'id="approval-{approval.id}"')[1].split("</section>")[0]
    # approving without having read the draft is refused: to the task page, where the draft is previewed
    refused = b.post(f"/approvals/{approval.id}", {"decision": "approved", "reason": "", "expected_version": version},
                     token_from="/approvals/")
    task_url = refused.headers["Location"]
    assert refused.status_code == 302 and "/tasks/" in task_url
    assert "批准前请先预览文书草稿" in b.get(task_url).get_data(as_text=True)
    with gl.reading() as s:
        assert s.get(Approval, approval.id).status == "pending"
    assert b.post(task_url + "/draft", {}, token_from=task_url).status_code == 200    # the preview
    response = b.post(f"/approvals/{approval.id}", {"decision": "approved", "reason": "", "expected_version": version},
                      token_from="/approvals/")
    assert response.status_code == 302
    assert "已同意" in b.get("/approvals/").get_data(as_text=True)
    with gl.reading() as s:
        doc = s.scalars(select(DocumentRecord).where(DocumentRecord.case_id == case.id,
                                                     DocumentRecord.doc_type == "guidance_order")).one()
        assert doc.number and s.get(Approval, approval.id).status == "approved"


def test_a_return_without_a_reason_is_refused_and_changes_nothing(as_user, gl):
    approval = _pending_order(gl)
    b = as_user("court_supervisor")
    page = b.get("/approvals/").get_data(as_text=True)
    version = re.search(rf'action="/approvals/{approval.id}".*?name="expected_version" value="(\d+)"', page,
                        re.S).group(1)
    b.post(f"/approvals/{approval.id}", {"decision": "returned", "reason": "", "expected_version": version},
           token_from="/approvals/")
    page = b.get("/approvals/").get_data(as_text=True)
    assert '<p class="flash error">退回须写明补正要求。</p>' in page
    with gl.reading() as s:
        assert s.get(Approval, approval.id).status == "pending"


def test_the_returned_reason_is_shown_on_the_officers_form_in_both_languages(as_user, gl):
    approval = _pending_order(gl)
    case = _case_of(gl, "黄子轩")
    head = as_user("court_supervisor")
    page = head.get("/approvals/").get_data(as_text=True)
    version = re.search(rf'action="/approvals/{approval.id}".*?name="expected_version" value="(\d+)"', page,
                        re.S).group(1)
    head.post(f"/approvals/{approval.id}", {"decision": "returned", "reason": "请写明每次指导的时长。",
                                            "expected_version": version}, token_from="/approvals/")
    judge = as_user("judge")
    inbox = judge.get("/").get_data(as_text=True)
    link = re.search(rf'href="(/cases/{case.id}/tasks/[^"]+)"', inbox).group(1)
    form = judge.get(link).get_data(as_text=True)
    assert "已退回补正" in form and "请写明每次指导的时长。" in form
    assert "父母互相推诿抚养责任" in form, "the returned draft is filled in again"
    judge.get("/lang/en")
    assert "Returned for correction" in judge.get(link).get_data(as_text=True)


def test_the_overdue_list_names_kind_owner_and_days(as_user, gl):
    page = as_user("wf_supervisor").get("/overdue/").get_data(as_text=True)
    assert _case_of(gl, "周子墨").case_no in page and "指导" in page
    rows = page.split("<tbody>")[1].split("</tbody>")[0].split("<tr")[1:]
    days = [int(re.findall(r"<td>(\d+)</td>", r)[0]) for r in rows]
    assert days == sorted(days, reverse=True), "the longest overdue first"
    assert "周子墨" not in page
    visits = as_user("wf_supervisor").get("/overdue/?kind=visit").get_data(as_text=True)
    assert visits.count("<tr class=\"overdue\">") >= 1 and "指导</td>" not in visits
    assert as_user("wf_supervisor").get("/overdue/?kind=nonsense").status_code == 404


def test_the_inbox_counts_the_agencys_overdue_items(as_user):
    page = as_user("wf_caseworker").get("/").get_data(as_text=True)
    assert "本机构逾期事项" in page and "回访 1" in page


def test_the_audit_page_lists_closed_cases_with_their_checklists(as_user, gl):
    page = as_user("wf_supervisor").get("/audits/").get_data(as_text=True)
    assert _case_of(gl, "孙雨桐").case_no in page and _case_of(gl, "赵一鸣").case_no in page and "孙雨桐" not in page
    assert "闭环完整" in page and 'class="status status-met"' in page
    assert page.count('action="/audits/rounds/') >= 4, "sign off and return, for each closed case"
    assert as_user("wf_caseworker").get("/audits/").status_code == 403
    assert as_user("wf_supervisor").get("/audits/?state=nonsense").status_code == 404


def test_signing_off_and_returning_for_rework_from_the_page(as_user, gl):
    from engine.models import Case, Round
    b = as_user("wf_supervisor")
    with gl.reading() as s:
        closed = {c.case_no: s.scalars(select(Round.id).where(Round.case_id == c.id, Round.outcome == "closed")).one()
                  for c in s.scalars(select(Case).where(Case.status == "closed"))}
    blue, watched = _case_of(gl, "孙雨桐"), _case_of(gl, "赵一鸣")
    first, second = closed[blue.case_no], closed[watched.case_no]
    response = b.post(f"/audits/rounds/{first}/sign-off", {"note": "齐全"}, token_from="/audits/")
    assert response.status_code == 302
    page = b.get("/audits/").get_data(as_text=True)
    assert "闭环审查已签署。" in page and "✓ 已签署 · 江北妇联督导·王芳 · " in page   # who signed it
    version = re.search(rf'/audits/rounds/{second}/rework".*?name="expected_version" value="(\d+)"', page, re.S).group(1)
    b.post(f"/audits/rounds/{second}/rework", {"step": "follow_up", "reason": "", "expected_version": version},
           token_from="/audits/")
    assert "此项为必填项" in b.get("/audits/").get_data(as_text=True)
    b.post(f"/audits/rounds/{second}/rework", {"step": "follow_up", "reason": "补充回访", "expected_version": version},
           token_from="/audits/")
    with gl.reading() as s:
        assert s.get(Case, watched.id).status == "open"
    assert watched.case_no not in b.get("/audits/?state=closed").get_data(as_text=True)


def test_drawing_a_sample_from_the_page(as_user):
    b = as_user("wf_supervisor")
    assert b.post("/audits/sample", {"size": "1", "days": "1000"}, token_from="/audits/").status_code == 302
    page = b.get("/audits/?state=sampled").get_data(as_text=True)
    assert page.count('class="card audit-row sampled"') == 1 and "种子" in page
