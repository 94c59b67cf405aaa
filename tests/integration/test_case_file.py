"""The case file (卷宗): one PDF of a case's record and its issued documents, for those on the case only."""
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from engine.issuing import rendering
from engine.workflow.clock import clock
from engine.errors import PermissionDenied
from engine.models import AuditEntry, DocumentFile, DocumentRecord
from engine.services import notes
from engine.services.case_file import case_file

from .helpers import assess, new_case, order, propose


def _text(pdf: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(BytesIO(pdf)).pages]


def _flat(text: str) -> str:
    return "".join(text.split())


@pytest.fixture
def case(driver):
    case = new_case(driver, case_type="minor_victim")
    assess(driver, case, 18, ["criminal_victim"])
    propose(driver, case, notify=False, supervision_order=True)
    order(driver, case, "supervision_order")
    notes.add_note(driver.gl, driver.actor("wf_caseworker"), case,
                   {"occurred_on": clock.today().isoformat(), "kind": "phone", "participants": "陈某", "body": "电话联系监护人，约定面谈时间。"})
    return case


def test_the_case_file_holds_cover_contents_record_and_the_issued_pdfs(gl, driver, case):
    rendering.render_due(gl)
    made = case_file(gl, driver.actor("wf_caseworker"), case)
    reader = PdfReader(BytesIO(made.pdf))
    pages = _text(made.pdf)
    assert made.pages == len(reader.pages) == len(pages)
    # every page is numbered "第 x 页 共 y 页", in order
    for number, text in enumerate(pages, start=1):
        assert f"第{number}页共{made.pages}页" in _flat(text)
    assert "未成年人监护干预卷宗" in _flat(pages[0]) and made.case_no in _flat(pages[0])
    with gl.reading() as s:
        issued = s.scalars(select(DocumentRecord).where(DocumentRecord.case_id == case)
                           .order_by(DocumentRecord.issued_at, DocumentRecord.id)).all()
        stored = {d.document_id: d.pdf for d in s.scalars(select(DocumentFile))}
    order_doc = next(d for d in issued if d.doc_type == "supervision_order")
    # the table of contents: every part, every round, every document, each on the page it names
    titles = [e["title"] for e in made.toc]
    assert titles[:3] == ["一、基本情况", "二、风险赋码记录", "三、干预记录"]
    assert "第一轮" in titles[3] and titles[4:7] == ["四、工作记录", "五、附件目录", "六、制发文书"]
    assert len(made.toc) == 7 + len(issued)
    contents = _flat(pages[1])
    for entry in made.toc:
        assert _flat(entry["title"]) in contents
        assert entry["page"] is not None
        heading = _flat(entry["title"]).split("（")[0]
        assert heading in _flat(pages[entry["page"] - 1])
    # the issued PDFs themselves, merged: the order's own pages, text and all, at the page the contents give
    entry = next(e for e in made.toc if order_doc.number in e["title"])
    own = _text(stored[order_doc.id])
    for i, text in enumerate(own):
        assert _flat(text)[:60] in _flat(pages[entry["page"] - 1 + i])
    first_document = made.toc[7]["page"]
    assert made.pages == first_document - 1 + sum(len(PdfReader(BytesIO(stored[d.id])).pages) for d in issued)
    record = _flat("".join(pages[2:first_document - 1]))
    assert "电话联系监护人，约定面谈时间。" in record and "18分" in record
    with gl.reading() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "case_file")).one()
    assert entry.case_id == case and entry.after["pages"] == made.pages and entry.after["sha256"] == made.sha256
    assert order_doc.id in entry.after["documents"]


def test_a_document_not_rendered_yet_is_rendered_for_the_file(gl, driver, case):
    made = case_file(gl, driver.actor("prosecutor"), case)
    with gl.reading() as s:
        issued = s.scalars(select(DocumentRecord.id).where(DocumentRecord.case_id == case)).all()
        assert s.scalar(select(DocumentFile.document_id).where(DocumentFile.document_id.in_(issued)).limit(1))
    assert "PDF暂未生成" not in _flat("".join(_text(made.pdf)))


def test_only_those_on_the_case_make_its_file(gl, driver, case):
    for outsider in ("yz_prosecutor", "admin"):
        with pytest.raises(PermissionDenied):
            case_file(gl, driver.actor(outsider), case)
    with gl.reading() as s:
        assert s.scalars(select(AuditEntry).where(AuditEntry.action == "case_file")).all() == []


def test_no_row_is_locked_while_the_file_is_rendered(gl, driver, case, monkeypatch):
    """Rendering takes seconds: meanwhile others change the case (its row and its documents' rows)."""
    import documents.case_file as module
    from sqlalchemy import text, update

    from engine.infra.db import is_postgres
    from engine.models import Case
    original, seen = module.render_case_file, []

    def render_while_someone_writes(context):
        with gl.transaction() as s:
            if is_postgres(gl.engine):
                s.execute(text("SET LOCAL lock_timeout = '1s'"))
            s.execute(update(Case).where(Case.id == case).values(updated_at=Case.updated_at))
            s.execute(update(DocumentRecord).where(DocumentRecord.case_id == case)
                      .values(delivery_recipient=DocumentRecord.delivery_recipient))
            seen.append(True)
        return original(context)

    monkeypatch.setattr(module, "render_case_file", render_while_someone_writes)
    rendering.render_due(gl)
    made = case_file(gl, driver.actor("wf_caseworker"), case)
    assert seen == [True] and made.pages > 3
