"""Issuing documents through the service layer: numbers, hashes, receipts, corrections, verification,
and the database's refusal to change an issued document."""
import hashlib

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError

from engine import services
from engine.errors import Conflict, InvalidInput, PermissionDenied
from engine.models import Approval, AuditEntry, DocumentFile, DocumentRecord
from engine.services import documents as docs

from .helpers import assess, decide, deliver, new_case, order, propose


def _case_with_order(driver):
    case = new_case(driver, case_type="minor_victim")
    assess(driver, case, 18, ["criminal_victim"])
    propose(driver, case, notify=False, supervision_order=True)
    order(driver, case, "supervision_order")
    return case


def _docs(gl, case, doc_type=None):
    with gl.reading() as s:
        query = select(DocumentRecord).where(DocumentRecord.case_id == case).order_by(DocumentRecord.id)
        if doc_type:
            query = query.where(DocumentRecord.doc_type == doc_type)
        return s.scalars(query).all()


def test_an_order_is_numbered_hashed_and_goes_out_with_its_receipt(gl, driver):
    case = _case_with_order(driver)
    order_doc = _docs(gl, case, "supervision_order")[0]
    assert order_doc.number == "江北检未督〔2026〕1号" and order_doc.status == "issued"
    receipt = _docs(gl, case, "delivery_receipt")[0]
    assert receipt.served_document_id == order_doc.id and receipt.number is None
    doc, pdf = docs.document_file(gl, driver.actor("prosecutor"), order_doc.id)
    assert pdf.startswith(b"%PDF") and hashlib.sha256(pdf).hexdigest() == doc.sha256
    with pytest.raises(PermissionDenied):
        docs.document_file(gl, driver.actor("yz_prosecutor"), order_doc.id)
    second = _case_with_order(driver)
    assert _docs(gl, second, "supervision_order")[0].number == "江北检未督〔2026〕2号"


def test_draft_preview_carries_no_number_and_is_refused_to_other_agencies(gl, driver):
    case = new_case(driver, case_type="minor_victim")
    assess(driver, case, 18, ["criminal_victim"])
    propose(driver, case, notify=False, supervision_order=True)
    decide(driver, case, "supervision_order")
    item = driver.item(case, "draft_order")
    pdf = docs.draft_pdf(gl, driver.actor("prosecutor"), case, item.task_id,
                         {"failings": "草稿中的失职事实", "duties": "义务", "deadline": "2026-04-01"})
    assert pdf.startswith(b"%PDF")
    with pytest.raises(PermissionDenied):
        docs.draft_pdf(gl, driver.actor("wf_caseworker"), case, item.task_id, {})
    assert _docs(gl, case, "supervision_order") == []


def test_a_correction_is_issued_only_when_the_head_approves_it_and_keeps_both(gl, driver):
    case = _case_with_order(driver)
    old = _docs(gl, case, "supervision_order")[0]
    with pytest.raises(PermissionDenied):
        docs.correct_document(gl, driver.actor("judge"), old.id, {"failings": "x", "duties": "y", "reason": "z"})
    with pytest.raises(InvalidInput):
        docs.correct_document(gl, driver.actor("prosecutor"), old.id, {"failings": "x", "duties": "y"})
    fix = {"failings": "更正后的事实", "duties": "更正后的义务", "reason": "笔误"}
    approval_id = docs.correct_document(gl, driver.actor("prosecutor"), old.id, fix)
    with pytest.raises(Conflict):   # one pending correction per document
        docs.correct_document(gl, driver.actor("prosecutor"), old.id, fix)
    assert [d.status for d in _docs(gl, case, "supervision_order")] == ["issued"]   # nothing issued yet
    queue = services.approval_queue(gl, driver.actor("pro_supervisor"))
    row = next(r for r in queue if r.approval_id == approval_id)
    assert (row.kind, row.subject, row.reason) == ("correction", "supervision_order", "笔误")
    assert all(r.approval_id != approval_id for r in services.approval_queue(gl, driver.actor("court_supervisor")))
    with pytest.raises(PermissionDenied):   # the officer cannot approve; the court's head neither
        docs.decide_correction(gl, driver.actor("prosecutor"), approval_id, "approved", "", driver.version(case))
    with pytest.raises(PermissionDenied):
        docs.decide_correction(gl, driver.actor("court_supervisor"), approval_id, "approved", "",
                               driver.version(case))
    with pytest.raises(Conflict):           # a stale page
        services.decide_approval(gl, driver.actor("pro_supervisor"), approval_id, "approved", "",
                                 driver.version(case) - 1)
    services.decide_approval(gl, driver.actor("pro_supervisor"), approval_id, "approved", "", driver.version(case))
    orders = _docs(gl, case, "supervision_order")
    assert [(d.status, d.number) for d in orders] == [("superseded", "江北检未督〔2026〕1号"),
                                                      ("issued", "江北检未督〔2026〕2号")]
    assert orders[1].supersedes_id == old.id and orders[1].fields["duties"] == "更正后的义务"
    assert orders[0].sha256 == old.sha256  # the old one is untouched
    with pytest.raises(InvalidInput):
        docs.correct_document(gl, driver.actor("prosecutor"), old.id, {"failings": "a", "duties": "b", "reason": "c"})
    seen = docs.verify_document(gl, old.verification_code)
    assert seen["superseded"] and seen["superseded_by"] == "江北检未督〔2026〕2号"
    # the correction is the one delivered
    deliver(driver, case, "supervision_order")
    assert [d.delivered_on is not None for d in _docs(gl, case, "supervision_order")] == [False, True]


