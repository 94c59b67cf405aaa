"""Persistence: SQLAlchemy 2 mapped classes, one module per area."""
from .base import Base
from .org import Agency, District, GuidanceProvider, Office, User
from .case import Case, CaseAgency, Guardian, RiskClue
from .records import (
    Approval, Assessment, Chase, ComplianceCheck, DocumentFile, DocumentRecord, FollowupVisit, GuidancePlan,
    GuidanceSession, OrderSupervision, Referral, RenderJob, RiskCodeChange, TaskRecord,
)
from .workflow import ModelVersion, Round, WorkItem
from .audit import AuditEntry, AuditHead, AuditStaged, Counter
from .review import ReviewSample, RoundReview
from .notices import Notification, RateLimitWindow
from .api import ApiClient, ApiIdempotencyKey, ApiWebhookDelivery
from .casework import Attachment, CaseNote, CaseOwner
from .intake import CaseExternalRef, ClueImport
from .parent_school import (
    Attendance, Certificate, Course, CourseSession, Participant, PlanCourseRequirement, PublicLink, SurveyResponse,
)
from .services import (
    BaseActivity, BaseAnnualReport, BaseServiceArea, BaseStaff, EduActivity, EduOrganisation, PracticeBase,
    ScreeningEntry, ScreeningVisit,
)

__all__ = [
    "Base", "Agency", "District", "GuidanceProvider", "Office", "User", "DocumentFile", "Case", "CaseAgency", "Guardian", "RiskClue",
    "Approval", "Assessment", "Chase", "ComplianceCheck", "OrderSupervision", "Referral", "DocumentRecord", "FollowupVisit", "GuidancePlan", "GuidanceSession",
    "RenderJob", "RiskCodeChange", "TaskRecord", "ModelVersion", "Round", "WorkItem", "AuditEntry", "AuditHead", "AuditStaged", "Counter",
    "ReviewSample", "RoundReview", "Notification", "RateLimitWindow", "ApiClient", "ApiIdempotencyKey", "ApiWebhookDelivery", "Attachment", "CaseNote", "CaseOwner",
    "CaseExternalRef", "ClueImport",
    "Attendance", "Certificate", "Course", "CourseSession", "Participant", "PlanCourseRequirement", "PublicLink", "SurveyResponse",
    "BaseActivity", "BaseAnnualReport", "BaseServiceArea", "BaseStaff", "EduActivity", "EduOrganisation", "PracticeBase",
    "ScreeningEntry", "ScreeningVisit",
]
