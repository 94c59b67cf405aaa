"""Viewers and completers of one case at once, in separate processes on PostgreSQL: no deadlock, no stall.

A completion holds the case's row lock to its commit, and every audited request takes the audit chain's
lock at its commit. If the completion's lock blocked the foreign-key check of a viewer's audit insert
(``FOR UPDATE`` does, ``FOR NO KEY UPDATE`` does not), the viewer would hold the chain's lock while waiting
for the case, and the completion would wait for the chain: a deadlock that PostgreSQL breaks only after
``deadlock_timeout`` (1 s), while every audited request of every worker queues behind it.

Each child runs with ``lock_timeout`` just under that second, so any lock wait that long fails the child
with an error, and a deadlock (reported as a ``Conflict`` caused by "deadlock detected") is counted apart
from the expected conflicts of two completers on one version.
"""
import multiprocessing as mp
import os
import queue as queue_module
import time
import traceback
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from engine import services
from engine.models import AuditEntry, GuidanceSession

from .helpers import assess, new_case, notify, plan

pytestmark = pytest.mark.parametrize("database_url", [pytest.param("postgres", marks=pytest.mark.postgres)],
                                     indirect=True)

SPAWN = mp.get_context("spawn")
LOCK_TIMEOUT_MS = 800      # below PostgreSQL's default deadlock_timeout of 1 s: a stall fails, not waits
DURATION = 8.0             # seconds every child keeps going
VIEWERS, COMPLETERS = 3, 2


def _with_lock_timeout(url: str) -> str:
    return url.replace("options=", f"options=-clock_timeout%3D{LOCK_TIMEOUT_MS}%20", 1)


def _context(url: str, now_iso: str):
    from engine.workflow.clock import clock
    from engine.context import GuardLoop
    from engine.infra.settings import Settings

    clock.set(datetime.fromisoformat(now_iso))
    return GuardLoop(Settings(database_url=_with_lock_timeout(url)))


def _is_deadlock(exc) -> bool:
    cause = exc.__cause__
    return cause is not None and "deadlock" in str(getattr(cause, "orig", cause)).lower()


def _child(role, url, now_iso, username, case_id, barrier, results):
    """Views the case (``role == "viewer"``) or records guidance sessions in it, for ``DURATION`` seconds."""
    name = f"{role}@{os.getpid()}"
    try:
        from engine import errors
        from engine.actor import actor_by_username

        gl = _context(url, now_iso)
        with gl.reading() as session:
            actor = actor_by_username(session, username)
        services.view_case(gl, actor, case_id)   # warm up: models parsed, a connection open
        position = barrier.wait(timeout=60)     # a number of its own, 0 … parties-1
        done, conflicts, deadlocks, slowest = 0, 0, 0, 0.0
        end = time.monotonic() + DURATION
        while time.monotonic() < end:
            started = time.monotonic()
            try:
                if role == "viewer":
                    services.view_case(gl, actor, case_id)
                else:
                    version = services.view_case(gl, actor, case_id)["case"].version
                    started = time.monotonic()
                    # one session a day per kind is on record: each completer goes back day by day
                    held_on = date.fromisoformat(now_iso[:10]) - timedelta(days=1 + done + 1000 * position)
                    services.record_guidance_session(gl, actor, case_id, {
                        "kind": "case_guidance", "held_on": held_on.isoformat(), "minutes": 60,
                        "guardian_attended": True, "notes": name}, version)
                done += 1
            except errors.Conflict as exc:
                deadlocks += _is_deadlock(exc)
                conflicts += not _is_deadlock(exc)
            slowest = max(slowest, time.monotonic() - started)
        results.put({"who": name, "role": role, "result": "ok", "done": done, "conflicts": conflicts,
                     "deadlocks": deadlocks, "slowest": slowest})
        gl.engine.dispose()
    except BaseException as exc:  # noqa: BLE001  (a lock timeout lands here: report it to the parent)
        results.put({"who": name, "role": role, "result": "error", "error": repr(exc),
                     "traceback": traceback.format_exc()})


def _run(database_url, now_iso, case_id) -> list[dict]:
    barrier = SPAWN.Barrier(VIEWERS + COMPLETERS)
    results = SPAWN.Queue()
    roles = [("viewer", "wf_caseworker")] * VIEWERS + [("completer", "wf_counsellor")] * COMPLETERS
    processes = [SPAWN.Process(target=_child, args=(role, database_url, now_iso, user, case_id, barrier, results))
                 for role, user in roles]
    for process in processes:
        process.start()
    reports = []
    try:
        for _ in processes:
            reports.append(results.get(timeout=DURATION + 120))
    except queue_module.Empty:
        pass
    for process in processes:
        process.join(timeout=60)
        if process.is_alive():
            process.kill()
            process.join()
    return reports


def test_viewers_and_completers_of_one_case_never_deadlock_or_stall(gl, driver, database_url, clock):
    case_id = new_case(driver)
    assess(driver, case_id, 4, ["truancy"])
    driver.do("wf_caseworker", case_id, "propose_measures", {"measure_notify": True, "reason": "黄码"})
    notify(driver, case_id)
    plan(driver, case_id, sessions=48, period_days=365)

    reports = _run(database_url, clock.now().isoformat(), case_id)

    errors = [r for r in reports if r["result"] == "error"]
    assert not errors, "a child failed (a lock wait over 0.8 s ends in an error):\n" + "\n".join(
        r["traceback"] for r in errors)
    assert len(reports) == VIEWERS + COMPLETERS, reports
    assert sum(r["deadlocks"] for r in reports) == 0, reports
    views = sum(r["done"] for r in reports if r["role"] == "viewer")
    sessions = sum(r["done"] for r in reports if r["role"] == "completer")
    assert views >= 20 and sessions >= 5, f"too little ran together to prove anything: {reports}"
    with gl.reading() as session:   # what the completers were told is what the database holds
        assert session.scalar(select(func.count(GuidanceSession.id))
                              .where(GuidanceSession.case_id == case_id)) == sessions
        assert session.scalar(select(func.count(AuditEntry.id)).where(
            AuditEntry.case_id == case_id, AuditEntry.action == "view_case")) >= views
