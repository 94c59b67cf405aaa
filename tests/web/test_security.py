"""Refusals: every POST without a CSRF token, every route a role must not reach, other districts."""
import pytest
from sqlalchemy import func, select

from engine.models import AuditEntry, RiskClue, WorkItem


def _first_item(gl, spec):
    with gl.reading() as s:
        return s.scalars(select(WorkItem).where(WorkItem.task_spec == spec)).first()


def test_every_post_without_a_csrf_token_is_refused(app, gl, as_user, cases):
    b = as_user("wf_caseworker")
    item = _first_item(gl, "social_investigation")
    with gl.reading() as s:
        clue = s.scalars(select(RiskClue)).first()
        before = s.scalar(select(func.count(AuditEntry.id)))
    posts = ["/login", "/logout", "/clues/new", f"/clues/{clue.id}/open", f"/cases/{item.case_id}/upgrade",
             f"/cases/{item.case_id}/tasks/{item.task_id}", "/admin/users"]
    for url in posts:
        response = b.client.post(url, data={"findings": "x", "username": "x", "code": "red", "reason": "x"})
        assert response.status_code == 400, url
        assert "Traceback" not in response.get_data(as_text=True)
    with gl.reading() as s:
        assert s.scalar(select(func.count(AuditEntry.id))) == before + 0  # nothing was written


def _route_table(gl, cases):
    from engine.models import Case, CaseAgency
    si = _first_item(gl, "social_investigation")
    approve = _first_item(gl, "approve_order")
    with gl.reading() as s:
        clue = s.scalars(select(RiskClue)).first()
        red_dv = s.scalars(select(Case).where(Case.child_name == "陈小雨")).one()
        on_case = set(s.scalars(select(CaseAgency.agency_code).where(CaseAgency.case_id == red_dv.id)))
    assert {"womens_federation", "police", "court", "civil_affairs"} <= on_case and "procuratorate" not in on_case
    return {
        "/admin/users": {"admin"},
        "/": "all-but-admin",
        "/clues/": "all-but-admin",
        # opened into a case of the women's federation alone: the procuratorate and the court no longer see it
        f"/clues/{clue.id}/open": {"wf_caseworker", "wf_caseworker2", "wf_supervisor"},
        f"/cases/{si.case_id}/tasks/{si.task_id}": {"wf_caseworker", "wf_caseworker2"},
        f"/cases/{approve.case_id}/tasks/{approve.task_id}": {"court_supervisor"},
        # a red domestic-violence case: the agencies on it, never the procuratorate that is not
        f"/cases/{red_dv.id}": {"wf_caseworker", "wf_caseworker2", "wf_counsellor", "wf_supervisor", "police",
                                "judge", "court_clerk", "court_supervisor", "civil_affairs"},
        "/chases/": {"wf_supervisor", "pro_supervisor", "court_supervisor"},
        "/reports/": "all-but-admin",   # each agency sees the reports the routing table sends it
    }


USERS = ["admin", "wf_caseworker", "wf_caseworker2", "wf_counsellor", "wf_supervisor", "prosecutor", "pro_supervisor",
         "judge", "court_clerk", "court_supervisor", "police", "teacher", "civil_affairs", "community", "yz_caseworker",
         "yz_prosecutor"]


@pytest.mark.parametrize("username", USERS)
def test_routes_by_role(gl, as_user, cases, username):
    b = as_user(username)
    for url, allowed in _route_table(gl, cases).items():
        if allowed == "all-but-admin":
            allowed = set(USERS) - {"admin"}
        response = b.get(url)
        expected = 200 if username in allowed else 403
        if url == "/" and username == "admin":
            expected = 302  # administrators land on the accounts page
        if expected == 403 and url.startswith("/clues/") and response.status_code == 404:
            continue  # a clue outside the reach of a role that opens cases answers as a missing one
        assert response.status_code == expected, (username, url, response.status_code)


def test_other_district_cannot_open_a_case_page_or_act_on_it(gl, as_user, cases):
    b = as_user("yz_caseworker")
    case_id = _first_item(gl, "social_investigation").case_id
    item = _first_item(gl, "social_investigation")
    assert b.get(f"/cases/{case_id}").status_code == 403
    response = b.post(f"/cases/{item.case_id}/upgrade", {"code": "red", "reason": "x", "expected_version": 1},
                      token_from="/")
    assert response.status_code == 403
    assert b.get("/search?q=JB-2026").get_data(as_text=True).count("JB-2026-") == 0


def test_search_masks_results(as_user):
    page = as_user("wf_caseworker").get("/search?q=500105201404120022").get_data(as_text=True)
    assert "500105********0022" in page and "陈小雨" not in page and page.count("/cases/") >= 1
