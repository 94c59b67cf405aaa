"""Each document type's template fields from what its task stored (the procedure's data contract).

Dates become Chinese dates ("2026年6月27日"), codes become words; counts stay integers (the templates
write them out in words). Every optional field may be missing.
"""
from datetime import date, datetime

from engine.issuing.legal_basis import FAMILY_EDUCATION_CONSEQUENCE, family_education_duties
from engine.reference import ASSESSMENT_ITEMS, CODE_NAMES, DELIVERY_METHODS, RISK_FACTORS, SESSION_KINDS, VISIT_METHODS
from engine.workflow.clock import CHINA_TZ

OBJECTION_DAYS = 5       # 法发〔2023〕7号 and 反家庭暴力法 第三十一条: 复议 within five days


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


def _text(stored: dict, key: str) -> str:
    value = stored.get(key)
    return "" if value is None else str(value)


def _count(stored: dict, key: str, default=None):
    value = stored.get(key)
    try:
        return int(value) if value not in (None, "") else default
    except (TypeError, ValueError):
        return default


def _signers(stored: dict) -> dict:
    return {"approved_by": _text(stored, "approved_by"), "drafted_by": _text(stored, "drafted_by")}


def order(stored: dict) -> dict:
    """What every order has: the failings found, the duties, the deadline and the report duty."""
    return {"failings": _text(stored, "failings"), "duties": _text(stored, "duties"),
            "deadline": cn_date(stored.get("deadline")), "rigid": bool(stored.get("rigid")),
            "report_interval_days": _count(stored, "report_interval_days"), **_signers(stored)}


def court_signers(stored: dict) -> dict:
    return {"judge": _text(stored, "judge"), "clerk": _text(stored, "clerk"),
            "objection_days": _count(stored, "objection_days", OBJECTION_DAYS)}


def guidance_order(stored: dict) -> dict:
    """家庭教育指导令 (决定书): the plan's content, period and frequency, taken from the plan as numbers."""
    return {**order(stored), **court_signers(stored), "provider": _text(stored, "provider"),
            "content": _text(stored, "content"), "period_days": _count(stored, "period_days"),
            "sessions": _count(stored, "sessions"), "session_interval_days": _count(stored, "session_interval_days")}


def reprimand(stored: dict) -> dict:
    return {**order(stored), "reprimanded_on": cn_date(stored.get("reprimanded_on")),
            "reprimand_by": _text(stored, "reprimand_by"), "recorder": _text(stored, "recorder")}


def duty_notice(stored: dict) -> dict:
    return {"content": _text(stored, "content"), "notified_on": cn_date(stored.get("notified_on")),
            "statutory_duties": family_education_duties(), "consequence": FAMILY_EDUCATION_CONSEQUENCE}


def protection_order(stored: dict) -> dict:
    return {**order(stored), **court_signers(stored), "applicant": _text(stored, "applicant"),
            "period_days": _count(stored, "period_days")}


def objection_decision(stored: dict) -> dict:
    """复议决定书: the guardian's objection to a guidance order, and the court's decision on it."""
    return {**court_signers(stored), **_signers(stored), "served_number": _text(stored, "served_number"),
            "served_on": cn_date(stored.get("served_on")), "objected_on": cn_date(stored.get("objected_on")),
            "reasons": _text(stored, "reasons") or _text(stored, "failings"), "findings": _text(stored, "findings"),
            "upheld": stored.get("upheld", True) is not False}


def revocation_support(stored: dict) -> dict:
    """支持起诉意见书: the procuratorate supports a suit to revoke guardianship."""
    return {**order(stored), "court": _text(stored, "court"), "plaintiff": _text(stored, "plaintiff"),
            "claims": _text(stored, "claims") or _text(stored, "duties")}


def guidance_plan(stored: dict) -> dict:
    return {"provider": _text(stored, "provider"), "sessions_required": _count(stored, "sessions_required"),
            "min_minutes": _count(stored, "min_minutes"), "period_days": _count(stored, "period_days"),
            "goals": stored.get("goals") or "", "session_kinds": [v[0] for v in SESSION_KINDS.values()]}


def assessment_report(stored: dict) -> dict:
    scores = stored.get("scores") or {}
    return {"items": [{"label": ASSESSMENT_ITEMS[k][0], "score": scores.get(k, 0)} for k in ASSESSMENT_ITEMS],
            "total_score": sum(scores.values()), "code": code_name(stored.get("code")),
            "risk_factors": [RISK_FACTORS[f][0] for f in stored.get("risk_factors") or [] if f in RISK_FACTORS],
            "summary": _text(stored, "summary"), "assessed_on": cn_date(stored.get("assessed_on")),
            "assessor": _text(stored, "assessor")}


def delivery_receipt(stored: dict) -> dict:
    """送达回证: blank for hand filling until the delivery is recorded (``method`` and ``delivered_on``),
    then the record of it; a refusal or a proxy only when that is what was recorded."""
    method = stored.get("method")
    filled = bool(method and stored.get("delivered_on"))
    proxy, refusal = stored.get("proxy") or None, stored.get("refusal") or None
    return {"filled": filled, "recipient": _text(stored, "recipient"), "served_title": _text(stored, "served_title"),
            "served_number": _text(stored, "served_number"), "copies": _count(stored, "copies", 1),
            "judicial_case_number": _text(stored, "judicial_case_number"), "address": _text(stored, "address"),
            "method": DELIVERY_METHODS.get(method, ("",))[0] if filled else "",
            "methods": [v[0] for v in DELIVERY_METHODS.values()],
            "delivered_on": cn_date(stored.get("delivered_on")) if filled else "",
            "signed": bool(stored.get("signed")) and filled,
            "proxy": {"name": str(proxy.get("name") or ""), "reason": str(proxy.get("reason") or "")}
            if filled and isinstance(proxy, dict) else None,
            "refusal": {"reason": str(refusal.get("reason") or ""), "witness": str(refusal.get("witness") or "")}
            if filled and isinstance(refusal, dict) else None,
            "server": _text(stored, "server"), "filled_by": _text(stored, "filled_by"), "note": _text(stored, "note")}


def visits(rows) -> list[dict]:
    return [{"date": cn_date(v.visited_on), "method": VISIT_METHODS[v.method][0], "findings": v.findings,
             "orders_complied": "是" if v.orders_complied else "否"} for v in rows]


FIELD_BUILDERS = {
    "supervision_order": order, "warning_letter": order, "guidance_order": guidance_order,
    "reprimand": reprimand, "duty_notice": duty_notice, "protection_order": protection_order,
    "objection_decision": objection_decision, "revocation_support": revocation_support,
    "guidance_plan": guidance_plan, "assessment_report": assessment_report, "delivery_receipt": delivery_receipt,
}
