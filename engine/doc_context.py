"""Plain-data contexts for the document templates (``documents`` takes dicts, never database rows)."""
from datetime import date, datetime

from .clock import CHINA_TZ
from .masking import mask_id
from .reference import (
    ASSESSMENT_ITEMS, CODE_NAMES, DELIVERY_METHODS, DOCUMENT_TYPES, LEGAL_BASIS, OUTCOMES, RISK_FACTORS,
    SESSION_KINDS, VISIT_METHODS,
)

RELATIONS = {"father": "父亲", "mother": "母亲", "grandparent": "祖父母/外祖父母", "relative": "其他亲属", "other": "其他"}
CHANGE_KINDS = {"assessment": "评估赋码", "downgrade": "降级", "upgrade": "升级"}
ROUND_OUTCOMES = {"downgraded": "降级", "closed": "结案", "escalated": "多跨协同", "another_round": "再开一轮",
                  "upgraded": "因新情况升级", None: "进行中"}


def cn_date(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        value = value.astimezone(CHINA_TZ).date()
    return f"{value.year}年{value.month}月{value.day}日"


def code_name(code) -> str:
    return CODE_NAMES.get(code, ("未赋码",))[0]


def child(case) -> dict:
    return {"name": case.child_name, "sex": "男" if case.child_sex == "M" else "女",
            "birth_date": cn_date(case.child_birth_date), "id_number": case.child_id_number or "",
            "school": case.child_school or "", "address": case.child_address or ""}


def guardians(case) -> list[dict]:
    return [{"name": g.name, "relation": RELATIONS.get(g.relation, g.relation), "id_number": g.id_number or "",
             "address": g.address or "", "is_guardian": g.is_guardian} for g in case.guardians]


def recipient(case) -> str:
    names = [g.name for g in case.guardians if g.is_guardian] or [g.name for g in case.guardians]
    return "、".join(names) or "监护人"


def base(case, doc_type: str, office, number, issued_on, verification, fields: dict) -> dict:
    return {
        "doc_type": doc_type, "title": DOCUMENT_TYPES[doc_type][0],
        "issuer": {"name": office.name, "short": office.doc_prefix}, "seal_text": office.name,
        "number": number, "issued_on": cn_date(issued_on), "legal_basis": list(LEGAL_BASIS.get(doc_type, [])),
        "case_no": case.case_no, "child": child(case), "guardians": guardians(case), "recipient": recipient(case),
        "verification": verification, "fields": fields,
    }


def order_fields(stored: dict, provider_name: str | None = None) -> dict:
    fields = {"failings": stored.get("failings", ""), "duties": stored.get("duties", ""),
              "deadline": cn_date(stored.get("deadline")), "rigid": bool(stored.get("rigid"))}
    if provider_name is not None or "sessions" in stored:
        fields.update(provider=provider_name or stored.get("provider", ""), sessions=stored.get("sessions", ""),
                      period="六个月", decision_form=False)
    return fields


def fields_for(doc_type: str, stored: dict) -> dict:
    """Template fields from what the task recorded (dates as Chinese dates, codes as words)."""
    if doc_type in ("supervision_order", "guidance_order"):
        return order_fields(stored, stored.get("provider"))
    if doc_type == "reprimand":
        return {"failings": stored.get("failings", ""), "reprimanded_on": cn_date(stored.get("reprimanded_on"))}
    if doc_type == "duty_notice":
        return {"content": stored.get("content", ""), "notified_on": cn_date(stored.get("notified_on"))}
    if doc_type == "guidance_plan":
        return {"provider": stored.get("provider", ""), "sessions_required": stored.get("sessions_required"),
                "min_minutes": stored.get("min_minutes"), "period_days": stored.get("period_days"),
                "goals": stored.get("goals", ""), "session_kinds": [v[0] for v in SESSION_KINDS.values()]}
    if doc_type == "assessment_report":
        scores = stored.get("scores", {})
        return {"items": [{"label": ASSESSMENT_ITEMS[k][0], "score": scores.get(k, 0)} for k in ASSESSMENT_ITEMS],
                "total_score": sum(scores.values()), "code": code_name(stored.get("code")),
                "risk_factors": [RISK_FACTORS[f][0] for f in stored.get("risk_factors", []) if f in RISK_FACTORS],
                "summary": stored.get("summary", ""), "assessed_on": cn_date(stored.get("assessed_on")),
                "assessor": stored.get("assessor", "")}
    if doc_type == "delivery_receipt":
        return {"served_title": stored.get("served_title", ""), "served_number": stored.get("served_number", ""),
                "recipient": stored.get("recipient", ""), "method": DELIVERY_METHODS.get(
                    stored.get("method"), ("",))[0], "delivered_on": cn_date(stored.get("delivered_on")),
                "signed": stored.get("signed"), "deliverer": stored.get("deliverer", ""),
                "address": stored.get("address", "")}
    return dict(stored)


def visits(rows) -> list[dict]:
    return [{"date": cn_date(v.visited_on), "method": VISIT_METHODS[v.method][0], "findings": v.findings,
             "orders_complied": "是" if v.orders_complied else "否"} for v in rows]


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


__all__ = ["base", "fields_for", "cn_date", "mask_id", "visits", "closure"]
