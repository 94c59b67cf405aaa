"""Access entries off the chain's lock, and a chain nobody can rewrite quietly: views are staged and chained
later, in order, still complete and tamper-evident; the chain is keyed; checkpoints kept outside the
database catch a cut or recomputed tail. On SQLite and on PostgreSQL."""
import json

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, text

from engine import services
from engine.auditlog.record import entry_hash
from engine.auditlog.verify import checkpoint_line, read_checkpoints, verify
from engine.models import AuditEntry, AuditHead, AuditStaged
from engine.infra.workers import chain_views

from .helpers import assess, new_case


def _counts(gl) -> tuple[int, int, int]:
    """(chained entries, staged entries, the head's id)."""
    with gl.reading() as s:
        return (s.scalar(select(func.count(AuditEntry.id))), s.scalar(select(func.count(AuditStaged.id))),
                s.get(AuditHead, 1).last_id)


def _by_hand(gl, *statements):
    """Around the triggers, as a superuser or someone with the database file could."""
    with gl.engine.begin() as conn:
        if gl.engine.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            for name in ("audit_entry_no_update", "audit_entry_no_delete"):
                conn.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
        for statement in statements:
            conn.execute(text(statement))


def test_a_view_is_staged_without_the_chain_and_chained_later_in_order(gl, driver):
    case = new_case(driver)
    chained, staged, head = _counts(gl)
    assert staged == 0 and chained == head
    services.view_case(gl, driver.actor("wf_caseworker"), case)
    services.view_case(gl, driver.actor("wf_caseworker"), case)
    assert _counts(gl) == (chained, 2, head)          # the chain and its head untouched
    assert chain_views(gl) == 2
    assert _counts(gl) == (chained + 2, 0, head + 2)
    with gl.reading() as s:
        views = s.scalars(select(AuditEntry).where(AuditEntry.action == "view_case").order_by(AuditEntry.id)).all()
    assert [v.id for v in views] == [head + 1, head + 2] and views[0].staged_id < views[1].staged_id
    services.view_case(gl, driver.actor("wf_caseworker"), case)   # staged again once the table was emptied:
    assert chain_views(gl) == 1                                    # a new id, never one already chained
    assert verify(gl).ok


def test_a_state_change_chains_the_waiting_views_before_its_own_entries(gl, driver):
    case = new_case(driver)
    services.view_case(gl, driver.actor("wf_caseworker"), case)
    _, _, head = _counts(gl)
    assess(driver, case, 5, [])
    with gl.reading() as s:
        after = s.scalars(select(AuditEntry.action).where(AuditEntry.id > head).order_by(AuditEntry.id)).all()
    assert after[0] == "view_case" and "complete_task" in after[1:]
    assert _counts(gl)[1] == 0 and verify(gl).ok


def test_the_database_keeps_staged_views_until_they_are_chained(gl, driver):
    case = new_case(driver)
    services.view_case(gl, driver.actor("wf_caseworker"), case)
    for statement in ("UPDATE audit_staged SET action = 'x'", "DELETE FROM audit_staged"):
        with pytest.raises(Exception, match="append-only"):
            with gl.engine.begin() as conn:
                conn.execute(text(statement))
    with pytest.raises(Exception, match="append-only"):
        with gl.engine.begin() as conn:
            conn.execute(text("UPDATE audit_head SET keyed_from = 100"))
    assert chain_views(gl) == 1 and _counts(gl)[1] == 0


def test_the_chain_is_keyed_a_wrong_key_fails_from_the_first_keyed_entry(gl, driver):
    new_case(driver)
    with gl.reading() as s:
        first = s.get(AuditEntry, 1)
        keyed_from = s.get(AuditHead, 1).keyed_from
    assert keyed_from == 1 and first.hash == entry_hash(first, gl.audit_key) != entry_hash(first)
    gl.audit_key = b"another key"
    problem = verify(gl).problems[0]
    assert (problem.entry_id, problem.kind) == (1, "altered")


