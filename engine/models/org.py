"""Agencies, districts, users and guidance providers."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.models.base import Base


class Agency(Base):
    """One kind of agency (妇联, 检察院, 法院, 公安, 教委, 民政, 镇街); ``code`` names BPMN lanes."""

    __tablename__ = "agency"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_zh: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(120))
    doc_prefix: Mapped[str | None] = mapped_column(String(20))


class District(Base):
    """A district or county (区县)."""

    __tablename__ = "district"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name_zh: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(120))


class User(Base):
    """An account. ``username`` is stored normalised (NFKC, case-folded: ``engine.accounts_policy``), so
    ``Police`` and ``ＰＯＬＩＣＥ`` are the same name and the unique index sees it.

    ``session_generation`` is in every session cookie; raising it (sign-out, password change, disable,
    "sign out everywhere") ends every session of the account at its next request."""

    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"))
    active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    created_at: Mapped[datetime]
    session_generation: Mapped[int] = mapped_column(default=0)
    last_login_at: Mapped[datetime | None]
    must_change_password: Mapped[bool] = mapped_column(default=False)
    reset_token_hash: Mapped[str | None] = mapped_column(String(64))   # SHA-256 of a one-time reset link
    reset_token_expires: Mapped[datetime | None]
    demo: Mapped[bool] = mapped_column(default=False)   # created by ``init --demo-users``
    # the daily e-mail digest of unread notifications (``engine/services/digest.py``), when the user asks
    email: Mapped[str | None] = mapped_column(String(200))
    digest_opt_in: Mapped[bool] = mapped_column(default=False)
    digest_sent_at: Mapped[datetime | None]

    agency: Mapped[Agency] = relationship(lazy="joined")
    district: Mapped[District] = relationship(lazy="joined")


class GuidanceProvider(Base):
    """A family-education guidance provider (家庭教育指导服务实践基地 and guidance centres)."""

    __tablename__ = "guidance_provider"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("district.id"))


class Office(Base):
    """One agency in one district (重庆市江北区人民检察院): the issuer of documents.

    ``doc_prefix`` is the 机关代字 of its document numbers (江北检未〔2026〕3号), ``type_codes`` the code of
    each document type in them (督: 江北检未督〔2026〕3号) and ``number_format`` how they read; all are
    settings of each office (the offices page). ``acting_office_id`` names the office that acts for this
    district when it has none of its own (高新区's cases go to 沙坪坝区人民法院). ``seal_image`` is the
    office's electronic seal (PNG), printed only when configured; otherwise "（印）" marks the wet seal.
    """

    __tablename__ = "office"
    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"))
    name: Mapped[str] = mapped_column(String(120))
    doc_prefix: Mapped[str] = mapped_column(String(20))
    type_codes: Mapped[dict | None] = mapped_column(JSON)
    number_format: Mapped[str | None] = mapped_column(String(60))
    acting_office_id: Mapped[int | None] = mapped_column(ForeignKey("office.id"))
    seal_image: Mapped[bytes | None] = mapped_column(LargeBinary)

    __table_args__ = (UniqueConstraint("agency_id", "district_id"),)
