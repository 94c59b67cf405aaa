"""Persistence: SQLAlchemy 2 mapped classes, one module per area."""
from engine.models.api import ApiClient, ApiIdempotencyKey, ApiWebhookDelivery
from engine.models.audit import AuditEntry, AuditHead, AuditStaged, Counter
from engine.models.base import Base
from engine.models.case import Case, CaseAgency, Guardian, RiskClue
from engine.models.casework import Attachment, CaseNote, CaseOwner
from engine.models.intake import CaseExternalRef, ClueImport
from engine.models.notices import Notification, RateLimitWindow
from engine.models.org import Agency, District, GuidanceProvider, Office, User
from engine.models.parent_school import (
    Attendance,
    Certificate,
    Course,
    CourseSession,
    Participant,
    PlanCourseRequirement,
    PublicLink,
    SurveyResponse,
)
from engine.models.records import (
    Approval,
    Assessment,
    Chase,
    ComplianceCheck,
    DocumentFile,
    DocumentRecord,
    FollowupVisit,
    GuidancePlan,
    GuidanceSession,
    OrderSupervision,
    Referral,
    RenderJob,
    RiskCodeChange,
    TaskRecord,
)
from engine.models.review import ReviewSample, RoundReview
from engine.models.services import (
    BaseActivity,
    BaseAnnualReport,
    BaseServiceArea,
    BaseStaff,
    EduActivity,
    EduOrganisation,
    PracticeBase,
    ScreeningEntry,
    ScreeningVisit,
)
from engine.models.workflow import ModelVersion, Round, WorkItem

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
