"""The case file (卷宗) from the case page: a button, a PDF download for those on the case, 403 for others."""
from io import BytesIO
from urllib.parse import unquote

from pypdf import PdfReader
from sqlalchemy import select

from engine.infra.bootstrap import DEMO_USERS
from engine.models import AuditEntry, CaseAgency


def _outsider(gl, case_id) -> str:
    with gl.reading() as s:
        on_it = set(s.scalars(select(CaseAgency.agency_code).where(CaseAgency.case_id == case_id)))
    return next(u for u, _, agency, role, district in DEMO_USERS
                if district == "JB" and agency not in on_it and role not in ("admin", "leader"))


def _case_files(gl) -> list:
    with gl.reading() as s:
        return s.scalars(select(AuditEntry).where(AuditEntry.action == "case_file")).all()


def test_the_case_page_offers_the_file_and_it_downloads_as_a_pdf(as_user, gl, cases):
    case_id = cases["JB-2026-00002"]
    b = as_user("wf_caseworker")
    page = b.get(f"/cases/{case_id}").get_data(as_text=True)
    assert f'href="/cases/{case_id}/file.pdf"' in page and "卷宗" in page
    response = b.get(f"/cases/{case_id}/file.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    disposition = unquote(response.headers["Content-Disposition"])
    assert disposition.startswith("attachment;") and "卷宗-JB-2026-00002.pdf" in disposition
    assert response.headers["Cache-Control"] == "private, no-store"
    reader = PdfReader(BytesIO(response.data))
    first = "".join(reader.pages[0].extract_text().split())
    assert "JB-2026-00002" in first and f"第1页共{len(reader.pages)}页" in first
    [entry] = _case_files(gl)
    assert entry.case_id == case_id and entry.after["pages"] == len(reader.pages)


def test_outsiders_and_administrators_get_403_and_nothing_is_made(as_user, gl, cases):
    case_id = cases["JB-2026-00002"]
    for username in (_outsider(gl, case_id), "yz_prosecutor", "admin"):
        assert as_user(username).get(f"/cases/{case_id}/file.pdf").status_code == 403, username
    assert _case_files(gl) == []


def test_english_page_names_the_button(as_user, cases):
    b = as_user("wf_caseworker")
    b.get("/lang/en")
    page = b.get(f"/cases/{cases['JB-2026-00002']}").get_data(as_text=True)
    assert "Case file (PDF)" in page
