"""The audit log is a hash chain: ``audit verify`` names the first entry altered, deleted or inserted by
hand, on SQLite and on PostgreSQL; the database refuses changes to entries, on PostgreSQL also to a role
with every table privilege; writers in parallel never fork the chain."""
import pytest
from sqlalchemy import func, select, text

from engine import services
from engine.auditlog.verify import verify
from engine.models import AuditEntry, AuditHead
from engine.infra.workers import chain_views

from .helpers import assess, new_case


def _some_history(driver):
    case = new_case(driver)
    assess(driver, case, 5, [])
    services.view_case(driver.gl, driver.actor("wf_caseworker"), case)
    chain_views(driver.gl)   # the view was staged: a worker chains it
    return case


def _by_hand(gl, *statements):
    """Edit the database as someone with the file or a superuser would: around the append-only triggers."""
    with gl.engine.begin() as conn:
        if gl.engine.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL session_replication_role = replica"))  # triggers off (superuser)
        else:
            conn.execute(text("DROP TRIGGER IF EXISTS audit_entry_no_update"))
            conn.execute(text("DROP TRIGGER IF EXISTS audit_entry_no_delete"))
        for statement in statements:
            conn.execute(text(statement))


def test_an_honest_log_verifies_with_consecutive_ids(gl, driver):
    _some_history(driver)
    report = verify(gl)
    assert report.ok and report.checked > 10
    with gl.reading() as s:
        ids = s.scalars(select(AuditEntry.id).order_by(AuditEntry.id)).all()
        head = s.get(AuditHead, 1)
        last = s.get(AuditEntry, ids[-1])
    assert ids == list(range(1, len(ids) + 1))
    assert (head.last_id, head.last_hash) == (last.id, last.hash)
    with gl.reading() as s:
        assert {"view_case", "complete_task", "open_case"} <= set(s.scalars(select(AuditEntry.action)))


def test_an_edited_entry_is_named(gl, driver):
    _some_history(driver)
    _by_hand(gl, "UPDATE audit_entry SET action = 'view_case' WHERE id = 7")
    report = verify(gl)
    assert not report.ok
    assert (report.problems[0].entry_id, report.problems[0].kind) == (7, "altered")


def _forge(gl, entry_id: int, key) -> None:
    """Edit an entry and recompute its hash, with ``key`` (someone who has it) or without (``None``)."""
    from engine.auditlog.record import entry_hash
    with gl.reading() as s:
        row = s.get(AuditEntry, entry_id)
        forged = {c: getattr(row, c) for c in ("id", "at", "user_id", "action", "entity", "entity_id", "case_id",
                                               "before", "prev_hash")}
        forged["after"] = {"forged": True}
    _by_hand(gl, f"UPDATE audit_entry SET after = '{{\"forged\": true}}', hash = '{entry_hash(forged, key)}' "
                 f"WHERE id = {entry_id}")


def test_an_edit_that_recomputes_the_hash_without_the_key_is_named(gl, driver):
    _some_history(driver)
    _forge(gl, 5, None)   # plain SHA-256, as anyone with the database alone could compute
    first = verify(gl).problems[0]
    assert (first.entry_id, first.kind) == (5, "altered")


def test_an_edit_that_recomputes_the_hash_with_the_key_breaks_the_next_link(gl, driver):
    _some_history(driver)
    _forge(gl, 5, gl.audit_key)
    first = verify(gl).problems[0]
    assert (first.entry_id, first.kind) == (6, "unlinked")


def test_a_deleted_entry_is_named(gl, driver):
    _some_history(driver)
    _by_hand(gl, "DELETE FROM audit_entry WHERE id = 4")
    first = verify(gl).problems[0]
    assert (first.entry_id, first.kind) == (4, "deleted")


def test_a_deleted_tail_is_named(gl, driver):
    _some_history(driver)
    with gl.reading() as s:
        last = s.scalar(select(func.max(AuditEntry.id)))
    _by_hand(gl, f"DELETE FROM audit_entry WHERE id >= {last - 1}")
    first = verify(gl).problems[0]
    assert (first.entry_id, first.kind) == (last - 1, "truncated")


def test_an_inserted_entry_is_named(gl, driver):
    _some_history(driver)
    with gl.reading() as s:
        last = s.get(AuditEntry, s.scalar(select(func.max(AuditEntry.id))))
    _by_hand(gl, "INSERT INTO audit_entry (id, at, action, entity, prev_hash, hash) "
                 f"VALUES ({last.id + 1}, '2026-03-02 01:00:00', 'login', 'user', '{last.hash}', '{'a' * 64}')")
    first = verify(gl).problems[0]
    assert (first.entry_id, first.kind) == (last.id + 1, "inserted")


def test_the_database_refuses_to_change_or_delete_an_entry(gl, driver):
    _some_history(driver)
    for statement in ("UPDATE audit_entry SET action = 'x' WHERE id = 2", "DELETE FROM audit_entry WHERE id = 2"):
        with pytest.raises(Exception, match="append-only"):
            with gl.engine.begin() as conn:
                conn.execute(text(statement))
    assert verify(gl).ok


@pytest.mark.parametrize("database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
def test_on_postgresql_the_apps_role_cannot_change_or_delete_audit_rows(gl, driver, database_url):
    """A role with every privilege on every table, as an application role would have, still cannot
    update, delete or truncate the log, nor switch the trigger off (only the owner or a superuser can)."""
    _some_history(driver)
    role = "guardloop_app_audit_test"
    with gl.engine.begin() as conn:
        schema = conn.execute(text("SELECT current_schema()")).scalar()
        conn.execute(text(f"DROP ROLE IF EXISTS {role}"))
        conn.execute(text(f"CREATE ROLE {role} NOLOGIN"))
        conn.execute(text(f'GRANT USAGE ON SCHEMA "{schema}" TO {role}'))
        conn.execute(text(f'GRANT ALL PRIVILEGES ON ALL TABLES IN SCHEMA "{schema}" TO {role}'))
    try:
        for statement in ("UPDATE audit_entry SET action = 'x' WHERE id = 2", "DELETE FROM audit_entry WHERE id = 2",
                          "TRUNCATE audit_entry", "ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_append_only",
                          "DELETE FROM audit_head"):
            with pytest.raises(Exception, match="append-only|must be owner|permission denied"):
                with gl.engine.begin() as conn:
                    conn.execute(text(f"SET LOCAL ROLE {role}"))
                    conn.execute(text(statement))
        with gl.engine.begin() as conn:  # appending stays allowed: that is how the app writes
            conn.execute(text(f"SET LOCAL ROLE {role}"))
            assert conn.execute(text("SELECT count(*) FROM audit_entry")).scalar() > 0
    finally:
        with gl.engine.begin() as conn:
            conn.execute(text(f'REVOKE ALL PRIVILEGES ON ALL TABLES IN SCHEMA "{schema}" FROM {role}'))
            conn.execute(text(f'REVOKE USAGE ON SCHEMA "{schema}" FROM {role}'))
            conn.execute(text(f"DROP ROLE {role}"))
    assert verify(gl).ok
