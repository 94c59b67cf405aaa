"""Persistence: SQLAlchemy 2 mapped classes, one module per area."""
from .base import Base
from .org import Agency, District, GuidanceProvider, Office, User
from .case import Case, CaseAgency, Guardian, RiskClue
from .records import (
    Approval, Assessment, DocumentFile, DocumentRecord, FollowupVisit, GuidancePlan, GuidanceSession, RiskCodeChange,
    TaskRecord,
)
from .workflow import ModelVersion, Round, WorkItem
from .audit import AuditEntry, AuditHead, Counter
from .review import ReviewSample, RoundReview

__all__ = [
    "Base", "Agency", "District", "GuidanceProvider", "Office", "User", "DocumentFile", "Case", "CaseAgency", "Guardian", "RiskClue",
    "Approval", "Assessment", "DocumentRecord", "FollowupVisit", "GuidancePlan", "GuidanceSession",
    "RiskCodeChange", "TaskRecord", "ModelVersion", "Round", "WorkItem", "AuditEntry", "AuditHead", "Counter", "ReviewSample", "RoundReview",
]
