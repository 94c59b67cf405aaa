"""Issuing documents (制发文书): number, verification code, the snapshot the PDF is made from and its hash,
and the audit entry, in the caller's transaction, with the PDF queued for the rendering workers
(``engine.issuing.rendering``); reading them; correcting one by a superseding document; public verification (核验)."""
import hashlib
from types import SimpleNamespace

from sqlalchemy import select

from engine.actor import Actor
from engine.auditlog import record as audit
from engine.context import GuardLoop
from engine.errors import Conflict, InvalidInput, NotFound
from engine.issuing import document_context as doc_context, rendering, verification
from engine.issuing.delivery import record_delivery
from engine.issuing.issue import issue, office_of
from engine.models import Approval, Case, DocumentFile, DocumentRecord, GuidanceProvider, Office
from engine.models.case import bump_version, require_current_version
from engine.models.records import pending_approval
from engine.reads.access import require_case, require_case_and_round
from engine.reference import MEASURE_DOCUMENTS, NUMBERED_DOCUMENTS
from engine.rules import validate as v
from engine.rules.permissions import (
    CORRECTION_APPROVAL_REFUSED,
    CORRECTION_REQUEST_REFUSED,
    DELIVERY_REFUSED,
    OWN_REQUEST_DECISION,
    may_approve,
    may_approve_correction,
    may_deliver,
    may_issue,
    require,
    require_task_rights,
)
from engine.workflow.catalog import DRAFT_APPROVALS, TASK_DOCUMENTS
from engine.workflow.clock import clock
from engine.workflow.rounds import find_task, load_workflow, task_ref


def document_file(gl: GuardLoop, actor: Actor, document_id: int) -> tuple[DocumentRecord, bytes]:
    """The PDF of a document of a case the actor works on; the view is logged. A PDF not rendered yet is
    waited for (a worker rendering it) or rendered now (``rendering.RenderFailed`` if that fails)."""
    with gl.transaction() as session:
        doc = session.get(DocumentRecord, document_id)
        if doc is None:
            raise NotFound("文书不存在。", "No such document.")
        require_case(session, actor, doc.case_id)
        stored = session.get(DocumentFile, doc.id)
        audit.record(session, actor, "view_document", "document", doc.id, doc.case_id)
    if stored is not None:
        return doc, stored.pdf
    pdf = rendering.ensure_rendered(gl, doc.id)
    doc.sha256 = hashlib.sha256(pdf).hexdigest()   # as stored with it (the detached copy only)
    return doc, pdf


def draft_pdf(gl: GuardLoop, actor: Actor, case_id: int, task_id: str, data: dict) -> bytes:
    """The draft (草稿, no number) of the document a task will issue, from the form as typed."""
    with gl.reading() as session:
        case, rnd = require_case_and_round(session, actor, case_id)
        runtime, workflow = load_workflow(session, gl, rnd) if rnd is not None else (None, None)
        task = find_task(workflow, task_id) if rnd is not None else None
        spec = task.task_spec.name if task is not None else None
        if spec not in TASK_DOCUMENTS and spec not in DRAFT_APPROVALS:
            raise NotFound("该任务不制发文书。", "This task issues no document.")
        require_task_rights(actor, task_ref(runtime, task, case))
        office = office_of(session, actor.agency, case.district_id)
        referral = task.data.get("referral") or {}
        if spec in DRAFT_APPROVALS:  # the approver reads the draft as it was submitted
            draft = pending_approval(session, "order", referral_id=referral.get("id") or 0)
            if draft is None:
                raise NotFound("没有待审批的文书草稿。", "There is no draft waiting for approval.")
            doc_type, stored = draft.subject, dict(draft.payload)
        else:
            doc_type = TASK_DOCUMENTS[spec] or MEASURE_DOCUMENTS.get(referral.get("measure"))
            stored = _typed_draft(session, data)
        context = doc_context.context_for(session, case, doc_type, office, None, clock.now(), None, stored)
    pdf = gl.render(doc_type, context, draft=True)
    with gl.transaction() as session:  # a draft shows the child's data: the preview is an access like a view
        audit.record(session, actor, "preview_draft", "task", task.id, case.id, after={"type": doc_type})
    return pdf


def _typed_draft(session, data: dict) -> dict:
    """The form as typed, made printable (a provider id becomes its name; a date field that is not yet a
    date is left out)."""
    stored = {k: (x if isinstance(x, (str, int, bool)) else str(x)) for k, x in data.items()}
    if "provider_id" in data:
        provider = session.get(GuidanceProvider, v.integer(data, "provider_id", low=1, high=10**9,
                                                           required=False) or 0)
        stored["provider"] = provider.name if provider else ""
    return {k: x for k, x in stored.items() if not _is_date_field(k) or _is_date(x)}


