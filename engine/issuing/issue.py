"""Issuing a document (制发文书): the issuing office, the number (gap-free, under a row lock), the verification
code, the snapshot its PDF is rendered from and the render queue — all in the caller's transaction."""
import secrets

from sqlalchemy import select

from engine.actor import Actor
from engine.auditlog import record as audit
from engine.context import GuardLoop
from engine.errors import NotConfigured
from engine.issuing import document_context as doc_context, rendering
from engine.issuing.numbering import document_number
from engine.models import Agency, Case, DocumentRecord, Office, User
from engine.reference import DOCUMENT_TYPES, NUMBERED_DOCUMENTS
from engine.workflow.clock import clock

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"   # no 0/O, 1/I/L: read off paper without doubt


def office_of(session, agency_code: str, district_id: int) -> Office:
    """The office that issues for this agency in this district (another district's, when it acts for it)."""
    office = session.scalars(select(Office).join(Agency, Agency.id == Office.agency_id).where(
        Agency.code == agency_code, Office.district_id == district_id)).one()
    return session.get(Office, office.acting_office_id) if office.acting_office_id else office


def _new_code(session) -> str:
    while True:
        raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
        code = f"{raw[:4]}-{raw[4:]}"
        if session.scalars(select(DocumentRecord.id).where(DocumentRecord.verification_code == code)).first() is None:
            return code


def issue(session, gl: GuardLoop, actor: Actor, case: Case, round_id, doc_type: str, stored: dict, *, supersedes=None,
          served: DocumentRecord | None = None) -> DocumentRecord:
    """Issue one document now: its number (allocated under a row lock, so numbers have no gaps and no
    duplicates even with several issuers at once), verification code, issuer, date and the snapshot its PDF
    will be rendered from are fixed here, and the PDF is queued; everything rolls back with the caller's
    transaction. No render runs in it: the rendering workers make the PDF after the commit."""
    if problem := gl.settings.verify_url_problem():  # never print a QR code that points at this machine
        raise NotConfigured(*problem)
    gl.check_renderer()
    office = office_of(session, actor.agency, case.district_id)
    now = clock.now()
    number = year = sequence = None
    if doc_type in NUMBERED_DOCUMENTS:
        number, year, sequence = document_number(session, office, actor.agency, doc_type, now)
    code = _new_code(session)
    verification = {"code": code, "url": f"{gl.settings.verify_base_url}/verify/{code}"}
    snapshot = audit.plain(doc_context.context_for(session, case, doc_type, office, number, now, verification, stored))
    doc = DocumentRecord(case_id=case.id, round_id=round_id, doc_type=doc_type, title=DOCUMENT_TYPES[doc_type][0],
                         issuing_agency=actor.agency, office_id=office.id, status="issued", number=number,
                         year=year, sequence=sequence, verification_code=code,
                         supersedes_id=supersedes.id if supersedes else None,
                         served_document_id=served.id if served else None, fields=audit.plain(stored),
                         snapshot=snapshot, snapshot_sha256=rendering.digest(snapshot),
                         issued_by=actor.id, issued_at=now)
    session.add(doc)
    session.flush()
    rendering.queue(session, doc.id)
    audit.record(session, actor, "issue_document", "document", doc.id, case.id, None,
                 {"type": doc_type, "number": number, "snapshot_sha256": doc.snapshot_sha256,
                  "supersedes": doc.supersedes_id})
    if doc_type in NUMBERED_DOCUMENTS:  # a 送达回证 for each person served, blank for hand filling
        for name in doc_context.recipient_names(case, stored):
            issue(session, gl, actor, case, round_id, "delivery_receipt", _blank_receipt(case, doc, stored, name),
                  served=doc)
    return doc


def _blank_receipt(case, doc, stored: dict, name: str) -> dict:
    address = next((g.address for g in case.guardians if g.name == name and g.address), "")
    return {"recipient": name, "served_title": doc.title, "served_number": doc.number, "copies": 1,
            "address": address, "judicial_case_number": (stored.get("judicial_case") or {}).get("number") or ""}


def issuer_name(session, user_id) -> str:
    user = session.get(User, user_id)
    return user.display_name if user else ""
