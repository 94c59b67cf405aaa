"""The case file (卷宗): one PDF of a case's whole record, made on demand for a hand-over, a court or an
archive, by those who work on the case.

The record is read in one short read-only unit of work (no row is locked: nothing here waits for, or
holds up, anyone working on the case); the issued documents' PDFs are then fetched (a document whose PDF
is not made yet is rendered as its download would be) and the file is rendered with no transaction open:
rendering takes seconds. The generation is audited (``case_file``, with the pages and the file's hash) in
a second short unit of work before the file is handed out. The file prints the child's data in full, as
the case page shows it to the same user: it is a document for those on the case only.
"""
import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from documents import case_file as case_file_pdf
from engine.actor import Actor
from engine.auditlog import record as audit
from engine.context import GuardLoop
from engine.issuing import rendering
from engine.issuing.document_context import CHANGE_KINDS, cn_date, code_name
from engine.models import (
    Approval,
    Assessment,
    Attachment,
    CaseAgency,
    CaseNote,
    CaseOwner,
    District,
    DocumentFile,
    DocumentRecord,
    FollowupVisit,
    GuidancePlan,
    GuidanceProvider,
    GuidanceSession,
    Referral,
    RiskClue,
    RiskCodeChange,
    Round,
    RoundReview,
    User,
)
from engine.reads.access import require_case
from engine.reference import (
    AGENCIES,
    ASSESSMENT_ITEMS,
    CASE_TYPES,
    CLUE_SOURCES,
    FAMILY_TYPES,
    GUARDIAN_RELATIONS,
    GUARDIANSHIP_KINDS,
    REFERRAL_KINDS,
    REFERRAL_STATUSES,
    RISK_FACTORS,
    ROUND_OUTCOMES,
    SESSION_KINDS,
    VISIT_KINDS,
    VISIT_METHODS,
)
from engine.rules.permissions import require_casework
from engine.services.notes import NOTE_KINDS
from engine.workflow.clock import CHINA_TZ, clock

log = logging.getLogger(__name__)

APPROVAL_KINDS = {"downgrade": "降级审批", "closure": "结案审批", "escalation": "提请多跨协同",
                  "order": "文书审批", "correction": "文书更正审批"}
APPROVAL_STATUSES = {"pending": "待审批", "approved": "同意", "returned": "退回", "refused": "不予批准"}
REVIEW_STATUSES = {"signed_off": "闭环审核通过", "returned": "闭环审核退回"}
ROUND_STATUSES = {"running": "进行中", "completed": "已完成", "ended": "已结束", "quarantined": "暂停（待技术处理）"}
ASSESSMENT_KINDS = {"initial": "初次评估", "reassessment": "复评"}
RELATION_NAMES = {key: names[0] for key, names in GUARDIAN_RELATIONS.items()}
GUARDIAN_STATUSES = {"active": "", "suspended": "中止监护", "revoked": "撤销监护", "ended": "不再监护"}
DOCUMENT_STATUSES = {"superseded": "已被更正文书取代"}


@dataclass
class CaseFilePdf:
    case_no: str
    pdf: bytes
    pages: int
    sha256: str
    toc: list


def _label(table: dict, key) -> str:
    value = table.get(key)
    if value is None:
        return "" if key is None else str(key)
    return value[0] if isinstance(value, tuple) else value


def _when(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        local = value.astimezone(CHINA_TZ)
        return f"{cn_date(local)} {local:%H:%M}"
    return cn_date(value)


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n / 1024 / 1024:.1f} MB"


def _by_round(rows, round_ids) -> dict:
    out = {rid: [] for rid in round_ids}
    for row in rows:
        out.setdefault(getattr(row, "round_id", None), []).append(row)
    return out