def _is_date_field(name: str) -> bool:
    return name == "deadline" or name.endswith("_on")


def _is_date(value) -> bool:
    try:
        doc_context.cn_date(value)
        return True
    except (ValueError, TypeError):
        return False


CORRECTION_FIELDS = ("failings", "duties", "content")
CORRECTION_DUE_DAYS = 3


def correct_document(gl: GuardLoop, actor: Actor, document_id: int, data: dict) -> int:
    """Ask for a correction (更正) of an issued document: the officer states what changes and why; the
    corrected document is issued only when a head of department of the issuing agency approves it
    (``decide_correction``), as the original was. Returns the request's approval id."""
    with gl.transaction() as session:
        old = session.get(DocumentRecord, document_id)
        if old is None:
            raise NotFound("文书不存在。", "No such document.")
        case, _ = require_case_and_round(session, actor, old.case_id, for_update=True)  # the case first, always
        session.refresh(old, with_for_update=True)
        _correctable(old)
        require(may_issue(actor, old.issuing_agency, old.doc_type), CORRECTION_REQUEST_REFUSED)
        if pending_correction(session, old.id) is not None:
            raise Conflict("该文书已有待审批的更正申请。", "A correction of this document is already waiting for approval.")
        reason = v.text(data, "reason", max_len=2000)
        fields = {key: v.text(data, key, max_len=5000) for key in CORRECTION_FIELDS if key in old.fields}
        if all(fields[key] == old.fields[key] for key in fields):
            raise InvalidInput("reason", "更正内容与原文书相同。", "The correction changes nothing in the document.")
        now = clock.now()
        approval = Approval(case_id=case.id, round_id=old.round_id, kind="correction", subject=old.doc_type,
                            payload={"document_id": old.id, "number": old.number, "agency": old.issuing_agency,
                                     "fields": fields},
                            status="pending", request_reason=reason, requested_by=actor.id, requested_at=now)
        session.add(approval)
        session.flush()
        bump_version(session, case, now)
        audit.record(session, actor, "request_correction", "document", old.id, case.id, None,
                     {"approval": approval.id, "number": old.number, "reason": reason})
        return approval.id


def _correctable(doc: DocumentRecord) -> None:
    if doc.doc_type not in NUMBERED_DOCUMENTS:
        raise InvalidInput("document", "该类文书不通过更正制发。", "This kind of document is not corrected this way.")
    if doc.status != "issued":
        raise InvalidInput("document", "该文书已被更正，请更正最新的文书。", "Already superseded: correct the newest one.")


def pending_correction(session, document_id: int) -> Approval | None:
    return next((a for a in session.scalars(select(Approval).where(
        Approval.case_id == session.get(DocumentRecord, document_id).case_id, Approval.kind == "correction",
        Approval.status == "pending"))
        if (a.payload or {}).get("document_id") == document_id), None)


def pending_corrections(session, actor: Actor) -> list[tuple[Approval, Case]]:
    """Corrections waiting for a head of department of the actor's agency in the actor's district."""
    rows = session.execute(select(Approval, Case).join(Case, Case.id == Approval.case_id).where(
        Approval.kind == "correction", Approval.status == "pending",
        Case.district_id == actor.district_id).order_by(Approval.requested_at)).all()
    return [(a, c) for a, c in rows if (a.payload or {}).get("agency") == actor.agency]


def decide_correction(gl: GuardLoop, actor: Actor, approval_id: int, decision: str, reason: str,
                      expected_version: int) -> dict:
    """A head of department of the issuing agency approves (the corrected document is issued under a new
    number and supersedes the old one, both kept), returns or refuses (with the reason) a correction."""
    with gl.transaction() as session:
        approval = session.get(Approval, approval_id)
        if approval is None or approval.kind != "correction":
            raise NotFound("审批申请不存在。", "No such request.")
        case, _ = require_case_and_round(session, actor, approval.case_id, for_update=True)
        session.refresh(approval, with_for_update=True)
        require_current_version(case, expected_version)
        if approval.status != "pending":
            raise Conflict("该申请已被审批，请刷新后查看。", "This request was decided already; reload to see it.")
        require(may_approve_correction(actor, approval.payload.get("agency"), case.district_id),
                CORRECTION_APPROVAL_REFUSED)
        require(may_approve(actor, approval.requested_by), OWN_REQUEST_DECISION)
        if decision not in ("approved", "returned", "refused"):
            raise InvalidInput("decision", "请选择审批意见。", "Choose a decision.")
        reason = v.text({"reason": reason}, "reason", max_len=3000, required=decision != "approved")
        now = clock.now()
        approval.status, approval.decided_by, approval.decided_at = decision, actor.id, now
        approval.decision_reason = reason or None
        result: dict = {"decision": decision}
        if decision == "approved":
            old = session.get(DocumentRecord, approval.payload["document_id"], with_for_update=True)
            _correctable(old)
            stored = {**old.fields, **approval.payload["fields"], "correction_of": old.number,
                      "correction_reason": approval.request_reason}
            new = issue(session, gl, actor, case, old.round_id, old.doc_type, stored, supersedes=old)
            old.status = "superseded"
            audit.record(session, actor, "supersede_document", "document", old.id, case.id, {"status": "issued"},
                         {"status": "superseded", "by": new.number, "reason": approval.request_reason})
            result["document_id"] = new.id
        audit.record(session, actor, "decide_correction", "approval", approval.id, case.id, {"status": "pending"},
                     {"status": decision, "reason": reason})
        bump_version(session, case, now)
        result["case_version"] = case.version
        return result




