"""The lock-out under a real race on PostgreSQL: 20 processes send a wrong password at the same instant
(a barrier), and exactly ``MAX_FAILURES`` passwords are checked before the account is locked."""
import multiprocessing as mp
from datetime import datetime

import pytest
from sqlalchemy import func, select

from engine.models import AuditEntry, User
from engine.services.accounts import MAX_FAILURES

pytestmark = pytest.mark.parametrize("database_url", [pytest.param("postgres", marks=pytest.mark.postgres)],
                                     indirect=True)
SPAWN = mp.get_context("spawn")
RACERS = 20


def _sign_in(url, now_iso, password, barrier, results):
    from engine import services
    from engine.rules import passwords
    from engine.workflow.clock import clock
    from engine.context import GuardLoop
    from engine.errors import PermissionDenied
    from engine.infra.settings import Settings

    passwords._N = 2**8  # the test's cost; the stored hash carries its own
    clock.set(datetime.fromisoformat(now_iso))
    gl = GuardLoop(Settings(database_url=url, demo_mode=True))
    with gl.reading() as session:
        session.scalar(select(func.count(User.id)))  # connect before the race
    barrier.wait(timeout=60)
    try:
        services.authenticate(gl, "police", password)
        results.put("signed_in")
    except PermissionDenied:
        results.put("refused")
    finally:
        gl.engine.dispose()


def _race(gl, database_url, clock, passwords):
    barrier, results = SPAWN.Barrier(len(passwords)), SPAWN.Queue()
    workers = [SPAWN.Process(target=_sign_in, args=(database_url, clock.now().isoformat(), p, barrier, results))
               for p in passwords]
    for w in workers:
        w.start()
    outcomes = [results.get(timeout=120) for _ in workers]
    for w in workers:
        w.join(timeout=60)
    return outcomes


def _audit_counts(gl):
    with gl.reading() as s:
        return dict(s.execute(select(AuditEntry.action, func.count(AuditEntry.id))
                              .where(AuditEntry.action.like("login%")).group_by(AuditEntry.action)).all())


def test_parallel_wrong_passwords_check_exactly_the_allowed_number_before_the_lock(gl, database_url, clock):
    outcomes = _race(gl, database_url, clock, ["wrong password"] * RACERS)
    assert outcomes == ["refused"] * RACERS
    counts = _audit_counts(gl)
    assert counts == {"login_failed": MAX_FAILURES, "login_locked": RACERS - MAX_FAILURES}
    with gl.reading() as s:
        user = s.scalars(select(User).where(User.username == "police")).one()
        assert user.locked_until is not None and user.failed_logins == MAX_FAILURES


def test_a_right_password_among_the_racers_leaves_the_row_consistent(gl, database_url, clock, demo_password):
    passwords = ["wrong password"] * (RACERS - 1) + [demo_password]
    outcomes = _race(gl, database_url, clock, passwords)
    counts = _audit_counts(gl)
    checked = counts.get("login_failed", 0) + counts.get("login", 0)
    if "signed_in" in outcomes:
        # the right password starts the count afresh: up to five attempts reserved before its reset (itself
        # among them) and up to five after it
        assert MAX_FAILURES <= checked <= 2 * MAX_FAILURES
    else:
        assert checked == MAX_FAILURES
    assert counts.get("login", 0) == outcomes.count("signed_in") <= 1
    with gl.reading() as s:
        user = s.scalars(select(User).where(User.username == "police")).one()
    if "signed_in" in outcomes:
        assert user.last_login_at is not None
    # never half-updated: either locked with the count used up, or open with attempts left
    assert (user.locked_until is not None) == (user.failed_logins >= MAX_FAILURES)
