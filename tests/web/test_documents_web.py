"""Documents in the UI: PDFs for those on the case, drafts, corrections, and the public verification page."""
import re

from sqlalchemy import select

from engine.workflow.clock import clock
from engine.models import Approval, Case, DocumentRecord, WorkItem


def _order(gl):
    with gl.reading() as s:
        return s.scalars(select(DocumentRecord).where(DocumentRecord.doc_type == "supervision_order",
                                                      DocumentRecord.status == "issued")).first()


def test_pdf_is_served_to_those_on_the_case_only(gl, as_user, browser):
    doc = _order(gl)
    response = as_user("prosecutor").get(f"/documents/{doc.id}.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert response.headers["Content-Type"] == "application/pdf"
    assert as_user("yz_prosecutor").get(f"/documents/{doc.id}.pdf").status_code == 403
    assert as_user("admin").get(f"/documents/{doc.id}.pdf").status_code == 403
    assert browser.get(f"/documents/{doc.id}.pdf").status_code == 302  # to the login page


def test_no_route_changes_an_issued_document(gl, as_user):
    doc = _order(gl)
    b = as_user("prosecutor")
    for method in ("put", "patch", "delete", "post"):
        response = getattr(b.client, method)(f"/documents/{doc.id}.pdf")
        assert response.status_code in (400, 405), method
    after = _order(gl)
    assert (after.sha256, after.number, after.status) == (doc.sha256, doc.number, doc.status)


def test_verification_page_needs_no_login_and_shows_no_personal_data(gl, as_user, browser):
    doc = _order(gl)
    pdf = as_user("prosecutor").get(f"/documents/{doc.id}.pdf").data   # rendered: the page can count its pages
    page = browser.get(f"/verify/{doc.verification_code}")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and doc.number in body and "督促监护令" in body
    assert "重庆市江北区人民检察院" in body and re.search(r"<dd>\d+</dd>", body)      # issuer, page count
    for personal in ("陈小雨", "刘浩然", "500105", "陈某", "刘某", "观音桥"):
        assert personal not in body
    token = re.search(r'name="csrf_token" value="([^"]+)"', body).group(1)
    genuine = browser.client.post(f"/verify/{doc.verification_code}", data={
        "csrf_token": token, "pdf": (__import__("io").BytesIO(pdf), "order.pdf")}, content_type="multipart/form-data")
    assert 'data-hash-match="yes"' in genuine.get_data(as_text=True)
    assert 'data-signature="valid"' in genuine.get_data(as_text=True)
    altered = bytearray(pdf)
    altered[-100] ^= 0x20
    forged = browser.client.post(f"/verify/{doc.verification_code}", data={
        "csrf_token": token, "pdf": (__import__("io").BytesIO(bytes(altered)), "order.pdf")},
        content_type="multipart/form-data")
    text = forged.get_data(as_text=True)
    assert 'data-hash-match="no"' in text and 'data-hash-match="yes"' not in text
    assert 'data-signature="valid"' not in text
    assert browser.get("/verify/ZZZZ-ZZZZ").status_code == 404


def test_draft_preview_from_the_task_form(gl, as_user):
    from engine.demo.scenario import Driver, scores
    from engine import services
    dr = Driver(gl)
    clue = services.register_clue(gl, dr.actor("teacher"), {
        "source": "school", "reporter_name": "班主任", "received_at": dr.today(), "description": "旷课",
        "child_name": "草稿儿童", "child_sex": "F", "child_birth_date": "2013-03-03"})
    case = services.open_case(gl, dr.actor("wf_caseworker"), clue, {"case_type": "minor_victim"})
    dr.do("wf_caseworker", case, "social_investigation", {"findings": "x", "investigated_on": dr.today()})
    dr.do("wf_caseworker", case, "scored_assessment", {**scores(18), "risk_factors": ["criminal_victim"],
                                                       "summary": "x"})
    dr.do("wf_caseworker", case, "propose_measures", {"refer_supervision_order": True, "reason": "x"})
    dr.do("prosecutor", case, "decide_referral", {"decision": "accept"})
    item = dr.item(case, "draft_order")
    form = f"/cases/{case}/tasks/{item.task_id}"
    b = as_user("prosecutor")
    assert "/draft" in b.get(form).get_data(as_text=True)  # the preview button is on the form
    response = b.post(form + "/draft", {"failings": "<img src=file:///etc/passwd>", "duties": "义务",
                                        "deadline": "2099-01-01"}, token_from=form)
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert as_user("wf_caseworker").post(form + "/draft", {}, token_from="/").status_code == 403
    assert b.client.post(form + "/draft", data={}).status_code == 400  # no CSRF token
    with gl.reading() as s:  # a preview issues nothing
        assert s.scalars(select(DocumentRecord).where(DocumentRecord.case_id == case,
                                                      DocumentRecord.doc_type == "supervision_order")).all() == []


def test_correction_from_the_case_page_through_the_heads_approval(gl, as_user, cases):
    doc = _order(gl)
    b = as_user("prosecutor")
    case_url = f"/cases/{doc.case_id}"
    page = b.get(case_url).get_data(as_text=True)
    assert f'/documents/{doc.id}/correct' in page
    response = b.post(f"/documents/{doc.id}/correct", {"case_id": doc.case_id, "failings": "更正后的事实",
                                                       "duties": "更正后的义务", "reason": "笔误"}, token_from=case_url)
    assert response.status_code == 302
    page = b.get(case_url).get_data(as_text=True)
    assert "更正待审批" in page and f'/documents/{doc.id}/correct' not in page   # one request at a time
    with gl.reading() as s:
        assert s.get(DocumentRecord, doc.id).status == "issued"
        approval = s.scalars(select(Approval).where(Approval.kind == "correction")).one()
    head = as_user("pro_supervisor")
    queue = head.get("/approvals/").get_data(as_text=True)
    assert "更正督促监护令" in queue and "笔误" in queue
    response = head.post(f"/approvals/{approval.id}", {"decision": "approved", "reason": "",
                                                       "expected_version": _version(gl, doc.case_id)},
                         token_from="/approvals/")
    assert response.status_code == 302
    with gl.reading() as s:
        old = s.get(DocumentRecord, doc.id)
        new = s.scalars(select(DocumentRecord).where(DocumentRecord.supersedes_id == doc.id)).one()
    assert old.status == "superseded" and new.number != old.number and old.sha256 == doc.sha256
    assert new.issued_by != approval.requested_by   # issued under the head's approval
    judge = as_user("judge").post(f"/documents/{new.id}/correct", {"case_id": doc.case_id, "failings": "x",
                                                                    "duties": "y", "reason": "z"}, token_from="/")
    assert judge.status_code in (403, 302)
    with gl.reading() as s:
        assert s.get(DocumentRecord, new.id).status == "issued"
        assert s.scalars(select(Approval.id).where(Approval.kind == "correction")).all() == [approval.id]
    # the original had been served: the corrected one is served on its own, from the case page
    assert doc.delivered_on is not None
    page = b.get(case_url).get_data(as_text=True)
    assert f"/documents/{new.id}/deliver" in page and "记录更正后文书的送达" in page
    bad = b.post(f"/documents/{new.id}/deliver", {"case_id": doc.case_id, "expected_version": _version(gl, doc.case_id),
                                                  "method": "in_person", "delivered_on": "", "recipient": "父亲",
                                                  "place": "检察院"}, token_from=case_url)
    assert bad.status_code == 302
    with gl.reading() as s:
        assert s.get(DocumentRecord, new.id).delivered_on is None
    served_on = clock.today().isoformat()
    ok = b.post(f"/documents/{new.id}/deliver", {"case_id": doc.case_id, "expected_version": _version(gl, doc.case_id),
                                                 "method": "in_person", "delivered_on": served_on,
                                                 "recipient": "父亲", "place": "检察院", "signed": "true"},
                token_from=case_url)
    assert ok.status_code == 302
    with gl.reading() as s:
        served = s.get(DocumentRecord, new.id)
    assert (str(served.delivered_on), served.delivery_method, served.delivery_signed) == (served_on, "in_person", True)
    assert f"/documents/{new.id}/deliver" not in b.get(case_url).get_data(as_text=True)


def _version(gl, case_id):
    with gl.reading() as s:
        return s.get(Case, case_id).version


def test_without_cjk_fonts_issuing_refuses_with_a_clear_message_and_writes_nothing(gl, as_user, monkeypatch):
    import documents.fonts
    import documents.render
    from sqlalchemy import func
    from engine.models import AuditEntry
    monkeypatch.setattr(documents.fonts, "cjk_families", lambda: [])
    monkeypatch.setitem(documents.render._state, "fonts_ok", False)
    with gl.reading() as s:
        item = s.scalars(select(WorkItem).where(WorkItem.task_spec == "social_investigation")).first()
        before = (s.scalar(select(func.count(AuditEntry.id))), s.scalar(select(func.count(DocumentRecord.id))))
    url = f"/cases/{item.case_id}/tasks/{item.task_id}"
    b = as_user("wf_caseworker")
    b.post(url, {"investigated_on": "2026-11-01", "findings": "x", "expected_version": b.get(url).get_data(
        as_text=True).split('name="expected_version" value="')[1].split('"')[0]})
    changes = select(func.count(AuditEntry.id)).where(AuditEntry.action != "view_task")  # views are logged too
    with gl.reading() as s:
        item2 = s.scalars(select(WorkItem).where(WorkItem.case_id == item.case_id,
                                                 WorkItem.task_spec == "scored_assessment")).first()
        before = (s.scalar(changes), s.scalar(select(func.count(DocumentRecord.id))))
    url = f"/cases/{item2.case_id}/tasks/{item2.task_id}"
    page = b.get(url).get_data(as_text=True)
    data = {key: "1" for key in ("child_daily_life", "child_health", "child_education", "child_safety",
                                 "guardian_willingness", "guardian_livelihood", "guardian_education_ability",
                                 "family_relations", "support_network")}
    response = b.post(url, {**data, "summary": "x", "expected_version": page.split(
        'name="expected_version" value="')[1].split('"')[0]})
    body = response.get_data(as_text=True)
    assert response.status_code == 503 and "fonts-noto-cjk" in body and "Traceback" not in body
    with gl.reading() as s:  # the assessment (and its report) rolled back together
        after = (s.scalar(changes), s.scalar(select(func.count(DocumentRecord.id))))
        assert s.scalars(select(WorkItem).where(WorkItem.task_id == item2.task_id)).first() is not None
    assert after == before
