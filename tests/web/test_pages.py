"""Every page renders for every role that may see it, in both languages; errors never show a traceback."""
import re

import pytest
from sqlalchemy import select

from engine.infra.bootstrap import DEMO_USERS
from engine.reference import NO_CASEWORK_ROLES
from engine.models import WorkItem

CASEWORKERS = [u[0] for u in DEMO_USERS if u[3] not in NO_CASEWORK_ROLES and u[4] == "JB"]


@pytest.mark.parametrize("username", CASEWORKERS)
def test_every_case_worker_page_renders(as_user, username):
    b = as_user(username)
    for url in ("/", "/clues/", "/clues/new", "/search?q=JB", "/search?q=x"):
        response = b.get(url)
        assert response.status_code == 200, (username, url)
        assert "Traceback" not in response.get_data(as_text=True)


def test_inbox_lists_overdue_first_with_code_words_and_masked_names(as_user):
    page = as_user("wf_caseworker").get("/").get_data(as_text=True)
    assert "待办" in page or "Inbox" in page
    rows = page.split("<tbody>")[1].split("</tbody>")[0].split("<tr")[1:]
    overdue = ["overdue" in r.split(">")[0] for r in rows]
    assert overdue == sorted(overdue, reverse=True) and any(overdue)
    assert "陈小雨" not in page and "陈**" in page  # masked in lists
    assert "code-red" in page and ("红码" in page or "Red" in page)


def test_inbox_filters_by_step_and_code(as_user):
    b = as_user("wf_caseworker")
    assess = b.get("/?step=assess").get_data(as_text=True)
    assert assess.count('class="code ') >= 2
    red = b.get("/?code=red").get_data(as_text=True)
    assert "code-orange" not in red.split("<tbody>")[1]
    assert b.get("/?step=nonsense").status_code == 404


def test_case_page_shows_full_data_diagram_and_audit_to_those_on_the_case(as_user, gl):
    from engine.models import Case
    with gl.reading() as s:
        case_id = s.scalars(select(Case.id).where(Case.child_name == "陈小雨")).one()
    page = as_user("wf_caseworker").get(f"/cases/{case_id}").get_data(as_text=True)
    assert "陈小雨" in page and "500105201404120022" in page
    # the round's diagram drawn by bpmn-js from the model, with a server-drawn fallback
    assert 'id="bpmn-viewer"' in page and "/cases/models/" in page and "data-states=" in page
    assert "<svg" in page and 'data-state="current"' in page
    assert "查看个案" in page and "view_case" not in page  # the view itself is in the audit trail, in words


def test_language_switch_changes_the_page(as_user):
    b = as_user("wf_caseworker")
    zh = b.get("/").get_data(as_text=True)
    assert 'lang="zh-CN"' in zh and "待办" in zh
    b.get("/lang/en?next=/")
    en = b.get("/").get_data(as_text=True)
    assert 'lang="en"' in en and "Inbox" in en and "Overdue" in en
    assert b.get("/lang/xx").status_code == 404


def test_every_task_form_of_the_demo_renders_for_its_owner(app, gl, as_user, users):
    with gl.reading() as s:
        items = s.scalars(select(WorkItem)).all()
    assert items
    from engine.workflow.runtime import role_allowed
    jb = [(name, u) for name, u in users.items() if u.district.code == "JB"]
    for item in items:
        owner = next(name for name, u in jb if u.agency.code == item.lane and role_allowed(item.roles, item.lane, u.role))
        response = as_user(owner).get(f"/cases/{item.case_id}/tasks/{item.task_id}")
        if item.kind == "await":  # a waiting step leads to the form of the record it waits for
            assert response.status_code == 302, (item.task_spec, owner)
            response = as_user(owner).get(response.headers["Location"])
        assert response.status_code == 200, (item.task_spec, owner)
        assert 'name="expected_version"' in response.get_data(as_text=True)


@pytest.mark.parametrize("url, status", [("/no/such/page", 404), ("/cases/999999", 404)])
def test_error_pages_are_in_the_users_language(as_user, url, status):
    b = as_user("wf_caseworker")
    response = b.get(url)
    assert response.status_code == status
    assert "Traceback" not in response.get_data(as_text=True) and 'lang="zh-CN"' in response.get_data(as_text=True)


def test_login_rejects_wrong_password_and_locks_after_five_failures(browser):
    for _ in range(5):
        assert browser.login("wf_caseworker", "wrong-password").status_code == 401
    response = browser.login("wf_caseworker")
    assert response.status_code == 401 and "锁定" in response.get_data(as_text=True)


def test_session_cookie_flags_and_logout(as_user):
    b = as_user("wf_caseworker")
    cookie = b.client.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax"
    assert b.post("/logout", {}, token_from="/").status_code == 302
    assert b.get("/").status_code == 302  # back to the login page


def test_a_long_inbox_is_paged(as_user, gl, monkeypatch):
    from engine.reads import lists as queries
    original = queries.inbox
    monkeypatch.setattr(queries, "inbox", lambda *a, **kw: original(*a, **{**kw, "per_page": 2}))
    b = as_user("wf_caseworker")
    first = b.get("/").get_data(as_text=True)
    assert first.split("<tbody>")[1].count("<tr") == 2 and 'rel="next"' in first and 'rel="prev"' not in first
    second = b.get("/?page=2").get_data(as_text=True)
    assert 'rel="prev"' in second
    rows = [page.split("<tbody>")[1].split("</tbody>")[0] for page in (first, second)]   # not the notices
    assert set(re.findall(r'/tasks/([0-9a-f-]+)"', rows[0])).isdisjoint(re.findall(r'/tasks/([0-9a-f-]+)"', rows[1]))
    assert b.get("/?page=x").status_code == 404
    assert b.get("/?page=999").status_code == 200, "past the end shows the last page"


def test_heads_of_department_are_not_called_supervisors(as_user):
    """督导 is the women's federation's word; the procuratorate's, court's and police's supervisors head a
    department (未检部主任, 庭长, 所长)."""
    assert "部门负责人" in as_user("pro_supervisor").get("/").get_data(as_text=True)
    assert "督导" in as_user("wf_supervisor").get("/").get_data(as_text=True)
    assert "部门负责人" not in as_user("wf_supervisor").get("/").get_data(as_text=True)


def test_the_code_history_names_who_asked_and_who_approved_a_downgrade(as_user, gl):
    from engine.models import Case
    with gl.reading() as s:
        case_id = s.scalars(select(Case.id).where(Case.child_name == "陈小雨")).one()
    page = as_user("wf_caseworker").get(f"/cases/{case_id}").get_data(as_text=True)
    assert "申请人 江北妇联·李娟 · 批准人 江北妇联督导·王芳" in page
