"""The Alembic migrations build exactly the mapped schema; init is idempotent; the demo covers every path."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

from engine.bootstrap import DEMO_USERS, init
from engine.demo import seed_demo
from engine.models import Approval, Base, Case, DocumentRecord, RiskCodeChange, Round, User, WorkItem
from engine.passwords import check_password
from engine.reference import ROLES


def test_migrations_match_the_models(gl):
    from engine.migrations.env_filters import include_object
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
    assert len(created) == 9 and seed_demo(gl) == []
    with gl.reading() as s:
        outcomes = set(s.scalars(select(Round.outcome).where(Round.outcome.is_not(None))))
        assert outcomes == {"downgraded", "closed", "escalated", "upgraded"}
        kinds = set(s.execute(select(RiskCodeChange.kind, RiskCodeChange.code)).all())
        assert {("downgrade", "yellow"), ("downgrade", "blue"), ("upgrade", "orange")} <= kinds
        assert s.scalar(select(func.count(Case.id)).where(Case.status == "closed")) == 2
        docs = set(s.execute(select(DocumentRecord.doc_type, DocumentRecord.issuing_agency)).all())
        assert {("supervision_order", "procuratorate"), ("guidance_order", "court"), ("reprimand", "police")} <= docs
        overdue = s.scalars(select(WorkItem).where(WorkItem.task_spec == "chase_overdue_visit")).all()
        assert [w.lane for w in overdue] == ["procuratorate"]
        red = s.scalars(select(Case).where(Case.current_code == "red")).one()
        assert s.scalar(select(func.count(Round.id)).where(Round.case_id == red.id)) == 2
        approvals = set(s.execute(select(Approval.kind, Approval.subject, Approval.status)).all())
        assert {("order", "supervision_order", "approved"), ("order", "guidance_order", "returned"),
                ("order", "guidance_order", "approved"), ("escalation", None, "approved"),
                ("closure", None, "returned"), ("order", "supervision_order", "pending")} <= approvals
        waiting = s.scalars(select(WorkItem).where(WorkItem.task_spec == "approve_procuratorate_order")).one()
        assert waiting.lane == "procuratorate" and waiting.roles == ["supervisor"]
        served = s.scalars(select(DocumentRecord).where(DocumentRecord.number.is_not(None))).all()
        assert served and all(d.delivered_on is not None for d in served), "every served document is delivered"
