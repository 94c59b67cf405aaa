"""From the caller's plain context to what the templates print (视图数据).

Nothing here produces markup: every string reaches the template as plain text and is escaped by the
Jinja environment's autoescape. The QR code is a ``data:`` URL (an attribute value, escaped too).
"""
import re
from functools import lru_cache

import segno

from documents import texts
from documents.types import DECISION_FORM_TITLE, DOCUMENT_TYPES, DocumentType

DRAFT_NUMBER = "（草稿，未编号）"
TYPE_AREA_PT = 156 / 25.4 * 72          # 版心宽 156 mm

_LEADING_NUMBER = re.compile(
    r"^\s*(?:\d{1,2}\s*[.、．)）]|[（(]\s*[一二三四五六七八九十\d]{1,3}\s*[)）]|[一二三四五六七八九十]{1,3}\s*、)\s*")
_DIGITS = "零一二三四五六七八九"


def cn_number(n) -> str:
    """1 → 一, 12 → 十二, 60 → 六十, 180 → 一百八十, 105 → 一百零五 (0 ≤ n < 10000); "" when not a number."""
    if isinstance(n, bool) or not isinstance(n, (int, str)) or not str(n).strip().isdigit():
        return ""
    n = int(n)
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + (_DIGITS[n % 10] if n % 10 else "")
    out, zero = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // value % 10
        if digit:
            out += ("零" if zero and out else "") + _DIGITS[digit] + unit
            zero = False
        elif out:
            zero = True
    return out


def cn_date_words(value) -> str:
    """"2026年6月27日" → "二〇二六年六月二十七日" (court decisions write dates in Chinese numerals)."""
    match = re.fullmatch(r"\s*(\d{4})年(\d{1,2})月(\d{1,2})日\s*", str(value or ""))
    if not match:
        return str(value or "")
    year = "".join("〇一二三四五六七八九"[int(d)] for d in match.group(1))
    return f"{year}年{cn_number(int(match.group(2)))}月{cn_number(int(match.group(3)))}日"


def days_words(days) -> str:
    """Days in words for orders: 60 → "六十日", 7 → "七日"; nothing when unknown."""
    if isinstance(days, bool) or not isinstance(days, (int, str)):
        return ""                       # missing (undefined) or not a number: nothing to print
    try:
        return f"{cn_number(int(days))}日" if int(days) > 0 else ""
    except ValueError:
        return ""


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


CODE_CLASSES = {"红": "red", "橙": "orange", "黄": "yellow", "蓝": "blue"}


def code_class(code) -> str:
    """橙码 → "orange" (a CSS class; anything unknown gets none)."""
    return CODE_CLASSES.get(str(code or "")[:1], "")


def header_size(issuer_name: str) -> float:
    """Font size of the red issuer line: 26 pt, smaller for long names so it stays on one line."""
    n = max(len(issuer_name or ""), 1)
    return round(min(26.0, TYPE_AREA_PT / (n * 1.06)), 2)


def self_reference(issuer: dict) -> str:
    """How the issuer names itself in the text: 本院, 本局, 本会 or 本单位."""
    if issuer.get("self"):
        return str(issuer["self"])
    name = str(issuer.get("name") or "")
    for ending, word in (("法院", "本院"), ("检察院", "本院"), ("分局", "本局"), ("公安局", "本局"), ("联合会", "本会")):
        if name.endswith(ending):
            return word
    return "本单位"


def addressed(context: dict) -> str:
    """你 or 你们, by the number of persons the document is addressed to."""
    if context.get("you") in ("你", "你们"):
        return context["you"]
    names = context.get("recipients") or [n for n in re.split("[、，,]", str(context.get("recipient") or "")) if n]
    return "你们" if len(names) > 1 else "你"


def title_for(doc: DocumentType, context: dict) -> str:
    if context.get("title"):
        return str(context["title"])
    issuer = context.get("issuer") or {}
    if doc.key == "guidance_order" and issuer.get("agency") not in (None, "", "court"):
        return DECISION_FORM_TITLE
    return doc.title


def guardians(context: dict) -> list[dict]:
    return [g for g in (context.get("guardians") or []) if isinstance(g, dict)]


def seal(issuer: dict) -> dict:
    """The office's electronic seal when it configured one (a data: URL of a PNG), else "（印）" only."""
    image = str(issuer.get("seal_image") or "")
    return {"image": image if image.startswith("data:image/png;base64,") else None}


def build(doc_type: str, context: dict, draft: bool) -> dict:
    doc = DOCUMENT_TYPES[doc_type]
    issuer = context.get("issuer") or {}
    fields = dict(context.get("fields") or {})
    basis = [str(b) for b in (context.get("legal_basis") or []) if str(b).strip()]
    number = None if draft else context.get("number")
    you, self_ref = addressed(context), self_reference(issuer)
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
        "jc": context.get("judicial_case") or None,
        "verify": verification(context),
        "seal": seal(issuer),
        "you": you,
        "we": self_ref,
        "date_words": cn_date_words(context.get("issued_on")),
        "say": lambda text: texts.fill(text, you, self_ref),
        "texts": texts,
    }


_CLOSING_PUNCTUATION = "。，、；：？！）》」』”’〕】…"
_UNITS = re.compile(r"&[#\w]+;|[^<>&\s]")


def keep_last_line(html: str) -> str:
    """Bind the last two characters of every paragraph (with the punctuation after them) so that no
    paragraph ends in a line of one character ("任。"). Works on escaped HTML: it only wraps text that is
    already escaped in a span of our own."""
    parts = html.split("</p>")
    return "</p>".join([_bind_tail(part) for part in parts[:-1]] + parts[-1:])


def _bind_tail(part: str) -> str:
    """``part`` ends where a paragraph ends: wrap its last characters (the run after the last tag)."""
    text_start = part.rfind(">") + 1
    match = re.search(r"\S+$", part[text_start:])
    if match is None:
        return part
    cut, run = text_start + match.start(), match.group()
    units = _UNITS.findall(run)
    if "".join(units) != run:
        return part                     # spaces or stray characters: leave the paragraph as it is
    keep, letters = 0, 0
    for unit in reversed(units):
        keep += 1
        if unit not in _CLOSING_PUNCTUATION:
            letters += 1
            if letters == 2:
                break
    if keep >= len(units) or letters < 2:
        return part
    return part[:cut] + "".join(units[:-keep]) + f'<span class="keep">{"".join(units[-keep:])}</span>'