def _read(session, actor: Actor, case_id: int) -> tuple[dict, list[int]]:
    """The file's plain context (without the documents' PDFs) and the ids of the documents to append."""
    case = require_case(session, actor, case_id)
    of_case = lambda model, *order: session.scalars(  # noqa: E731
        select(model).where(model.case_id == case.id).order_by(*(order or (model.id,)))).all()
    rounds = of_case(Round, Round.number)
    codes = of_case(RiskCodeChange, RiskCodeChange.decided_at, RiskCodeChange.id)
    assessments = of_case(Assessment, Assessment.assessed_at, Assessment.id)
    referrals = of_case(Referral, Referral.proposed_at, Referral.id)
    plans = of_case(GuidancePlan)
    sessions = of_case(GuidanceSession, GuidanceSession.held_on, GuidanceSession.id)
    visits = of_case(FollowupVisit, FollowupVisit.visited_on, FollowupVisit.id)
    approvals = of_case(Approval, Approval.requested_at, Approval.id)
    reviews = of_case(RoundReview, RoundReview.reviewed_at, RoundReview.id)
    notes = of_case(CaseNote, CaseNote.occurred_on, CaseNote.id)
    attachments = of_case(Attachment, Attachment.uploaded_at, Attachment.id)
    documents = of_case(DocumentRecord, DocumentRecord.issued_at, DocumentRecord.id)
    owners = of_case(CaseOwner, CaseOwner.agency_code)
    agencies = sorted(session.scalars(select(CaseAgency.agency_code).where(CaseAgency.case_id == case.id)),
                      key=lambda a: list(AGENCIES).index(a) if a in AGENCIES else 99)
    clue = session.scalars(select(RiskClue).where(RiskClue.case_id == case.id)).first()
    district = session.get(District, case.district_id)
    people = {getattr(row, key) for rows in (codes, assessments, referrals, sessions, visits, approvals, reviews,
                                             notes, attachments, owners)
              for row in rows for key in ("decided_by", "requested_by", "assessed_by", "proposed_by", "recorded_by",
                                          "reviewed_by", "author_id", "uploaded_by", "user_id")
              if getattr(row, key, None)} | {actor.id}
    names = dict(session.execute(select(User.id, User.display_name).where(User.id.in_(people))).all())
    providers = dict(session.execute(select(GuidanceProvider.id, GuidanceProvider.name).where(
        GuidanceProvider.id.in_({p.provider_id for p in plans}))).all())
    who = lambda uid: names.get(uid, "")  # noqa: E731
    agency = lambda code: f"{district.name_zh}{_label(AGENCIES, code)}"  # noqa: E731
    numbers = {d.id: d.number for d in documents}
    note_numbers = {n.id: i for i, n in enumerate(notes, start=1)}

    ids = [r.id for r in rounds]
    per = {name: _by_round(rows, ids) for name, rows in (
        ("assessments", assessments), ("referrals", referrals), ("plans", plans), ("sessions", sessions),
        ("visits", visits), ("approvals", approvals), ("reviews", reviews))}
    round_rows = []
    for r in rounds:
        review_rows = [{"at": a.requested_at, "date": _when(a.requested_at), "what": _label(APPROVAL_KINDS, a.kind)
                        + (f"（{code_name(a.from_code)}→{code_name(a.to_code)}）"
                           if a.from_code and a.to_code and a.from_code != a.to_code else ""),
                        "request": f"{who(a.requested_by)}：{a.request_reason}",
                        "result": _label(APPROVAL_STATUSES, a.status) + (
                            f"（{who(a.decided_by)}，{_when(a.decided_at)}）" if a.decided_by else "")
                        + (f"：{a.decision_reason}" if a.decision_reason else "")}
                       for a in per["approvals"][r.id]]
        review_rows += [{"at": x.reviewed_at, "date": _when(x.reviewed_at), "what": "闭环审核",
                         "request": "",
                         "result": f"{_label(REVIEW_STATUSES, x.status)}（{who(x.reviewed_by)}）"
                         + (f"：{x.note}" if x.note else "")} for x in per["reviews"][r.id]]
        review_rows.sort(key=lambda x: x["at"])
        round_rows.append({
            "number": r.number, "started": cn_date(r.started_at), "ended": cn_date(r.ended_at) if r.ended_at else None,
            "status": _label(ROUND_STATUSES, r.status), "outcome": _label(ROUND_OUTCOMES, r.outcome),
            "code": code_name(r.risk_code) if r.risk_code else "",
            "assessments": [{"date": cn_date(a.assessed_at), "kind": _label(ASSESSMENT_KINDS, a.kind),
                             "total": a.total_score, "code": code_name(a.decided_code) if a.decided_code else "",
                             "items": [{"label": _label(ASSESSMENT_ITEMS, k), "score": s}
                                       for k, s in (a.item_scores or {}).items()],
                             "factors": [_label(RISK_FACTORS, f) for f in a.risk_factors or []],
                             "summary": a.summary, "by": who(a.assessed_by)} for a in per["assessments"][r.id]],
            "handling": [{"date": cn_date(x.proposed_at), "measure": _label(REFERRAL_KINDS, x.measure),
                          "issuer": agency(x.issuer), "status": _label(REFERRAL_STATUSES, x.status),
                          "reason": f"{agency(x.proposer)}（{who(x.proposed_by)}）：{x.reason}" if x.reason else
                          f"{agency(x.proposer)}（{who(x.proposed_by)}）",
                          "decision": "；".join(p for p in (x.decision_reason, x.findings,
                                                            numbers.get(x.document_id)) if p)}
                         for x in per["referrals"][r.id]],
            "plans": [{"provider": providers.get(p.provider_id, ""), "period_days": p.period_days,
                       "sessions_required": p.sessions_required, "min_minutes": p.min_minutes, "goals": p.goals}
                      for p in per["plans"][r.id]],
            "sessions": [{"date": cn_date(s.held_on), "kind": _label(SESSION_KINDS, s.kind), "minutes": s.minutes,
                          "attended": s.guardian_attended, "notes": s.notes, "by": who(s.recorded_by)}
                         for s in per["sessions"][r.id]],
            "visits": [{"date": cn_date(x.visited_on), "kind": _label(VISIT_KINDS, x.kind),
                        "method": _label(VISIT_METHODS, x.method), "findings": x.findings,
                        "complied": x.orders_complied, "incident": x.new_incident, "by": who(x.recorded_by)}
                       for x in per["visits"][r.id]],
            "reviews": review_rows,
        })

    files = documents
    context = {
        "case_no": case.case_no, "district": district.name_zh,
        "agencies": [agency(a) for a in agencies], "case_type": _label(CASE_TYPES, case.case_type),
        "opened_on": cn_date(case.opened_at), "closed_on": cn_date(case.closed_at) if case.closed_at else None,
        "current_code": code_name(case.current_code) if case.current_code else "",
        "child": {"name": case.child_name, "sex": "男" if case.child_sex == "M" else "女",
                  "birth_date": cn_date(case.child_birth_date), "id_number": case.child_id_number or "",
                  "school": case.child_school or "", "address": case.child_address or ""},
        "guardians": [{"name": g.name, "relation": RELATION_NAMES.get(g.relation, g.relation),
                       "is_guardian": g.is_guardian,
                       "status": "，".join(p for p in (_label(GUARDIANSHIP_KINDS, g.kind) if g.kind != "parent" else "",
                                                      _label(GUARDIAN_STATUSES, g.status)) if p), "phone": g.phone or "",
                       "address": g.address or ""} for g in case.guardians],
        "family_types": [_label(FAMILY_TYPES, f) for f in case.family_types or []],
        "risk_factors": [_label(RISK_FACTORS, f) for f in case.risk_factors or []],
        "linked_case_no": case.linked_case_no or "",
        "clue": (f"{clue.clue_no}，{_label(CLUE_SOURCES, clue.source)}{clue.reporter_name}"
                 f"于{cn_date(clue.received_at)}报告") if clue else "",
        "owners": [{"agency": agency(o.agency_code), "name": who(o.user_id), "date": cn_date(o.assigned_at)}
                   for o in owners],
        "code_history": [{"date": cn_date(h.decided_at), "code": code_name(h.code),
                          "previous": code_name(h.previous_code) if h.previous_code else None,
                          "kind": CHANGE_KINDS.get(h.kind, h.kind), "reason": h.reason, "by": who(h.decided_by)}
                         for h in codes],
        "rounds": round_rows,
        "notes": [{"date": cn_date(n.occurred_on), "kind": _label(NOTE_KINDS, n.kind), "participants": n.participants or "",
                   "body": n.body, "by": f"{who(n.author_id)}（{agency(n.author_agency)}）",
                   "corrects": f"第{note_numbers[n.corrects_id]}条记录" if n.corrects_id in note_numbers else None}
                  for n in notes],
        "attachments": [{"name": a.filename, "kind": a.media_type.split("/")[-1].upper().replace("JPEG", "JPEG 图片")
                         .replace("PNG", "PNG 图片") + (f"，{a.pages}页" if a.pages else "")
                         + (f"，{a.width}×{a.height}像素" if a.width else ""),
                         "subject": (f"附于{numbers.get(int(a.subject.partition(':')[2])) or '文书'}"
                                     if (a.subject or "").startswith("document:") else ""),
                         "size": _size(a.size), "sha256": a.sha256, "date": cn_date(a.uploaded_at),
                         "by": f"{who(a.uploaded_by)}（{agency(a.uploaded_agency)}）"} for a in attachments],
        "documents": [{"id": d.id, "title": _document_title(d, numbers) if d.doc_type == "delivery_receipt"
                       else d.title, "toc_title": _document_title(d, numbers), "number": d.number,
                       "issued_on": cn_date(d.issued_at), "note": DOCUMENT_STATUSES.get(d.status, "")}
                      for d in files],
        "generated_by": f"{agency(actor.agency)} {who(actor.id)}",
        "generated_on": _when(clock.now()),
    }
    return context, [d.id for d in files]


