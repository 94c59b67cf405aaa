"""Attachments on a case: photos, scanned letters and reports, the signed 送达回证 of a delivery.

Anyone whose agency is on the case may attach a file and open the case's files; every opening (the file
or its thumbnail) is an access entry. The file is checked by its content (``engine.infra.file_store.inspect``)
before anything is written; the bytes go to the content-addressed store only after the permission check,
the row and the audit entry in the same unit of work as ever. A file whose row then fails to commit stays
in the store unreferenced (it holds nothing a reader can reach without a row).
"""
import unicodedata

from sqlalchemy import select

from engine.actor import Actor
from engine.auditlog import record as audit
from engine.context import GuardLoop
from engine.errors import InvalidInput, NotFound
from engine.infra.file_store import ContentStore, inspect
from engine.models import Attachment, DocumentRecord
from engine.reads.access import require_case
from engine.rules import validate as v
from engine.workflow.clock import clock

FILENAME_MAX = 200
EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


def store(gl: GuardLoop) -> ContentStore:
    return ContentStore(gl.settings.attachment_dir)


def clean_filename(name: str | None, media_type: str) -> str:
    """The name the uploader's device gave, for display and download only: its last path part, without
    control or format characters, at most 200 characters, with the extension of what the file really is."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().strip(".")
    stem = name.rsplit(".", 1)[0] if "." in name else name
    extension = EXTENSIONS[media_type]
    return (stem[:FILENAME_MAX - len(extension)] or "attachment") + extension


def _subject(session, case_id: int, subject: str | None) -> str | None:
    """``document:<id>``: a document of this case (a delivery's signed receipt); or nothing."""
    subject = (subject or "").strip()
    if not subject:
        return None
    kind, _, number = subject.partition(":")
    if kind == "document" and number.isdigit() and len(number) < 10:
        document = session.get(DocumentRecord, int(number))
        if document is not None and document.case_id == case_id:
            return f"document:{document.id}"
    raise InvalidInput("subject", "所选文书不属于本个案。", "The chosen document is not one of this case's.")


def add_attachment(gl: GuardLoop, actor: Actor, case_id: int, data: bytes, filename: str | None, fields: dict) -> int:
    settings = gl.settings
    description = v.text(fields, "description", required=False, max_len=500) or None
    found = inspect(data, max_bytes=settings.attachment_max_bytes, max_pixels=settings.attachment_max_pixels)
    with gl.transaction() as session:
        case = require_case(session, actor, case_id)
        subject = _subject(session, case.id, fields.get("subject"))
        files = store(gl)
        sha256 = files.put(data)
        thumbnail = files.put(found.thumbnail) if found.thumbnail else None
        row = Attachment(case_id=case.id, subject=subject, sha256=sha256, size=len(data), media_type=found.media_type,
                         filename=clean_filename(filename, found.media_type), description=description,
                         pages=found.pages, width=found.width, height=found.height, thumbnail_sha256=thumbnail,
                         uploaded_by=actor.id, uploaded_agency=actor.agency, uploaded_at=clock.now())
        session.add(row)
        session.flush()
        audit.record(session, actor, "add_attachment", "attachment", row.id, case.id, None,
                     {"sha256": sha256, "size": len(data), "media_type": found.media_type, "subject": subject})
        return row.id


def case_for_upload(gl: GuardLoop, actor: Actor, case_id: int) -> tuple:
    """The case an upload form is about and its issued documents (a file may belong to one)."""
    with gl.reading() as session:
        case = require_case(session, actor, case_id)
        documents = session.scalars(select(DocumentRecord).where(DocumentRecord.case_id == case.id)
                                    .order_by(DocumentRecord.id)).all()
        return case, documents


def open_attachment(gl: GuardLoop, actor: Actor, attachment_id: int, *, thumbnail: bool = False) -> tuple[Attachment,
                    bytes]:
    """The attachment and its bytes (or its thumbnail's) for someone who may see its case; logged."""
    with gl.transaction() as session:
        row = session.get(Attachment, attachment_id)
        if row is None or (thumbnail and not row.thumbnail_sha256):
            raise NotFound("附件不存在。", "No such attachment.")
        require_case(session, actor, row.case_id)
        try:
            data = store(gl).read(row.thumbnail_sha256 if thumbnail else row.sha256)
        except (OSError, ValueError):
            raise NotFound("附件文件缺失或已损坏，请联系系统管理员。",
                           "The attachment's file is missing or damaged; ask your administrator.") from None
        audit.record(session, actor, "view_attachment", "attachment", row.id, row.case_id, None,
                     {"thumbnail": True} if thumbnail else None)
        session.expunge(row)
        return row, data
