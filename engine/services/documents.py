"""Issuing documents (制发文书): number, render, hash, verification code and audit, in the caller's
transaction; reading them; correcting one by a superseding document; public verification (核验)."""
import hashlib
import secrets

from sqlalchemy import insert, select

from .. import audit, doc_context
from ..clock import clock
from ..errors import InvalidInput, NotFound, PermissionDenied
from ..models import Agency, Case, DocumentFile, DocumentRecord, Office, User
from ..numbering import next_value
from ..permissions import require_case, require_case_and_round, require_task_rights
from ..reference import DOCUMENT_TYPES, NUMBERED_DOCUMENTS
from ..rounds import find_task, load_workflow, task_ref
from .. import validate as v

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"   # no 0/O, 1/I/L: read off paper without doubt
ISSUING_ROLES = {"supervision_order": ("prosecutor",), "guidance_order": ("judge",)}
TASK_DOCUMENTS = {
    "issue_procuratorate_order": "supervision_order", "issue_rigid_procuratorate_order": "supervision_order",
    "issue_court_order": "guidance_order", "issue_rigid_court_order": "guidance_order",
    "reprimand_guardian": "reprimand", "notify_guardian": "duty_notice", "draft_guidance_plan": "guidance_plan",
}


def office_of(session, agency_code: str, district_id: int) -> Office:
    return session.scalars(select(Office).join(Agency, Agency.id == Office.agency_id).where(
        Agency.code == agency_code, Office.district_id == district_id)).one()


def _new_code(session) -> str:
    while True:
        raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
        code = f"{raw[:4]}-{raw[4:]}"
        if session.scalars(select(DocumentRecord.id).where(DocumentRecord.verification_code == code)).first() is None:
            return code


def issue(session, gl, actor, case: Case, round_id, doc_type: str, stored: dict, *, supersedes=None,
          served: DocumentRecord | None = None) -> DocumentRecord:
    """Issue one document now: the number is allocated under a row lock, so numbers have no gaps and no
    duplicates even with several issuers at once; everything rolls back with the caller's transaction."""
    office = office_of(session, actor.agency, case.district_id)
    now = clock.now()
    number = sequence = None
    if doc_type in NUMBERED_DOCUMENTS:
        sequence = next_value(session, f"doc:{office.id}:{now.year}")
        number = f"{office.doc_prefix}〔{now.year}〕{sequence}号"
    code = _new_code(session)
    verification = {"code": code, "url": f"{gl.settings.verify_base_url}/verify/{code}"}
    context = doc_context.base(case, doc_type, office, number, now, verification,
                               doc_context.fields_for(doc_type, stored))
    pdf = gl.render(doc_type, context)
    doc = DocumentRecord(case_id=case.id, round_id=round_id, doc_type=doc_type, title=DOCUMENT_TYPES[doc_type][0],
                         issuing_agency=actor.agency, office_id=office.id, status="issued", number=number,
                         year=now.year if number else None, sequence=sequence,
                         sha256=hashlib.sha256(pdf).hexdigest(), verification_code=code,
                         supersedes_id=supersedes.id if supersedes else None,
                         served_document_id=served.id if served else None, fields=audit.plain(stored),
                         issued_by=actor.id, issued_at=now)
    session.add(doc)
    session.flush()
    session.connection().execute(DocumentFile.__table__.insert(), [{"document_id": doc.id, "pdf": pdf, "size": len(pdf)}])
    audit.record(session, actor, "issue_document", "document", doc.id, case.id, None,
                 {"type": doc_type, "number": number, "sha256": doc.sha256, "supersedes": doc.supersedes_id})
    if doc_type in NUMBERED_DOCUMENTS:  # the 送达回证 goes out with every served document
        issue(session, gl, actor, case, round_id, "delivery_receipt",
              {"served_title": doc.title, "served_number": number, "recipient": doc_context.recipient(case),
               "address": case.child_address or ""}, served=doc)
    return doc


def document_file(gl, actor, document_id: int) -> tuple[DocumentRecord, bytes]:
    """The PDF of a document of a case the actor works on; the view is logged."""
    with gl.transaction() as session:
        doc = session.get(DocumentRecord, document_id)
        if doc is None:
            raise NotFound("文书不存在。", "No such document.")
        require_case(session, actor, doc.case_id)
        pdf = session.get(DocumentFile, doc.id).pdf
        audit.record(session, actor, "view_document", "document", doc.id, doc.case_id)
        return doc, pdf


