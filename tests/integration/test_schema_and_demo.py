"""The Alembic migrations build exactly the mapped schema; init is idempotent; the demo covers every path."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

from engine.infra.bootstrap import DEMO_USERS, init
from engine.demo.cases import seed_demo
from engine.models import (
    Approval, Base, Case, Chase, DocumentRecord, Guardian, Referral, RiskClue, RiskCodeChange, Round, User, WorkItem,
)
from engine.rules.passwords import check_password
from engine.reference import ROLES


def test_migrations_match_the_models(gl):
    from engine.infra.migrations.env_filters import include_object
    with gl.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": False, "include_object": include_object})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_init_is_idempotent_and_creates_every_role(gl, demo_password):
    assert init(gl) == []
    with gl.reading() as s:
        users = s.scalars(select(User)).all()
        assert len(users) == len(DEMO_USERS)
        assert {u.role for u in users} == set(ROLES)
        assert check_password(users[0].password_hash, demo_password)
        assert not check_password(users[0].password_hash, demo_password + "x")


def test_demo_covers_every_path(gl):
    created = seed_demo(gl)
    assert len(created) == 10 and seed_demo(gl) == []
    with gl.reading() as s:
        outcomes = set(s.scalars(select(Round.outcome).where(Round.outcome.is_not(None))))
        assert outcomes == {"downgraded", "closed", "escalated", "upgraded"}
        kinds = set(s.execute(select(RiskCodeChange.kind, RiskCodeChange.code)).all())
        assert {("downgrade", "yellow"), ("downgrade", "orange"), ("upgrade", "orange"), ("assessment", "watch")} <= kinds
        assert s.scalar(select(func.count(Case.id)).where(Case.status == "closed")) == 2   # blue, and watched
        docs = set(s.execute(select(DocumentRecord.doc_type, DocumentRecord.issuing_agency)).all())
        # every measure is issued by the agency that decides it
        assert {("supervision_order", "procuratorate"), ("guidance_order", "court"), ("reprimand", "procuratorate"),
                ("warning_letter", "police"), ("protection_order", "court"), ("objection_decision", "court"),
                ("revocation_support", "procuratorate"), ("followup_record", "education")} <= docs
        referrals = set(s.execute(select(Referral.measure, Referral.issuer, Referral.status, Referral.origin)).all())
        assert {("reprimand", "police", "declined", "proposal"), ("supervision_order", "procuratorate", "refused", "proposal"),
                ("guidance_order", "court", "delivered", "joint_meeting"),
                ("reprimand", "procuratorate", "delivered", "non_compliance"),
                ("temporary_care", "civil_affairs", "accepted", "proposal")} <= referrals
        routed = s.scalars(select(Chase).where(Chase.kind == "visit", Chase.to_agency == "procuratorate")).all()
        assert routed and all(c.late_agency == "womens_federation" and c.times >= 3 for c in routed)
        assert s.scalars(select(Chase).where(Chase.answered_at.is_not(None))).all(), "some chases are answered"
        guardians = set(s.execute(select(Guardian.kind, Guardian.status)).all())
        assert {("parent", "revoked"), ("parent", "suspended"), ("temporary", "active"), ("long_term", "active")} <= guardians
        approvals = set(s.execute(select(Approval.kind, Approval.subject, Approval.status)).all())
        assert {("order", "supervision_order", "approved"), ("order", "supervision_order", "returned"),
                ("order", "supervision_order", "refused"), ("order", "guidance_order", "pending"),
                ("escalation", None, "approved"), ("closure", None, "returned"), ("downgrade", None, "approved")} <= approvals
        waiting = s.scalars(select(WorkItem).where(WorkItem.task_spec == "approve_order")).one()
        assert waiting.lane == "court" and waiting.roles == ["supervisor"]
        report = s.scalars(select(RiskClue).where(RiskClue.mandatory_report.is_(True),
                                                  RiskClue.responded_at.is_not(None))).all()
        assert report and all(c.report_to == "police" for c in report)
        served = s.scalars(select(DocumentRecord).where(DocumentRecord.number.is_not(None))).all()
        assert served and all(d.delivered_on is not None for d in served), "every served document is delivered"