def _cut_tail(gl, keep: int):
    with gl.reading() as s:
        last = s.get(AuditEntry, keep)
    _by_hand(gl, f"DELETE FROM audit_entry WHERE id > {keep}",
             f"UPDATE audit_head SET last_id = {last.id}, last_hash = '{last.hash}'")


def _recompute_from(gl, entry_id: int):
    """Edit one entry and recompute it and every entry after it with the key, head included: what someone
    with the database and the key could do. Nothing in the database alone shows it."""
    with gl.reading() as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.id >= entry_id).order_by(AuditEntry.id)).all()
        prev = s.get(AuditEntry, entry_id - 1).hash
    statements = []
    for row in rows:
        values = {c: getattr(row, c) for c in ("id", "at", "user_id", "action", "entity", "entity_id", "case_id",
                                               "before", "after")}
        if row.id == entry_id:
            values["action"] = "view_case"
        values["prev_hash"] = prev
        prev = entry_hash(values, gl.audit_key)
        statements.append(f"UPDATE audit_entry SET action = '{values['action']}', prev_hash = '{values['prev_hash']}', "
                          f"hash = '{prev}' WHERE id = {row.id}")
    _by_hand(gl, *statements, f"UPDATE audit_head SET last_hash = '{prev}'")


@pytest.mark.parametrize("tamper", ["cut", "recompute"])
def test_a_checkpoint_kept_outside_catches_what_the_database_alone_cannot(gl, driver, tamper):
    case = new_case(driver)
    assess(driver, case, 5, [])
    _, _, head = _counts(gl)
    with gl.reading() as s:
        entry = s.get(AuditEntry, head)
    checkpoints = read_checkpoints(checkpoint_line(entry.id, entry.hash, gl.audit_key))
    assert verify(gl, checkpoints=checkpoints).ok
    if tamper == "cut":
        _cut_tail(gl, head - 3)
    else:
        _recompute_from(gl, head - 3)
    assert verify(gl).ok                                # undetectable without the checkpoint …
    problem = verify(gl, checkpoints=checkpoints).problems[0]
    assert (problem.entry_id, problem.kind) == (head, {"cut": "truncated", "recompute": "rewritten"}[tamper])


def test_a_forged_checkpoint_line_is_named(gl, driver):
    new_case(driver)
    _, _, head = _counts(gl)
    line = json.loads(checkpoint_line(head, "f" * 64, gl.audit_key))
    line["hash"] = "0" * 64                              # edited after signing
    problems = verify(gl, checkpoints=read_checkpoints(json.dumps(line))).problems
    assert [p.kind for p in problems] == ["checkpoint", "rewritten"]
    with pytest.raises(ValueError, match="line 2"):
        read_checkpoints("12 abc\nnot a checkpoint")


def test_the_command_line_writes_checkpoints_and_verifies_against_them(gl, driver, database_url, tmp_path,
                                                                      monkeypatch):
    from web.cli import main
    case = new_case(driver)
    assess(driver, case, 5, [])
    services.view_case(gl, driver.actor("wf_caseworker"), case)
    monkeypatch.setenv("DATABASE_URL", database_url)
    heads = tmp_path / "heads.log"
    runner = CliRunner()
    written = runner.invoke(main, ["audit", "checkpoint", str(heads)])
    assert written.exit_code == 0, written.output
    assert _counts(gl)[1] == 0                           # staged views were chained first
    ok = runner.invoke(main, ["audit", "verify", "--head", str(heads)])
    assert ok.exit_code == 0 and "OK" in ok.output and "1 checkpoints compared" in ok.output
    _cut_tail(gl, _counts(gl)[2] - 2)
    assert runner.invoke(main, ["audit", "verify"]).exit_code == 0
    cut = runner.invoke(main, ["audit", "verify", "--head", str(heads)])
    assert cut.exit_code == 1 and "no longer in the chain" in cut.output