def draft_pdf(gl, actor, case_id: int, task_id: str, data: dict) -> bytes:
    """The draft (草稿, no number) of the document a task will issue, from the form as typed."""
    from ..handlers.review import ORDER_APPROVALS
    from .approvals import pending_order_draft
    with gl.reading() as session:
        case, rnd = require_case_and_round(session, actor, case_id)
        task = find_task(load_workflow(session, gl, rnd)[1], task_id) if rnd is not None else None
        spec = task.task_spec.name if task is not None else None
        if spec not in TASK_DOCUMENTS and spec not in ORDER_APPROVALS:
            raise NotFound("该任务不制发文书。", "This task issues no document.")
        require_task_rights(actor, task_ref(task, case))
        office = office_of(session, actor.agency, case.district_id)
        if spec in ORDER_APPROVALS:  # the approver reads the draft as it was submitted
            doc_type = ORDER_APPROVALS[spec][0]
            draft = pending_order_draft(session, rnd.id, doc_type)
            if draft is None:
                raise NotFound("没有待审批的文书草稿。", "There is no draft waiting for approval.")
            stored = dict(draft.payload)
        else:
            doc_type = TASK_DOCUMENTS[spec]
            stored = _typed_draft(session, data)
        context = doc_context.base(case, doc_type, office, None, clock.now(), None,
                                   doc_context.fields_for(doc_type, stored))
    return gl.render(doc_type, context, draft=True)


def _typed_draft(session, data: dict) -> dict:
    """The form as typed, made printable (a provider id becomes its name; a deadline not yet a date is left
    out)."""
    stored = {k: (x if isinstance(x, (str, int, bool)) else str(x)) for k, x in data.items()}
    if "provider_id" in data:
        from ..models import GuidanceProvider
        provider = session.get(GuidanceProvider, v.integer(data, "provider_id", low=1, high=10**9,
                                                           required=False) or 0)
        stored["provider"] = provider.name if provider else ""
    return {k: x for k, x in stored.items() if k != "deadline" or _is_date(x)}


def _is_date(value) -> bool:
    try:
        doc_context.cn_date(value)
        return True
    except (ValueError, TypeError):
        return False


def correct_document(gl, actor, document_id: int, data: dict) -> int:
    """A correction (更正): a new document with a new number supersedes the old one; both are kept."""
    with gl.transaction() as session:
        old = session.get(DocumentRecord, document_id, with_for_update=True)
        if old is None:
            raise NotFound("文书不存在。", "No such document.")
        case = require_case(session, actor, old.case_id)
        if old.doc_type not in NUMBERED_DOCUMENTS:
            raise InvalidInput("document", "该类文书不通过更正制发。", "This kind of document is not corrected this way.")
        if old.status != "issued":
            raise InvalidInput("document", "该文书已被更正，请更正最新的文书。", "Already superseded: correct the newest one.")
        if actor.agency != old.issuing_agency or actor.role not in ISSUING_ROLES.get(
                old.doc_type, ("caseworker", "supervisor", "prosecutor", "judge")):
            raise PermissionDenied("只有制发机关的承办人员可以更正该文书。",
                                   "Only the issuing agency's officers may correct this document.")
        reason = v.text(data, "reason", max_len=2000)
        stored = dict(old.fields)
        for key in ("failings", "duties", "content"):
            if key in stored:
                stored[key] = v.text(data, key, max_len=5000)
        stored["correction_of"] = old.number
        stored["correction_reason"] = reason
        new = issue(session, gl, actor, case, old.round_id, old.doc_type, stored, supersedes=old)
        old.status = "superseded"
        audit.record(session, actor, "supersede_document", "document", old.id, case.id, {"status": "issued"},
                     {"status": "superseded", "by": new.number, "reason": reason})
        return new.id


def verify_document(gl, code: str, pdf: bytes | None = None) -> dict | None:
    """What anyone holding a paper copy may learn: genuine or not, type, number, issuer, date, whether
    it was superseded, and whether an uploaded PDF is the very file issued. No personal data."""
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
                  "hash_match": None}
    if pdf is not None:
        result["hash_match"] = hashlib.sha256(pdf).hexdigest() == doc.sha256
    return result


def issuer_name(session, user_id) -> str:
    user = session.get(User, user_id)
    return user.display_name if user else ""