def correction_to_deliver(doc: DocumentRecord, old: DocumentRecord | None) -> bool:
    """A correction issued after its original was delivered is served on its own (the order's delivery task
    is done); one issued before is delivered by that task, which serves the document in force."""
    return (doc.status == "issued" and doc.supersedes_id is not None and doc.delivered_on is None
            and old is not None and old.delivered_on is not None)


def deliver_correction(gl: GuardLoop, actor: Actor, document_id: int, data: dict, expected_version: int) -> dict:
    """送达 a corrected document: recorded as the order's own delivery is (method, date, recipient, place,
    signature, 代收人 or refusal and witness) by an officer of the issuing agency."""
    with gl.transaction() as session:
        doc = session.get(DocumentRecord, document_id)
        if doc is None:
            raise NotFound("文书不存在。", "No such document.")
        case, _ = require_case_and_round(session, actor, doc.case_id, for_update=True)
        require(may_deliver(actor, doc.issuing_agency), DELIVERY_REFUSED)
        require_current_version(case, expected_version)
        session.refresh(doc, with_for_update=True)
        old = session.get(DocumentRecord, doc.supersedes_id) if doc.supersedes_id else None
        if not correction_to_deliver(doc, old):
            raise InvalidInput("document", "该文书不需要在此送达（原文书尚未送达的，由送达任务一并送达更正后的文书）。",
                               "This document is not delivered here (before the original was delivered, the "
                               "delivery task serves the corrected one).")
        record = record_delivery(SimpleNamespace(data=data, actor=actor), doc)
        now = clock.now()
        bump_version(session, case, now)
        audit.record(session, actor, "deliver_document", "document", doc.id, case.id, None,
                     {"number": doc.number, "method": record["method"], "delivered_on": record["delivered_on"],
                      "signed": record["signed"]})
        return {"case_version": case.version}


def verify_document(gl: GuardLoop, code: str, pdf: bytes | None = None) -> dict | None:
    """What anyone holding a paper copy may learn: genuine or not, and a fingerprint of the content to
    compare with the paper (type, number, issuer, date, pages, deadline, the recipients' masked names),
    whether it was superseded; for an uploaded PDF, whether it is the very file issued and whether its
    digital signature is intact and trusted. No personal data beyond masked names."""
    code = (code or "").strip().upper()
    with gl.reading() as session:
        doc = session.scalars(select(DocumentRecord).where(DocumentRecord.verification_code == code)).first()
        if doc is None:
            return None
        office = session.get(Office, doc.office_id)
        newer = session.scalars(select(DocumentRecord).where(DocumentRecord.supersedes_id == doc.id)).first()
        served = session.get(DocumentRecord, doc.served_document_id) if doc.served_document_id else None
        result = {"title": doc.title, "doc_type": doc.doc_type, "number": doc.number, "issuer": office.name,
                  "issued_on": doc.issued_at, "superseded": doc.status == "superseded",
                  "superseded_by": newer.number if newer else None,
                  "serves": f"{served.title} {served.number or ''}".strip() if served else None,
                  "rendered": doc.sha256 is not None, "hash_match": None, "signature": None}
        stored = session.get(DocumentFile, doc.id) if doc.sha256 is not None else None
        if stored is not None:  # the pages and the masked recipients, from the file issued
            result.update(verification.fingerprint(doc, session.get(Case, doc.case_id), stored.pdf))
    if pdf is not None and doc.sha256 is not None:
        result["hash_match"] = hashlib.sha256(pdf).hexdigest() == doc.sha256
        result["signature"] = verification.signature(gl, pdf)
    return result


