"""Exchange with the agencies' own systems beyond the API's clues (issue 18): the 案号 each judicial agency
gives a case in its own system, and the XLSX uploads of clues from districts without a system."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.base import Base


class CaseExternalRef(Base):
    """One case number (案号) an agency on the case (procuratorate, court, police) gives it in its own case
    system, e.g. 渝北检未立〔2026〕12号. Each agency records and edits its own; a case may have several."""

    __tablename__ = "case_external_ref"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"))
    agency_code: Mapped[str] = mapped_column(String(40))
    ref_no: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime]
    created_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))

    __table_args__ = (UniqueConstraint("case_id", "agency_code", "ref_no", name="uq_case_external_ref"),
                      Index("ix_case_external_ref_ref_no", "ref_no"))


class ClueImport(Base):
    """One upload of an XLSX sheet of clues: who, when, the file's SHA-256 and the per-row report (row
    number, status, clue number, field and message; nothing of the child)."""

    __tablename__ = "clue_import"
    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"))
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime]
    filename: Mapped[str] = mapped_column(String(200))
    file_hash: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(default=0)
    created: Mapped[int] = mapped_column(default=0)
    report: Mapped[list] = mapped_column(JSON, default=list)

    __table_args__ = (Index("ix_clue_import_district_hash", "district_id", "file_hash"),)
