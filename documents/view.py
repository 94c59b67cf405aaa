"""From the caller's plain context to what the templates print (视图数据).

Nothing here produces markup: every string reaches the template as plain text and is escaped by the
Jinja environment's autoescape. The QR code is a ``data:`` URL (an attribute value, escaped too).
"""
import math
import re
from functools import lru_cache

import segno

from . import texts
from .types import DECISION_FORM_TITLE, DOCUMENT_TYPES, DocumentType

DRAFT_NUMBER = "（草稿，未编号）"
TYPE_AREA_PT = 156 / 25.4 * 72          # 版心宽 156 mm
BODY_PT = 16                            # 3号

_LEADING_NUMBER = re.compile(
    r"^\s*(?:\d{1,2}\s*[.、．)）]|[（(]\s*[一二三四五六七八九十\d]{1,3}\s*[)）]|[一二三四五六七八九十]{1,3}\s*、)\s*")
_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """1 → 一, 12 → 十二, 21 → 二十一 (enough for list numbering up to 99)."""
    tens, ones = divmod(int(n), 10)
    if tens == 0:
        return _DIGITS[ones]
    head = "" if tens == 1 else _DIGITS[tens]
    return head + "十" + (_DIGITS[ones] if ones else "")


def paragraphs(value) -> list[str]:
    """Text (lines) or a list of strings → non-empty paragraphs."""
    if not value:
        return []
    lines = value if isinstance(value, (list, tuple)) else str(value).splitlines()
    return [str(line).strip() for line in lines if str(line).strip()]


def items(value) -> list[str]:
    """Like paragraphs, with any numbering the author typed ("1.", "一、", "（二）") removed."""
    return [_LEADING_NUMBER.sub("", p, count=1) or p for p in paragraphs(value)]


@lru_cache(maxsize=256)
def qr_data_uri(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=4, border=0, dark="#000")


def verification(context: dict):
    v = context.get("verification") or {}
    code, url = str(v.get("code") or ""), str(v.get("url") or "")
    if not url:
        return None
    # The page to visit without the code itself, so the line reads "访问 <site> 输入验证码 <code>".
    site = url[: -len(code)].rstrip("/") if code and url.endswith(code) else url
    site = site.removeprefix("https://").removeprefix("http://")
    return {"code": code, "url": url, "site": site, "qr": qr_data_uri(url)}


def seal_glyphs(text: str, size: float = 120.0) -> dict:
    """Characters of the issuer name on the upper arc of the seal placeholder (viewBox size×size)."""
    chars = [c for c in str(text or "") if not c.isspace()][:24]
    centre, radius, span = size / 2, size * 0.37, 225.0
    arc = math.radians(span) * radius
    font = min(14.0, 0.8 * arc / max(len(chars), 1))
    glyphs = []
    for i, char in enumerate(chars):
        angle = -span / 2 + span * (i + 0.5) / len(chars)
        rad = math.radians(angle)
        glyphs.append({
            "char": char,
            "x": round(centre + radius * math.sin(rad), 2),
            "y": round(centre - radius * math.cos(rad), 2),
            "angle": round(angle, 2),
        })
    star = []
    for k in range(10):
        r = size * (0.13 if k % 2 == 0 else 0.052)
        a = math.radians(k * 36)
        star.append(f"{centre + r * math.sin(a):.2f},{centre - 0.02 * size - r * math.cos(a):.2f}")
    return {"glyphs": glyphs, "font": round(font, 2), "baseline": round(font * 0.36, 2),
            "star": " ".join(star), "size": size}


CODE_CLASSES = {"红": "red", "橙": "orange", "黄": "yellow", "蓝": "blue"}


def code_class(code) -> str:
    """橙码 → "orange" (a CSS class; anything unknown gets none)."""
    return CODE_CLASSES.get(str(code or "")[:1], "")


def header_size(issuer_name: str) -> float:
    """Font size of the red issuer line: 26 pt, smaller for long names so it stays on one line."""
    n = max(len(issuer_name or ""), 1)
    return round(min(26.0, TYPE_AREA_PT / (n * 1.06)), 2)


def signature_width(name: str, date: str) -> float:
    """Width of the signature block: the longer of issuer name and date, in body characters."""
    return round(max(len(name), len(date), 8) * (BODY_PT - 0.21) + 1, 2)


def title_for(doc: DocumentType, context: dict) -> str:
    if context.get("title"):
        return str(context["title"])
    fields = context.get("fields") or {}
    if doc.key == "guidance_order" and fields.get("decision_form"):
        return DECISION_FORM_TITLE
    return doc.title


def guardians(context: dict) -> list[dict]:
    return [g for g in (context.get("guardians") or []) if isinstance(g, dict)]


def build(doc_type: str, context: dict, draft: bool) -> dict:
    doc = DOCUMENT_TYPES[doc_type]
    issuer = context.get("issuer") or {}
    fields = dict(context.get("fields") or {})
    basis = [str(b) for b in (context.get("legal_basis") or []) if str(b).strip()]
    number = None if draft else context.get("number")
    return {
        "c": context,
        "f": fields,
        # fields["items"] read as f.items / f["items"] in Jinja would fall back to dict.items on a miss
        "score_items": [i for i in (fields.get("items") or []) if isinstance(i, dict)],
        "doc": doc,
        "draft": draft,
        "title": title_for(doc, context),
        "number_line": DRAFT_NUMBER if draft else str(number or ""),
        "issuer_name": str(issuer.get("name") or ""),
        "header_pt": header_size(str(issuer.get("name") or "")),
        "basis": basis,
        "basis_text": "、".join(basis),
        "child": context.get("child") or {},
        "guardians": guardians(context),
        "verify": verification(context),
        "sig_pt": signature_width(str(issuer.get("name") or ""), str(context.get("issued_on") or "")),
        "seal": seal_glyphs(context.get("seal_text") or issuer.get("name") or ""),
        "texts": texts,
    }