def test_a_returned_or_refused_correction_issues_nothing_and_says_why(gl, driver):
    case = _case_with_order(driver)
    old = _docs(gl, case, "supervision_order")[0]
    with pytest.raises(InvalidInput):       # the same text again is no correction
        docs.correct_document(gl, driver.actor("prosecutor"), old.id,
                              {"failings": old.fields["failings"], "duties": old.fields["duties"], "reason": "z"})
    approval_id = docs.correct_document(gl, driver.actor("prosecutor"), old.id,
                                        {"failings": "事实", "duties": "减轻后的义务", "reason": "当事人要求"})
    with pytest.raises(InvalidInput):       # a refusal needs its reason
        services.decide_approval(gl, driver.actor("pro_supervisor"), approval_id, "refused", " ",
                                 driver.version(case))
    services.decide_approval(gl, driver.actor("pro_supervisor"), approval_id, "refused", "义务不得无故减轻",
                             driver.version(case))
    with gl.reading() as s:
        approval = s.get(Approval, approval_id)
        assert (approval.status, approval.decision_reason) == ("refused", "义务不得无故减轻")
        actions = s.scalars(select(AuditEntry.action).where(AuditEntry.case_id == case)).all()
    assert [d.status for d in _docs(gl, case, "supervision_order")] == ["issued"]
    assert "request_correction" in actions and "decide_correction" in actions
    again = docs.correct_document(gl, driver.actor("prosecutor"), old.id,
                                  {"failings": "事实", "duties": "义务", "reason": "笔误"})
    services.decide_approval(gl, driver.actor("pro_supervisor"), again, "returned", "请写明更正的具体条目",
                             driver.version(case))
    assert [d.status for d in _docs(gl, case, "supervision_order")] == ["issued"]


