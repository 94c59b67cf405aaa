"""Offices (发文机关): their names, 机关代字, document type codes, number format and electronic seal.

Only an administrator changes them; every change is audited. Numbers already issued keep what they were.
"""
import hashlib
import re
from io import BytesIO

from PIL import Image, UnidentifiedImageError
from sqlalchemy import select

from engine.actor import Actor
from engine.auditlog import record as audit
from engine.context import GuardLoop
from engine.errors import InvalidInput, NotFound
from engine.issuing.numbering import china_year, default_type_code, format_number, number_format, type_code
from engine.models import Agency, District, Office
from engine.reference import NUMBERED_DOCUMENTS
from engine.rules import validate as v
from engine.rules.permissions import OFFICES_ADMIN_ONLY, may_set_up_offices, require
from engine.workflow.clock import clock

PLACEHOLDERS = {"prefix", "code", "year", "seq"}
MAX_SEAL_BYTES = 1024 * 1024


def require_admin(actor: Actor) -> None:
    require(may_set_up_offices(actor), OFFICES_ADMIN_ONLY)


def list_offices(gl: GuardLoop, actor: Actor, district_code: str) -> list[dict]:
    """The offices of one district, with how their next numbers will read."""
    require_admin(actor)
    with gl.reading() as session:
        rows = session.execute(select(Office, Agency.code).join(Agency, Agency.id == Office.agency_id)
                               .join(District, District.id == Office.district_id)
                               .where(District.code == district_code).order_by(Agency.id)).all()
        return [describe(session, office, agency) for office, agency in rows]


def describe(session, office: Office, agency: str) -> dict:
    acting = session.get(Office, office.acting_office_id) if office.acting_office_id else None
    year = china_year(clock.now())
    return {"id": office.id, "agency": agency, "name": office.name, "doc_prefix": office.doc_prefix,
            "number_format": number_format(office, agency), "has_seal": bool(office.seal_image),
            "acting": acting.name if acting else None, "acting_id": acting.id if acting else None,
            "type_codes": {t: type_code(office, agency, t) for t in NUMBERED_DOCUMENTS},
            "examples": {t: format_number(number_format(office, agency), office.doc_prefix,
                                          type_code(office, agency, t), year, 1) for t in NUMBERED_DOCUMENTS}}


def _office(session, office_id: int, lock: bool = False) -> Office:
    office = session.get(Office, office_id, with_for_update=lock)
    if office is None:
        raise NotFound("发文机关不存在。", "No such office.")
    return office


def get_office(gl: GuardLoop, actor: Actor, office_id: int) -> dict:
    require_admin(actor)
    with gl.reading() as session:
        office = _office(session, office_id)
        return describe(session, office, session.get(Agency, office.agency_id).code)


def update_office(gl: GuardLoop, actor: Actor, office_id: int, data: dict, seal_png: bytes | None = None) -> None:
    """Change an office's settings (set_office). ``seal_png`` replaces the electronic seal; ``remove_seal``
    removes it (documents then print "（印）" for the wet seal)."""
    require_admin(actor)
    with gl.transaction() as session:
        office = _office(session, office_id, lock=True)
        before = _settings(office)
        office.name = v.text(data, "name", max_len=120)
        office.doc_prefix = v.text(data, "doc_prefix", max_len=20)
        office.number_format = _format(data)
        office.type_codes = _type_codes(data, office.number_format, session.get(Agency, office.agency_id).code)
        if v.boolean(data, "remove_seal"):
            office.seal_image = None
        elif seal_png:
            office.seal_image = _seal(seal_png)
        audit.record(session, actor, "update_office", "office", office.id, None, before, _settings(office))


def _settings(office: Office) -> dict:
    return {"name": office.name, "doc_prefix": office.doc_prefix, "number_format": office.number_format,
            "type_codes": dict(office.type_codes or {}),
            "seal_sha256": hashlib.sha256(office.seal_image).hexdigest() if office.seal_image else None}


def _format(data: dict) -> str:
    fmt = v.text(data, "number_format", max_len=60)
    names = set(re.findall(r"{(\w*)}", fmt))
    if not {"year", "seq"} <= names or names - PLACEHOLDERS or re.search(r"{[^}]*[^\w}][^}]*}|{{|}}", fmt):
        raise InvalidInput("number_format", "文号格式须包含 {year} 和 {seq}，只能使用 {prefix}、{code}、{year}、{seq}。",
                           "The number format needs {year} and {seq} and may use only {prefix}, {code}, {year}, {seq}.")
    return fmt


def _type_codes(data: dict, fmt: str, agency: str) -> dict:
    """One code per numbered type (left empty: the default); two types may not read alike, or their numbers
    would collide."""
    if "{code}" not in fmt:
        raise InvalidInput("number_format", "文号格式须包含 {code}（文书类型代字），否则不同文书的文号会重复。",
                           "The number format needs {code} (the type code), or different types would share numbers.")
    codes = {t: v.text(data, f"code_{t}", required=False, max_len=10) or default_type_code(agency, t)
             for t in NUMBERED_DOCUMENTS}
    seen: dict[str, str] = {}
    for doc_type, code in codes.items():
        if code in seen:
            raise InvalidInput(f"code_{doc_type}", "两类文书的类型代字相同，文号会重复。",
                               "Two document types have the same code: their numbers would collide.")
        seen[code] = doc_type
    return codes


def _seal(png: bytes) -> bytes:
    if len(png) > MAX_SEAL_BYTES or not png.startswith(b"\x89PNG\r\n\x1a\n"):
        raise InvalidInput("seal", "电子印章须为不超过 1 MB 的 PNG 图片。", "The seal must be a PNG image of at most 1 MB.")
    try:
        with Image.open(BytesIO(png)) as image:
            image.verify()
            width, height = image.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise InvalidInput("seal", "无法读取该 PNG 图片。", "This PNG image cannot be read.") from None
    if not (100 <= width <= 3000 and 100 <= height <= 3000):
        raise InvalidInput("seal", "印章图片的宽和高应在 100 到 3000 像素之间。",
                           "The seal image must be 100 to 3000 pixels wide and high.")
    return png
