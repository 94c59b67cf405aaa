"""Plain-data contexts for the document templates (``documents`` takes dicts, never database rows).

``context_for`` builds everything a document prints from the case, the issuing office and what the task
stored (``stored``, the procedure's data contract: see documents/README.md); ``fields_for`` turns the
stored fields into the template's. Optional stored fields may be missing; a draft is previewed early.
"""
import base64

from sqlalchemy import select

from engine.issuing.document_fields import FIELD_BUILDERS, cn_date, code_name, visits  # noqa: F401  (re-exported)
from engine.issuing.legal_basis import bases_for
from engine.models import Agency, CaseAgency, District, Office
from engine.reads.external_refs import refs_by_agency
from engine.reference import CODE_CHANGE_KINDS, DOCUMENT_TYPES, JUDICIAL_STAGES, OUTCOMES, RELATIONS as _RELATIONS
from engine.rules.masking import mask_id

# documents are in Chinese: the Chinese side of the vocabularies
RELATIONS = {key: names[0] for key, names in _RELATIONS.items()}
CHANGE_KINDS = {key: names[0] for key, names in CODE_CHANGE_KINDS.items()}
ROUND_OUTCOMES = {"downgraded": "降级", "closed": "结案", "escalated": "多跨协同", "another_round": "再开一轮",
                  "upgraded": "因新情况升级", None: "进行中"}
# How an office refers to itself in its documents (本院决定…, 本局…).
SELF_REFERENCE = {"court": "本院", "procuratorate": "本院", "police": "本局", "womens_federation": "本会"}
REPORTS = ("assessment_report", "closure_report")


def child(case) -> dict:
    return {"name": case.child_name, "sex": "男" if case.child_sex == "M" else "女",
            "birth_date": cn_date(case.child_birth_date), "id_number": case.child_id_number or "",
            "school": case.child_school or "", "address": case.child_address or ""}


def guardians(case) -> list[dict]:
    return [{"name": g.name, "relation": RELATIONS.get(g.relation, g.relation), "id_number": g.id_number or "",
             "address": g.address or "", "is_guardian": g.is_guardian} for g in case.guardians]


def recipient_names(case, stored: dict | None = None) -> list[str]:
    """Who the document is addressed to: the recipients the task named, else the guardians."""
    named = [str(n) for n in (stored or {}).get("recipients") or [] if str(n).strip()]
    if named:
        return named
    return [g.name for g in case.guardians if g.is_guardian] or [g.name for g in case.guardians]


def recipient(case, stored: dict | None = None) -> str:
    return "、".join(recipient_names(case, stored)) or "监护人"


def judicial_case(stored: dict) -> dict | None:
    """The judicial case an order arises from, named by 案由 and 案号 (never the system's case number)."""
    jc = stored.get("judicial_case") or {}
    if not isinstance(jc, dict) or not (jc.get("cause") or jc.get("number")):
        return None
    return {"number": str(jc.get("number") or ""), "cause": str(jc.get("cause") or ""),
            "stage": "" if (jc.get("stage") or "none") == "none" else JUDICIAL_STAGES.get(jc["stage"], ("",))[0]}


def issuer(session, office: Office) -> dict:
    agency = session.get(Agency, office.agency_id)
    return {"name": office.name, "short": office.doc_prefix, "agency": agency.code,
            "self": SELF_REFERENCE.get(agency.code, "本单位"), "seal_image": seal_uri(office.seal_image)}


def seal_uri(image: bytes | None) -> str | None:
    """The office's electronic seal as a data: URL the renderer embeds (it fetches nothing else)."""
    return "data:image/png;base64," + base64.b64encode(image).decode() if image else None


def report_to(session, case, agency_code: str) -> str:
    """报送单位 of a report: the offices of the other agencies taking part in the case."""
    codes = session.scalars(select(CaseAgency.agency_code).where(CaseAgency.case_id == case.id,
                                                                 CaseAgency.agency_code != agency_code)).all()
    names = session.scalars(select(Office.name).join(Agency, Agency.id == Office.agency_id).where(
        Office.district_id == case.district_id, Agency.code.in_(codes), Office.acting_office_id.is_(None))
        .order_by(Agency.id)).all() if codes else []
    return "、".join(names)


def context_for(session, case, doc_type: str, office: Office, number, issued_on, verification,
                stored: dict) -> dict:
    """Everything the document prints: common keys and the type's fields."""
    stored = stored or {}
    district = session.get(District, case.district_id)
    who = issuer(session, office)
    names = recipient_names(case, stored)
    jc = judicial_case(stored)
    external = refs_by_agency(session, [case.id]).get(case.id, {})
    if jc is not None and not jc["number"] and external.get(who["agency"]):
        # the task named the judicial case without its 案号: the issuing agency's own, as recorded on the case
        jc = {**jc, "number": "、".join(external[who["agency"]])}
    context = {
        "doc_type": doc_type, "title": DOCUMENT_TYPES[doc_type][0], "issuer": who, "number": number,
        "issued_on": cn_date(issued_on),
        "legal_basis": bases_for(doc_type, district=district.code, case_type=case.case_type,
                                 stage=(stored.get("judicial_case") or {}).get("stage") or "", agency=who["agency"]),
        "case_no": case.case_no, "child": child(case), "guardians": guardians(case),
        "recipient": "、".join(names) or "监护人", "recipients": names, "you": "你们" if len(names) > 1 else "你",
        "judicial_case": jc, "external_refs": external, "verification": verification,
        "fields": fields_for(doc_type, stored),
    }
    if doc_type in REPORTS:
        context["recipient"] = stored.get("report_to") or report_to(session, case, who["agency"]) or "（存档）"
    return context


def fields_for(doc_type: str, stored: dict) -> dict:
    """Template fields from what the task recorded (dates as Chinese dates, codes as words)."""
    build = FIELD_BUILDERS.get(doc_type)
    return build(stored or {}) if build else dict(stored or {})


def closure(rounds, codes, sessions, visit_rows, documents, approval, approver_name, summary) -> dict:
    return {"rounds": [{"number": r.number, "code": code_name(r.risk_code), "outcome": ROUND_OUTCOMES.get(
                r.outcome, r.outcome or "")} for r in rounds],
            "code_history": [{"date": cn_date(c.decided_at), "code": code_name(c.code),
                              "kind": CHANGE_KINDS.get(c.kind, c.kind), "reason": c.reason} for c in codes],
            "sessions": len(sessions), "minutes": sum(s.minutes for s in sessions), "visits": len(visit_rows),
            "documents": [f"{d.title}（{d.number}）" if d.number else d.title for d in documents],
            "approval": {"by": approver_name, "on": cn_date(approval.decided_at) if approval else "",
                         "reason": approval.decision_reason or approval.request_reason if approval else ""},
            "summary": summary, "outcome": OUTCOMES["close"][0]}


__all__ = ["context_for", "fields_for", "cn_date", "mask_id", "visits", "closure", "recipient", "recipient_names"]