def test_verification_accepts_the_issued_pdf_and_rejects_a_changed_byte(gl, driver):
    case = _case_with_order(driver)
    doc = _docs(gl, case, "supervision_order")[0]
    _, pdf = docs.document_file(gl, driver.actor("prosecutor"), doc.id)
    genuine = docs.verify_document(gl, doc.verification_code.lower(), pdf)
    assert genuine["hash_match"] is True
    assert genuine["signature"] | {"signed_at": None} == {
        "readable": True, "signed": True, "count": 1, "intact": True, "valid": True, "trusted": True,
        "whole_file": True, "signer": genuine["signature"]["signer"], "signed_at": None, "timestamped": False,
        "bottom_line": True}
    assert "重庆市江北区人民检察院" in genuine["signature"]["signer"]
    assert genuine["pages"] >= 2 and genuine["deadline"] and genuine["recipients"] == ["监***"]
    altered = bytearray(pdf)
    altered[len(altered) // 2] ^= 0x01
    result = docs.verify_document(gl, doc.verification_code, bytes(altered))
    assert result["hash_match"] is False
    assert result["signature"]["intact"] is False and result["signature"]["bottom_line"] is False
    assert set(result) == {"title", "doc_type", "number", "issuer", "issued_on", "superseded", "superseded_by",
                           "serves", "rendered", "hash_match", "signature", "pages", "deadline", "recipients"}
    assert "测试儿童" not in str(result) and "监护人甲" not in str(result)
    assert docs.verify_document(gl, "ABCD-EFGH") is None


def test_the_database_refuses_to_change_an_issued_document(gl, driver):
    case = _case_with_order(driver)
    doc = _docs(gl, case, "supervision_order")[0]
    doc, _ = docs.document_file(gl, driver.actor("prosecutor"), doc.id)   # rendered: its hash is written
    changed = lambda **values: update(DocumentRecord).where(DocumentRecord.id == doc.id).values(**values)  # noqa: E731
    attempts = [
        update(DocumentFile).where(DocumentFile.document_id == doc.id).values(pdf=b"%PDF-forged"),
        changed(number="江北检未〔2026〕99号"), changed(sha256="0" * 64), changed(title="撤销决定书"),
        changed(issuing_agency="court"), changed(year=2025), changed(sequence=99), changed(supersedes_id=doc.id),
        changed(served_document_id=doc.id), changed(snapshot={"title": "撤销决定书"}),
        changed(snapshot_sha256="0" * 64), changed(fields={"failings": "改过的"}),
        changed(status="superseded"),              # only a correction supersedes
        text("DELETE FROM document_file"),
        text("DELETE FROM document_record"),
    ]
    for statement in attempts:
        with pytest.raises(DBAPIError, match="immutable"):
            with gl.transaction() as s:
                s.execute(statement)
    with gl.transaction() as s:  # delivery metadata and status may still be recorded
        s.execute(update(DocumentRecord).where(DocumentRecord.id == doc.id).values(delivery_recipient="父亲"))
    assert _docs(gl, case, "supervision_order")[0].sha256 == doc.sha256


def test_a_correction_of_a_delivered_order_is_delivered_on_its_own_by_the_issuer(gl, driver):
    case = _case_with_order(driver)
    deliver(driver, case, "supervision_order")
    old = _docs(gl, case, "supervision_order")[0]
    fix = docs.correct_document(gl, driver.actor("prosecutor"), old.id,
                                {"failings": "疏于照料", "duties": "按时接送，每月书面报告", "reason": "补充报告义务"})
    services.decide_approval(gl, driver.actor("pro_supervisor"), fix, "approved", "", driver.version(case))
    new = _docs(gl, case, "supervision_order")[1]
    delivery = {"method": "in_person", "delivered_on": driver.today(), "recipient": "监护人甲", "place": "检察院",
                "signed": True}
    with pytest.raises(PermissionDenied):   # the court is not the issuer
        docs.deliver_correction(gl, driver.actor("judge"), new.id, delivery, driver.version(case))
    with pytest.raises(InvalidInput):       # the original is no correction to deliver
        docs.deliver_correction(gl, driver.actor("prosecutor"), old.id, delivery, driver.version(case))
    with pytest.raises(Conflict):
        docs.deliver_correction(gl, driver.actor("prosecutor"), new.id, delivery, driver.version(case) - 1)
    with pytest.raises(InvalidInput):       # the method of delivery is required
        docs.deliver_correction(gl, driver.actor("prosecutor"), new.id, {**delivery, "method": ""},
                                driver.version(case))
    assert _docs(gl, case, "supervision_order")[1].delivered_on is None
    docs.deliver_correction(gl, driver.actor("prosecutor"), new.id, delivery, driver.version(case))
    delivered = _docs(gl, case, "supervision_order")[1]
    assert (delivered.delivery_method, delivered.delivery_recipient, delivered.delivery_signed) == (
        "in_person", "监护人甲", True)
    with pytest.raises(InvalidInput):       # once only
        docs.deliver_correction(gl, driver.actor("prosecutor"), new.id, delivery, driver.version(case))
    with gl.reading() as s:
        assert s.scalars(select(AuditEntry.action).where(AuditEntry.action == "deliver_document",
                                                         AuditEntry.case_id == case)).all() == ["deliver_document"]
