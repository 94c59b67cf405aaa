"""The production set-up on PostgreSQL: an owner role migrates, the application connects as a role that
owns nothing. The application's role works (it registers, views, issues and chains), but it cannot
alter, drop or disable a trigger, switch triggers off for its session, or change the log or an issued
document around them."""
import re
import uuid

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from engine import services
from engine.auditlog.verify import verify
from engine.infra.bootstrap import init
from engine.context import GuardLoop
from engine.infra.db import make_engine
from engine.infra.db_roles import grant_app_role
from engine.models import AuditStaged, DocumentRecord
from engine.demo.scenario import Driver
from engine.infra.settings import Settings
from engine.infra.workers import chain_views

from .helpers import assess, new_case, order, propose

pytestmark = pytest.mark.postgres
REFUSED = "must be owner|permission denied|append-only|immutable"


@pytest.fixture
def roles(clock):
    """An owner and an application role (cluster-wide, so named uniquely), and a schema the owner owns."""
    from tests.conftest import PG_URL, REQUIRE_PG, _pg_admin, shared_extensions
    if not PG_URL:
        if REQUIRE_PG:
            pytest.fail("TEST_DATABASE_URL is required (GUARDLOOP_REQUIRE_POSTGRES=1)")
        pytest.skip("TEST_DATABASE_URL not set")
    tag = uuid.uuid4().hex[:10]
    owner, app, schema = f"gl_owner_{tag}", f"gl_app_{tag}", f"r_{tag}"
    admin = _pg_admin()
    shared_extensions(admin)
    with admin.connect() as conn:
        database = conn.execute(text("SELECT current_database()")).scalar()
        for role in (owner, app):
            conn.execute(text(f"CREATE ROLE {role} LOGIN"))
        conn.execute(text(f"GRANT CREATE ON DATABASE {database} TO {owner}"))   # pg_trgm is a trusted extension
        conn.execute(text(f"CREATE SCHEMA {schema} AUTHORIZATION {owner}"))
    base = PG_URL.split("://", 1)[1].split("@", 1)[1]
    urls = {name: f"postgresql://{role}@{base}?options=-csearch_path%3D{schema},public" for name, role in
            (("owner", owner), ("app", app))}
    try:
        yield urls, app
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
            conn.execute(text(f"REVOKE CREATE ON DATABASE {database} FROM {owner}"))
            for role in (app, owner):
                conn.execute(text(f"DROP OWNED BY {role}"))
                conn.execute(text(f"DROP ROLE {role}"))
        admin.dispose()


def _refused(engine, statement: str, params=None) -> str:
    with pytest.raises(DBAPIError) as caught:
        with engine.begin() as conn:
            conn.execute(text(statement), params or {})
    return str(caught.value.orig)


def test_the_application_role_works_but_cannot_touch_the_triggers_or_the_log(roles):
    urls, app_role = roles
    owner_gl = GuardLoop(Settings(database_url=urls["owner"], demo_mode=True), engine=make_engine(urls["owner"]))
    init(owner_gl, with_demo_users=True)
    grant_app_role(owner_gl.engine, app_role)
    owner_gl.engine.dispose()

    gl = GuardLoop(Settings(database_url=urls["app"], demo_mode=True), engine=make_engine(urls["app"]))
    driver = Driver(gl)
    try:
        case = new_case(driver, case_type="minor_victim")     # the application works as its own role
        assess(driver, case, 18, ["criminal_victim"])
        propose(driver, case, notify=False, supervision_order=True)
        order(driver, case, "supervision_order")
        services.view_case(gl, driver.actor("wf_caseworker"), case)
        with gl.reading() as s:
            staged = s.scalars(select(AuditStaged.id)).all()
            doc = s.scalars(select(DocumentRecord).where(DocumentRecord.doc_type == "supervision_order")).one()
        assert staged and chain_views(gl) >= len(staged)

        engine = gl.engine
        for statement in ("ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_append_only",
                          "ALTER TABLE audit_entry DISABLE TRIGGER ALL",
                          "DROP TRIGGER audit_entry_append_only ON audit_entry",
                          "ALTER TABLE document_record DISABLE TRIGGER document_record_immutable",
                          "DROP FUNCTION guardloop_document_guard() CASCADE",
                          "CREATE OR REPLACE FUNCTION guardloop_audit_append_only() RETURNS trigger AS "
                          "$$ BEGIN RETURN NEW; END $$ LANGUAGE plpgsql",
                          "SET session_replication_role = replica",
                          "UPDATE audit_entry SET action = 'x' WHERE id = 2",
                          "DELETE FROM audit_entry WHERE id = 2",
                          "TRUNCATE audit_entry",
                          "UPDATE audit_head SET keyed_from = 1000000",
                          "DELETE FROM document_file",
                          f"UPDATE document_record SET title = '撤销决定书' WHERE id = {doc.id}",
                          f"DELETE FROM document_record WHERE id = {doc.id}"):
            assert re.search(REFUSED, _refused(engine, statement)), statement
        with engine.begin() as conn:    # a view staged by the application may not be dropped before it is chained
            conn.execute(text("INSERT INTO audit_staged (at, action, entity) VALUES (now(), 'view_case', 'case')"))
        assert "append-only" in _refused(engine, "DELETE FROM audit_staged")
        assert verify(gl).ok
    finally:
        gl.engine.dispose()
