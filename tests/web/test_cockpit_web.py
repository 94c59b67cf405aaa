"""The cockpit through the Flask test client, as each role: who may read it, filters, charts, exports."""
import csv
import io
import re
import zipfile
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from engine.workflow.clock import clock
from engine.models import AuditEntry, Case, CaseAgency, DocumentRecord, WorkItem


def _page(response) -> str:
    text = response.get_data(as_text=True)
    assert "Traceback" not in text
    return text


@pytest.mark.parametrize("username, status", [
    ("wf_supervisor", 200), ("pro_supervisor", 200), ("leader", 200), ("wf_caseworker", 403), ("prosecutor", 403),
    ("judge", 403), ("wf_counsellor", 403), ("admin", 403), ("yz_caseworker", 403),
])
def test_only_supervisors_and_leaders_read_the_cockpit(as_user, username, status):
    response = as_user(username).get("/cockpit/")
    assert response.status_code == status
    page = _page(response)
    if status == 403:
        assert "仅督导和领导可以查看数字驾驶舱" in page


def test_the_cockpit_link_is_in_the_navigation_of_supervisors_and_leaders_only(as_user):
    cockpit_link = 'href="/cockpit/"'
    assert cockpit_link in _page(as_user("wf_supervisor").get("/"))
    assert cockpit_link not in _page(as_user("wf_caseworker").get("/"))
    leader = _page(as_user("leader").get("/cockpit/"))
    assert cockpit_link in leader and 'href="/clues/"' not in leader and 'role="search"' not in leader


def test_a_leader_lands_on_the_cockpit_and_works_on_no_case(as_user, gl, cases):
    b = as_user("leader")
    response = b.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/cockpit/")
    with gl.reading() as s:
        item = s.scalars(select(WorkItem)).first()
        doc = s.scalars(select(DocumentRecord)).first()
    for url in (f"/cases/{cases['JB-2026-00003']}", "/clues/", "/clues/new", f"/cases/{item.case_id}/tasks/{item.task_id}",
                f"/documents/{doc.id}.pdf"):
        assert b.get(url).status_code == 403, url
    assert "JB-2026-" not in _page(b.get("/search?q=JB-2026"))
    assert b.get("/cockpit/?district=all").status_code == 200
    assert b.get("/cockpit/?district=YZ").status_code == 200


def test_a_supervisor_reads_their_own_district_only(as_user):
    b = as_user("wf_supervisor")
    page = _page(b.get("/cockpit/"))
    assert page.count("<option ") == 1 and "江北区" in page
    assert b.get("/cockpit/?district=YZ").status_code == 403
    assert b.get("/cockpit/?district=all").status_code == 403


def test_an_administrator_creates_a_leader_and_a_supervisor_of_another_district(as_user, app):
    admin = as_user("admin")
    for username, role in (("yz_leader", "leader"), ("yz_supervisor", "supervisor")):
        response = admin.post("/admin/users", {"username": username, "display_name": username,
                                               "password": "guardloop-demo", "agency": "womens_federation",
                                               "role": role, "district": "YZ"})
        assert response.status_code == 302, username
    leader = as_user("yz_leader")
    assert leader.get("/").headers["Location"].endswith("/account/password")  # the temporary one first
    changed = leader.post("/account/password", {"current_password": "guardloop-demo", "password": "tea kettle moon 42",
                                                "repeat_password": "tea kettle moon 42"})
    assert changed.status_code == 302
    assert leader.get("/").headers["Location"].endswith("/cockpit/")
    assert "渝中区" in _page(leader.get("/cockpit/"))
    other = as_user("yz_supervisor")
    other.post("/account/password", {"current_password": "guardloop-demo", "password": "tea kettle moon 43",
                                     "repeat_password": "tea kettle moon 43"})
    page = _page(other.get("/cockpit/"))
    assert "渝中区" in page and re.search(r'<span class="tile-value">0</span> <span class="tile-label">在办个案', page)
    assert other.get("/cockpit/?district=JB").status_code == 403


@pytest.mark.parametrize("query, zh, en", [
    ("from=2026-02-30", "日期格式应为", "Enter the date as YYYY-MM-DD"),
    ("to=2999-01-01", "截止日期不能晚于今天", "The end date cannot be after today"),
    ("from=2026-06-02&to=2026-06-01", "起始日期不能晚于截止日期", "must not be after the end date"),
    ("from=2019-01-01&to=2026-01-01", "时间范围最长 5 年", "at most 5 years"),
    ("district=NOPE", "区县不存在", "No such district"),
])
def test_bad_filters_are_explained_in_the_users_language(as_user, query, zh, en):
    b = as_user("leader")
    response = b.get(f"/cockpit/?{query}")
    assert response.status_code == 422 and zh in _page(response)
    assert 'role="alert"' in _page(response) and '<select id="district"' in _page(response)
    b.get("/lang/en?next=/")
    assert en in _page(b.get(f"/cockpit/?{query}"))


def test_the_cockpit_shows_no_childs_data(as_user, gl):
    with gl.reading() as s:
        demo = s.scalars(select(Case)).all()
    for username in ("wf_supervisor", "leader"):
        page = _page(as_user(username).get("/cockpit/"))
        for case in demo:
            assert case.child_name not in page and case.case_no not in page
            assert case.child_name[0] + "*" not in page
            assert not case.child_id_number or case.child_id_number[:6] + "*" not in page


