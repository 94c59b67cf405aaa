"""Agencies, districts, users and guidance providers."""
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base


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

    ``doc_prefix`` is the 机关代字 of its document numbers (江北检未〔2026〕3号), a setting of each office.
    """

    __tablename__ = "office"
    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"))
    name: Mapped[str] = mapped_column(String(120))
    doc_prefix: Mapped[str] = mapped_column(String(20))

    __table_args__ = (UniqueConstraint("agency_id", "district_id"),)
