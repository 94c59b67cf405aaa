"""The case list, notes and attachments in the browser: pages in Chinese and English, bad input a 4xx with
nothing written, files served only to those on the case."""
import hashlib
from dataclasses import replace
from io import BytesIO

import pytest
from PIL import Image
from sqlalchemy import func, select

from engine.models import Attachment, AuditEntry, AuditStaged, Case, CaseNote


@pytest.fixture
def store(gl, tmp_path):
    gl.settings = replace(gl.settings, attachment_dir=tmp_path / "attachments")
    return gl.settings.attachment_dir


@pytest.fixture
def red_case(gl):
    with gl.reading() as s:
        return s.scalars(select(Case.id).where(Case.child_name == "陈小雨")).one()


def _count(gl, model) -> int:
    with gl.reading() as s:
        return s.scalar(select(func.count()).select_from(model))


def _png() -> bytes:
    out = BytesIO()
    Image.new("RGB", (400, 300), (10, 160, 90)).save(out, "PNG")
    return out.getvalue()


def _jb_outsider(gl, case_id) -> str:
    """A caseworker of the case's district whose agency is not on the case."""
    from engine.infra.bootstrap import DEMO_USERS
    from engine.models import CaseAgency
    with gl.reading() as s:
        on_it = set(s.scalars(select(CaseAgency.agency_code).where(CaseAgency.case_id == case_id)))
    return next(u for u, _, agency, role, district in DEMO_USERS
                if district == "JB" and agency not in on_it and role not in ("admin", "leader"))


def _english(b):
    b.get("/lang/en")
    return b


# -- the case list -----------------------------------------------------------------------------------

def test_the_case_list_renders_in_both_languages_with_masked_names(as_user):
    b = as_user("wf_caseworker")
    zh = b.get("/cases/")
    page = zh.get_data(as_text=True)
    assert zh.status_code == 200 and "个案" in page and 'href="/cases/"' in page
    assert "陈小雨" not in page and "陈**" in page            # the inbox's masking, no more
    assert "JB-2026-" in page and 'name="code"' not in page   # no supervisor filters for a caseworker
    en = _english(b).get("/cases/?view=overdue").get_data(as_text=True)
    assert "My agency's cases" in en and "Overdue" in en and "Last change" in en


def test_supervisors_filter_and_others_may_not(as_user):
    supervisor = as_user("wf_supervisor")
    page = supervisor.get("/cases/").get_data(as_text=True)
    assert 'name="code"' in page and 'name="family_type"' in page and 'name="step"' in page
    red = supervisor.get("/cases/?code=red&status=all").get_data(as_text=True)
    assert "code-red" in red and "code-orange" not in red.split("<tbody>")[1]
    assert as_user("wf_caseworker").get("/cases/?code=red").status_code == 403
    assert supervisor.get("/cases/?view=everything").status_code == 404
    assert supervisor.get("/cases/?page=0").status_code == 404


def test_another_district_sees_none_of_these_cases(as_user):
    page = as_user("yz_caseworker").get("/cases/?status=all").get_data(as_text=True)
    assert "JB-2026-" not in page


def test_pages_link_to_the_next_page_with_the_same_view(as_user, gl):
    from engine.services import case_list
    b = as_user("wf_supervisor")
    old = case_list.PER_PAGE
    case_list.PER_PAGE = 3
    try:
        list_cases = case_list.list_cases
        case_list.list_cases = lambda *a, **k: list_cases(*a, **{**k, "per_page": 3})
        page = b.get("/cases/?status=all&sort=case_no&dir=asc").get_data(as_text=True)
    finally:
        case_list.PER_PAGE, case_list.list_cases = old, list_cases
    assert 'rel="next"' in page and "page=2" in page and "sort=case_no" in page and "dir=asc" in page


# -- notes -------------------------------------------------------------------------------------------