def test_every_chart_is_an_accessible_svg_followed_by_its_table_in_both_languages(as_user):
    b = as_user("wf_supervisor")
    for lang, words in (("zh_CN", ("数字驾驶舱", "在办个案（按风险码）", "红码", "闭环率")),
                        ("en", ("Cockpit", "Open cases by risk code", "Red", "Closed-loop rate"))):
        b.get(f"/lang/{lang}?next=/")
        page = _page(b.get("/cockpit/"))
        assert all(w in page for w in words)
        sections = page.split('<section class="card panel"')[1:]
        assert len(sections) == 9
        for section in sections:
            assert section.count('role="img"') >= 1 and "<title id=" in section and "<desc id=" in section
            assert section.rindex("<svg") < section.rindex("<table")   # each chart has its table after it
        assert page.count('<table class="list small figures"') == 11   # with the core indicators


def _download(b, url, **filters):
    response = b.post(url, filters, token_from="/cockpit/")
    assert response.status_code == 200, (url, response.status_code)
    assert response.headers["Content-Disposition"].startswith("attachment; filename*=UTF-8''")
    assert response.headers["Cache-Control"] == "private, no-store"
    return response


def test_each_table_downloads_as_csv_with_a_bom_and_as_xlsx(as_user):
    b = as_user("leader")
    csv_file = _download(b, "/cockpit/export/orders.csv", district="all")
    assert csv_file.mimetype == "text/csv" and csv_file.data.startswith(b"\xef\xbb\xbf")
    header = next(csv.reader(io.StringIO(csv_file.data.decode("utf-8-sig"))))
    assert header[0] == "月份" and header[-1] == "合计"
    xlsx = _download(b, "/cockpit/export/guidance.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert sheet.freeze_panes == "A2" and sheet["A1"].value == "月份" and sheet["A2"].number_format == "yyyy-mm"


def _exported_text(data: bytes, kind: str) -> str:
    """Everything in an export a person could read: CSV text, or every XLSX cell and every part of the zip."""
    if kind == "csv":
        return data.decode("utf-8-sig")
    cells = [str(c.value) for row in load_workbook(io.BytesIO(data)).active.iter_rows() for c in row
             if c.value is not None]
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        parts = [z.read(name).decode("utf-8", "replace") for name in z.namelist()]
    return "\n".join(cells + parts)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_ledger_shows_nothing_of_a_case_the_users_agency_does_not_work_on(as_user, gl, kind):
    with gl.reading() as s:
        demo = s.scalars(select(Case)).all()
        theirs = set(s.scalars(select(CaseAgency.case_id).where(CaseAgency.agency_code == "procuratorate")))
    outside = [c for c in demo if c.id not in theirs]
    inside = [c for c in demo if c.id in theirs]
    assert outside and inside
    text = _exported_text(_download(as_user("pro_supervisor"), f"/cockpit/ledger.{kind}").data, kind)
    for case in outside:  # not even masked: the case number alone re-identified a child with the search
        assert case.case_no not in text
        assert case.child_name not in text
    for case in demo:
        assert not case.child_id_number or case.child_id_number not in text
    assert all(case.child_name in text for case in inside)   # those on the case see the name: the check can fail


def test_exports_are_audited_and_leaders_get_counts_only(as_user, gl):
    def exports():
        with gl.reading() as s:
            return s.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "export"))
    before = exports()
    _download(as_user("wf_supervisor"), "/cockpit/ledger.xlsx")
    leader = as_user("leader")
    _download(leader, "/cockpit/export/overdue.csv")
    assert exports() == before + 2
    refused = leader.post("/cockpit/ledger.xlsx", {}, token_from="/cockpit/")
    assert refused.status_code == 403 and "不能导出个案台账" in _page(refused)
    assert as_user("wf_caseworker").post("/cockpit/export/overdue.csv", {}, token_from="/").status_code == 403
    assert leader.client.post("/cockpit/export/overdue.csv", data={}).status_code == 400   # no CSRF token
    assert leader.post("/cockpit/export/nothing.csv", {}, token_from="/cockpit/").status_code == 404
    assert leader.post("/cockpit/export/overdue.pdf", {}, token_from="/cockpit/").status_code == 422
    assert exports() == before + 2


def test_the_case_page_shows_the_closed_loop_checklist_current_round_first(as_user, cases):
    b = as_user("wf_caseworker")
    page = _page(b.get(f"/cases/{cases['JB-2026-00003']}"))
    panel = page.split('id="closed-loop"')[1].split("</section>")[0]
    assert "闭环审查" in page and panel.index("第 2 轮") < panel.index("第 1 轮")
    assert "缺失" in panel and "已落实" in panel and "待进行" in panel and "未闭环" in panel
    assert 'class="status status-missing"' in panel and "✗" in panel     # words and an icon, not colour alone
    assert "Escalation approved" not in panel and "提请联席会商审批已批准" in panel
    b.get("/lang/en?next=/")
    english = _page(b.get(f"/cases/{cases['JB-2026-00003']}"))
    assert "Closed-loop checklist" in english and "Escalation approved" in english


def test_the_overdue_figure_moves_with_time(as_user, gl):
    """A task falling due is counted once it is past due (the cache is keyed by scope, so use a fresh period)."""
    b = as_user("wf_supervisor")
    with gl.reading() as s:
        due = s.scalars(select(WorkItem.due_at).where(WorkItem.due_at > clock.now()).order_by(WorkItem.due_at)).first()
    if due is None:
        pytest.skip("every demo task is already overdue")
    tiles = lambda page: re.findall(r'tile-value">([^<]+)</span> <span class="tile-label">当前逾期任务', page)  # noqa: E731
    now_count = int(tiles(_page(b.get("/cockpit/?from=2026-01-01")))[0])
    clock.set(due + timedelta(minutes=1))
    try:
        later = int(tiles(_page(b.get("/cockpit/?from=2026-01-02")))[0])
    finally:
        clock.reset()
    assert later > now_count
