"""Casework records kept beside the procedure: notes and the contact log, attachments; and the indexes the
case list reads along."""
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.base import Base
from engine.models.case import Case
from engine.models.records import TaskRecord
from engine.models.workflow import WorkItem


class CaseNote(Base):
    """A note or an entry of the contact log (联系记录): what happened on a day, of a kind, with whom.

    The author may edit it for a short while after writing it (``Settings.note_edit_minutes``); after that
    it is fixed, and a correction is a new note that names the one it corrects (``corrects_id``).
    ``version`` guards each edit (optimistic locking)."""

    __tablename__ = "case_note"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"))
    occurred_on: Mapped[date]
    kind: Mapped[str] = mapped_column(String(20))
    participants: Mapped[str | None] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    author_agency: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime]
    edited_at: Mapped[datetime | None]
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("case_note.id"))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (Index("ix_case_note_case", "case_id", "occurred_on"),)


class Attachment(Base):
    """A file attached to a case (a photo, a scanned letter, the signed 送达回证 of a delivery): its bytes are
    in the content-addressed store (``engine.infra.file_store``) under their SHA-256, the row keeps what it is.
    ``subject``: what it belongs to beyond the case (``document:12``), or None for the case itself."""

    __tablename__ = "attachment"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"))
    subject: Mapped[str | None] = mapped_column(String(40))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int]
    media_type: Mapped[str] = mapped_column(String(40))
    filename: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(String(500))
    pages: Mapped[int | None]          # a PDF's page count
    width: Mapped[int | None]          # an image's pixels
    height: Mapped[int | None]
    thumbnail_sha256: Mapped[str | None] = mapped_column(String(64))
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    uploaded_agency: Mapped[str] = mapped_column(String(40))
    uploaded_at: Mapped[datetime]

    __table_args__ = (Index("ix_attachment_case", "case_id", "uploaded_at"),)


class CaseOwner(Base):
    """The owner (承办人) of a case in one agency on it: assigned, and handed over, by the agency's supervisor
    with a reason (the audit trail keeps every change). ``version`` guards each handover."""

    __tablename__ = "case_owner"
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), primary_key=True)
    agency_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    assigned_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    assigned_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (Index("ix_case_owner_user", "user_id", "case_id"),)   # "my cases"


# The case list (engine/services/case_list.py): a page of a district's cases in the order chosen, the cases
# a user worked on or holds, the cases with open work in a step.
Index("ix_case_district_status_updated", Case.district_id, Case.status, Case.updated_at)
Index("ix_case_district_status_opened", Case.district_id, Case.status, Case.opened_at)
Index("ix_case_district_status_case_no", Case.district_id, Case.status, Case.case_no)
Index("ix_task_record_completed_by", TaskRecord.completed_by, TaskRecord.case_id)
Index("ix_work_item_assignee", WorkItem.assignee_id, WorkItem.case_id)
Index("ix_work_item_district_step", WorkItem.district_id, WorkItem.step, WorkItem.case_id)