def test_a_note_is_added_shown_and_edited(as_user, gl, red_case):
    b = as_user("wf_caseworker")
    case_page = b.get(f"/cases/{red_case}").get_data(as_text=True)
    assert "记录与联系" in case_page or "Notes and contact log" in case_page
    response = b.post(f"/cases/{red_case}/notes/new", {"occurred_on": "2026-03-02", "kind": "phone",
                                                      "participants": "母亲", "body": "电话确认回访时间。"})
    assert response.status_code == 302
    case_page = b.get(f"/cases/{red_case}").get_data(as_text=True)
    assert "电话确认回访时间。" in case_page and "母亲" in case_page
    with gl.reading() as s:
        note = s.scalars(select(CaseNote)).one()
    edit = b.get(f"/cases/{red_case}/notes/{note.id}/edit")
    assert edit.status_code == 200 and "电话确认回访时间。" in edit.get_data(as_text=True)
    saved = b.post(f"/cases/{red_case}/notes/{note.id}/edit", {"occurred_on": "2026-03-02", "kind": "visit",
                                                               "participants": "母亲", "body": "入户面谈。",
                                                               "expected_version": "1"})
    assert saved.status_code == 302
    stale = b.post(f"/cases/{red_case}/notes/{note.id}/edit", {"occurred_on": "2026-03-02", "kind": "visit",
                                                               "body": "旧页面", "expected_version": "1"})
    assert stale.status_code == 409 and "旧页面" in stale.get_data(as_text=True)
    # someone else on the case: no edit, but a correction
    other = as_user("wf_supervisor")
    assert other.get(f"/cases/{red_case}/notes/{note.id}/edit").status_code == 403
    correct = other.get(f"/cases/{red_case}/notes/new?corrects={note.id}")
    assert correct.status_code == 200 and "入户面谈。" in correct.get_data(as_text=True)
    assert other.post(f"/cases/{red_case}/notes/new?corrects={note.id}",
                      {"occurred_on": "2026-03-01", "kind": "visit", "body": "更正：日期为 3 月 1 日。",
                       "corrects": str(note.id), "corrects_version": "2"},
                      token_from=f"/cases/{red_case}/notes/new").status_code == 302
    with gl.reading() as s:
        assert s.scalar(select(func.count(CaseNote.id)).where(CaseNote.corrects_id == note.id)) == 1


@pytest.mark.parametrize("lang, words", [("zh_CN", "此项为必填项"), ("en", "This field is required")])
def test_a_bad_note_is_a_422_in_the_users_language_with_nothing_written(as_user, gl, red_case, lang, words):
    b = as_user("wf_caseworker")
    b.get(f"/lang/{lang}")
    before = _count(gl, AuditEntry)
    response = b.post(f"/cases/{red_case}/notes/new", {"occurred_on": "2026-03-02", "kind": "phone", "body": " "})
    assert response.status_code == 422 and words in response.get_data(as_text=True)
    bad_kind = b.post(f"/cases/{red_case}/notes/new", {"occurred_on": "2026-03-02", "kind": "x", "body": "y"})
    assert bad_kind.status_code == 422
    assert _count(gl, CaseNote) == 0 and _count(gl, AuditEntry) == before


def test_outsiders_cannot_reach_a_cases_notes(as_user, gl, red_case):
    b = as_user("yz_caseworker")
    assert b.get(f"/cases/{red_case}/notes/new").status_code == 403
    assert b.post(f"/cases/{red_case}/notes/new", {"occurred_on": "2026-03-02", "kind": "phone", "body": "x"},
                  token_from="/login").status_code == 403
    assert _count(gl, CaseNote) == 0


# -- attachments -------------------------------------------------------------------------------------

def test_a_photo_is_attached_served_to_the_case_only_and_every_view_is_logged(as_user, gl, red_case, store):
    b = as_user("wf_caseworker")
    form = b.get(f"/cases/{red_case}/attachments/new")
    assert form.status_code == 200 and 'enctype="multipart/form-data"' in form.get_data(as_text=True)
    data = _png()
    response = b.post(f"/cases/{red_case}/attachments/new",
                      {"file": (BytesIO(data), "家访照片.png"), "description": "居住环境"})
    assert response.status_code == 302
    with gl.reading() as s:
        row = s.scalars(select(Attachment)).one()
    assert row.sha256 == hashlib.sha256(data).hexdigest()
    case_page = b.get(f"/cases/{red_case}").get_data(as_text=True)
    assert "家访照片.png" in case_page and f"/attachments/{row.id}/thumbnail" in case_page
    served = b.get(f"/attachments/{row.id}")
    assert served.status_code == 200 and served.data == data and served.mimetype == "image/png"
    assert served.headers["X-Content-Type-Options"] == "nosniff" and "no-store" in served.headers["Cache-Control"]
    thumb = as_user("wf_counsellor").get(f"/attachments/{row.id}/thumbnail")
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"
    for outsider in ("yz_caseworker", _jb_outsider(gl, red_case)):
        assert as_user(outsider).get(f"/attachments/{row.id}").status_code == 403
        assert as_user(outsider).get(f"/attachments/{row.id}/thumbnail").status_code == 403
    with gl.reading() as s:
        views = [e for model in (AuditEntry, AuditStaged)
                 for e in s.scalars(select(model).where(model.action == "view_attachment"))]
        refusals = s.scalars(select(AuditEntry).where(AuditEntry.action == "access_refused")).all()
    assert len(views) == 2 and {v.entity_id for v in views} == {str(row.id)}   # the file, the thumbnail
    assert sum(f"/attachments/{row.id}" in (r.after or {}).get("path", "") for r in refusals) == 4