def _document_title(doc: DocumentRecord, numbers: dict) -> str:
    """How the table of contents names a document: its title and number; a receipt, whom and what it serves."""
    if doc.doc_type == "delivery_receipt":
        served = numbers.get(doc.served_document_id) or (doc.fields or {}).get("served_title") or ""
        recipient = (doc.fields or {}).get("recipient") or ""
        return f"{doc.title}（{'，'.join(p for p in (served, recipient) if p)}）" if served or recipient else doc.title
    return doc.title + (f"（{doc.number}）" if doc.number else "")


def _document_pdfs(session, ids: list[int]) -> dict[int, bytes]:
    """The stored PDFs of these documents (one query; they are read, not locked)."""
    if not ids:
        return {}
    return dict(session.execute(select(DocumentFile.document_id, DocumentFile.pdf)
                                .where(DocumentFile.document_id.in_(ids))).all())


def _is_pdf(data: bytes | None) -> bool:
    return bool(data) and data[:5] == b"%PDF-"


def case_file(gl: GuardLoop, actor: Actor, case_id: int) -> CaseFilePdf:
    """The case file of a case the actor works on, as one PDF; its generation is audited."""

    require_casework(actor)
    with gl.reading() as session:
        context, ids = _read(session, actor, case_id)
        stored = _document_pdfs(session, ids)
    for doc in context["documents"]:
        pdf = stored.get(doc["id"])
        if pdf is None:   # issued, its PDF not made yet: made now, as a download of it would
            try:
                pdf = rendering.ensure_rendered(gl, doc["id"])
            except Exception as exc:  # noqa: BLE001  (a missing PDF is listed as missing, the file still made)
                log.warning("case file %s: document %s has no PDF: %s", case_id, doc["id"], exc)
                pdf = None
        if not _is_pdf(pdf):
            pdf = None
            doc["note"] = "；".join(p for p in (doc.get("note"), "PDF 暂未生成，未附") if p)
        doc["pdf"] = pdf
    made = case_file_pdf.render_case_file(context)
    sha256 = hashlib.sha256(made.pdf).hexdigest()
    with gl.transaction() as session:
        require_case(session, actor, case_id)      # still on the case when it is handed out
        audit.record(session, actor, "case_file", "case", case_id, case_id, None,
                     {"pages": made.pages, "sha256": sha256,
                      "documents": [d["id"] for d in context["documents"] if d["pdf"] is not None]})
    return CaseFilePdf(case_no=context["case_no"], pdf=made.pdf, pages=made.pages, sha256=sha256, toc=made.toc)
