"""The case page shows 生成中 beside a document whose PDF the workers have not made yet, and a failure when
they gave up; a download renders on demand, or answers 503 in the user's language and keeps the document."""
from sqlalchemy import select, update

from engine.issuing import rendering
from engine.infra import workers
from engine.models import DocumentRecord, RenderJob


def _order(gl):
    with gl.reading() as s:
        return s.scalars(select(DocumentRecord).where(DocumentRecord.doc_type == "supervision_order")).first()


def test_the_case_page_shows_generating_until_the_pdf_exists(gl, as_user):
    doc = _order(gl)
    b = as_user("prosecutor")
    page = b.get(f"/cases/{doc.case_id}").get_data(as_text=True)
    assert 'data-render-state="queued"' in page and "生成中" in page
    workers.work_once(gl)
    page = b.get(f"/cases/{doc.case_id}").get_data(as_text=True)
    assert "data-render-state" not in page and "生成中" not in page


def test_a_pdf_given_up_on_is_shown_failed_and_a_download_says_so_without_a_500(gl, as_user, monkeypatch):
    doc = _order(gl)
    with gl.transaction() as s:
        s.execute(update(RenderJob).where(RenderJob.document_id == doc.id).values(state="failed", attempts=5))
    b = as_user("prosecutor")
    page = b.get(f"/cases/{doc.case_id}").get_data(as_text=True)
    assert 'data-render-state="failed"' in page and "PDF 生成失败" in page

    def broken(*_):
        raise OSError("renderer away")

    monkeypatch.setattr(rendering, "produce_pdf", broken)
    response = b.get(f"/documents/{doc.id}.pdf")
    body = response.get_data(as_text=True)
    assert response.status_code == 503 and response.headers["Retry-After"] == "60"
    assert "文书已制发并保存" in body and "Traceback" not in body and "renderer away" not in body
    monkeypatch.undo()
    response = b.get(f"/documents/{doc.id}.pdf")        # the next download renders it
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert _order(gl).number == doc.number and _order(gl).sha256 is not None