@pytest.mark.parametrize("lang, words", [("zh_CN", "只能上传 PDF、JPEG 或 PNG"), ("en", "Only PDF, JPEG or PNG")])
def test_a_file_that_is_not_what_its_name_says_is_a_422_with_nothing_written(as_user, gl, red_case, store,
                                                                             lang, words):
    b = as_user("wf_caseworker")
    b.get(f"/lang/{lang}")
    response = b.post(f"/cases/{red_case}/attachments/new",
                      {"file": (BytesIO(b"<svg onload=alert(1)>"), "photo.png"), "description": "x"})
    assert response.status_code == 422 and words in response.get_data(as_text=True)
    no_file = b.post(f"/cases/{red_case}/attachments/new", {"description": "x"})
    assert no_file.status_code == 422
    assert _count(gl, Attachment) == 0 and not store.exists()


def test_a_file_over_the_limit_is_refused_with_nothing_written(as_user, gl, red_case, store):
    b = as_user("wf_caseworker")
    big = b.post(f"/cases/{red_case}/attachments/new",     # over the app's 2 MB form limit, within the file limit
                 {"file": (BytesIO(b"%PDF-1.4\n" + b"0" * 3_000_000), "scan.pdf")})
    assert big.status_code == 422 and "PDF" in big.get_data(as_text=True)    # read, then refused as damaged
    gl.settings = replace(gl.settings, attachment_max_bytes=100_000)
    over = b.post(f"/cases/{red_case}/attachments/new",
                  {"file": (BytesIO(b"%PDF-1.4\n" + b"0" * 200_000), "scan.pdf")})
    assert over.status_code == 413
    near = b.post(f"/cases/{red_case}/attachments/new",
                  {"file": (BytesIO(b"%PDF-1.4\n" + b"0" * 100_000), "scan.pdf")})
    assert near.status_code == 422 and "文件过大" in near.get_data(as_text=True)
    assert _count(gl, Attachment) == 0 and not store.exists()


# -- case owners -------------------------------------------------------------------------------------

def test_the_supervisor_hands_a_case_over_and_the_page_shows_it(as_user, gl, red_case, users):
    b = as_user("wf_supervisor")
    form = b.get(f"/cases/{red_case}/owner")
    assert form.status_code == 200 and "江北妇联·李娟" in form.get_data(as_text=True)
    assigned = b.post(f"/cases/{red_case}/owner", {"owner": str(users["wf_caseworker"].id), "reason": "首次指定",
                                                   "expected_owner": ""})
    assert assigned.status_code == 302
    page = b.get(f"/cases/{red_case}").get_data(as_text=True)
    assert "承办人" in page and "江北妇联·李娟" in page.split('id="owners"')[1].split("</section>")[0]
    stale = b.post(f"/cases/{red_case}/owner", {"owner": str(users["wf_caseworker2"].id), "reason": "交接",
                                                "expected_owner": ""})
    assert stale.status_code == 409
    en = _english(b).post(f"/cases/{red_case}/owner", {"owner": str(users["wf_caseworker2"].id), "reason": "",
                                                       "expected_owner": str(users["wf_caseworker"].id)})
    assert en.status_code == 422 and "This field is required" in en.get_data(as_text=True)
    assert as_user("wf_caseworker").get(f"/cases/{red_case}/owner").status_code == 403
    with gl.reading() as s:
        from engine.models import CaseOwner
        assert [o.user_id for o in s.scalars(select(CaseOwner))] == [users["wf_caseworker"].id]
