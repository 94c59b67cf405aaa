"""Real races between OS processes on PostgreSQL: two people completing the same task, two schedulers.

Each child process is started with the 'spawn' method and builds its own ``GuardLoop`` from the database
URL, sets its own clock to the parent's instant, warms up (parses the models, runs a first query) and
then waits on a ``multiprocessing.Barrier`` right before the service call, so both calls start together.
Children report what they did through a queue; the parent checks the database afterwards.
"""
import multiprocessing as mp
import os
import queue as queue_module
import time
import traceback
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from engine import services
from engine.models import AuditEntry, Case, Chase, ComplianceCheck, Round, TaskRecord
from engine.demo.scenario import scores

pytestmark = pytest.mark.parametrize("database_url", [pytest.param("postgres", marks=pytest.mark.postgres)],
                                     indirect=True)

WF, COUNSELLOR = "wf_caseworker", "wf_counsellor"
SPAWN = mp.get_context("spawn")
CHILD_TIMEOUT = 120


# --- what runs in the child processes ------------------------------------------------------------

def _child_context(url: str, now_iso: str):
    from engine.workflow.clock import clock
    from engine.context import GuardLoop
    from engine.infra.settings import Settings

    clock.set(datetime.fromisoformat(now_iso))  # the clock is per process: the parent's instant
    gl = GuardLoop(Settings(database_url=url, demo_mode=True))
    with gl.reading() as session:  # warm up: parse the models and open a connection before the race
        version = session.scalar(select(Round.model_version).order_by(Round.id.desc()))
        if version:
            gl.runtime(session, version)
        session.scalar(select(func.count(Case.id)))
    return gl


def _complete_worker(url, now_iso, username, case_id, task_id, data, expected_version, barriers, results):
    """Completes ``task_id`` as ``username``; reports ok / conflict / error with what it saw."""
    name = f"{username}@{os.getpid()}"
    try:
        from engine import errors
        from engine.actor import actor_by_username
        from engine.workflow.runtime import WorkflowRuntime
        from engine.services import tasks

        gl = _child_context(url, now_iso)
        with gl.reading() as session:
            actor = actor_by_username(session, username)
        seen = {}
        original_require = tasks.require_case_and_round

        def require_case_and_round(session, actor, case_id, **kwargs):
            case, rnd = original_require(session, actor, case_id, **kwargs)
            seen["version_read"] = case.version  # the version this transaction saw
            seen["read_at"] = time.monotonic()
            return case, rnd

        tasks.require_case_and_round = require_case_and_round
        start_together, hold = barriers
        if hold is not None:
            loaded, holding = hold
            if holding:
                # The first writer keeps its transaction open a while after reading the case: the second
                # must wait for it at the case's row lock, not work on a state about to be gone.
                original_complete = WorkflowRuntime.complete

                def complete(workflow, task, variables=None):
                    seen["held_transaction"] = True
                    loaded.set()
                    time.sleep(1.0)
                    return original_complete(workflow, task, variables)

                WorkflowRuntime.complete = staticmethod(complete)
        start_together.wait(timeout=60)
        if hold is not None and not hold[1]:
            hold[0].wait(timeout=60)  # start only once the first writer holds the case
        started = time.monotonic()
        seen["called"] = True
        try:
            outcome = services.complete_task(gl, actor, case_id, task_id, data, expected_version)
            results.put({"who": name, "result": "ok", "case_version": outcome["case_version"], **seen,
                         "notes": data.get("notes"), "started": started, "ended": time.monotonic()})
        except errors.Conflict as exc:
            results.put({"who": name, "result": "conflict", "message": exc.message_en, **seen,
                         "started": started, "ended": time.monotonic()})
        gl.engine.dispose()
    except BaseException as exc:  # noqa: BLE001  (report anything to the parent)
        results.put({"who": name, "result": "error", "error": repr(exc), "traceback": traceback.format_exc()})


def _tick_worker(url, now_iso, barrier, results):
    name = f"tick@{os.getpid()}"
    try:
        gl = _child_context(url, now_iso)
        barrier.wait(timeout=60)
        started = time.monotonic()
        moved = services.tick(gl)
        results.put({"who": name, "result": "ok", "moved": moved, "started": started, "ended": time.monotonic()})
        gl.engine.dispose()
    except BaseException as exc:  # noqa: BLE001
        results.put({"who": name, "result": "error", "error": repr(exc), "traceback": traceback.format_exc()})


def _run_children(target, arg_tuples) -> list[dict]:
    results = SPAWN.Queue()
    processes = [SPAWN.Process(target=target, args=(*args, results)) for args in arg_tuples]
    for process in processes:
        process.start()
    reports = []
    try:
        for _ in processes:
            reports.append(results.get(timeout=CHILD_TIMEOUT))
    except queue_module.Empty:
        pass
    for process in processes:
        process.join(timeout=CHILD_TIMEOUT)
        if process.is_alive():
            process.kill()
            process.join()
    errors = [r for r in reports if r["result"] == "error"]
    assert not errors, "a child process failed:\n" + "\n".join(r["traceback"] for r in errors)
    assert len(reports) == len(processes), f"only {len(reports)} of {len(processes)} children reported: {reports}"
    assert all(p.exitcode == 0 for p in processes), [p.exitcode for p in processes]
    return reports


# --- setting cases up in the parent, through the service layer -----------------------------------

def _case_in_guidance(driver, name: str, sessions_required: int) -> int:
    gl = driver.gl
    clue = services.register_clue(gl, driver.actor(WF), {
        "source": "community", "reporter_name": "网格员", "mandatory_report": False, "received_at": driver.today(),
        "description": "祖父母隔代抚养，需关注。", "family_types": ["grandparent"], "risk_factors": ["special_family"],
        "guardians": [{"name": "赵某", "relation": "father", "is_guardian": True}],
        "child_name": name, "child_sex": "M", "child_birth_date": "2016-07-08"})
    case = services.open_case(gl, driver.actor(WF), clue, {"case_type": "general"})
    driver.do(WF, case, "social_investigation", {"findings": "隔代抚养。", "investigated_on": driver.today(),
                                                 "sources": "入户走访"})
    driver.do(WF, case, "scored_assessment", {**scores(4), "risk_factors": ["special_family"], "summary": "稳定。"})
    driver.do(WF, case, "propose_measures", {"measure_notify": True, "reason": "蓝码。"})
    driver.do(WF, case, "notify_guardian", {"notified_on": driver.today(), "content": "告知家庭教育责任。",
                                            "delivery_method": "in_person", "recipient": "监护人", "signed": True})
    driver.do(WF, case, "draft_guidance_plan", {"provider_id": driver.provider_id(),
                                                "sessions_required": sessions_required, "min_minutes": 40,
                                                "period_days": 180, "goals": "提升监护能力。"})
    return case


def _count(gl, query) -> int:
    with gl.reading() as session:
        return session.scalar(query)


# --- the tests -----------------------------------------------------------------------------------

def _case_with_an_order_in_force(driver, name: str) -> int:
    """A case whose 督促监护令 is served: the prosecutor checks compliance again and again (one task at a time)."""
    from .helpers import deliver, new_case, order, propose
    case = new_case(driver, case_type="minor_suspect", child_name=name, child_id_number=None)
    driver.do(WF, case, "social_investigation", {"findings": "x", "investigated_on": driver.today()})
    driver.do(WF, case, "scored_assessment", {**scores(18), "risk_factors": ["criminal_suspect"], "summary": "x"})
    propose(driver, case, notify=False, supervision_order=True)
    order(driver, case, "supervision_order")
    deliver(driver, case, "supervision_order")
    return case


def _check_data(driver, token: str) -> dict:
    return {"checked_on": driver.today(), "result": "complied", "report_received": True, "notes": f"检查人{token}"}


@pytest.mark.parametrize("hold", [False, True], ids=["barrier-before-call", "first-holds-the-case"])
def test_two_processes_complete_the_same_task_exactly_one_wins(gl, driver, database_url, clock, hold):
    """The same prosecutor in two tabs (two processes) submits the same compliance check at once."""
    case_id = _case_with_an_order_in_force(driver, "竞争测试")
    rounds = 5 if not hold else 3
    waited = 0
    for number in range(1, rounds + 1):
        item = driver.item(case_id, "compliance_check")
        version = driver.version(case_id)
        records_before = _count(gl, select(func.count(TaskRecord.id)).where(
            TaskRecord.case_id == case_id, TaskRecord.task_spec == "compliance_check"))
        start_together = SPAWN.Barrier(2)
        loaded = SPAWN.Event() if hold else None
        reports = _run_children(_complete_worker, [
            (database_url, clock.now().isoformat(), "prosecutor", case_id, item.task_id, _check_data(driver, token),
             version, (start_together, (loaded, first) if hold else None))
            for token, first in (("甲", True), ("乙", False))])

        # both processes passed the barrier and called the service
        assert [r.get("called") for r in reports] == [True, True], reports
        outcomes = sorted(r["result"] for r in reports)
        assert outcomes == ["conflict", "ok"], f"round {number}: {reports}"
        winner = next(r for r in reports if r["result"] == "ok")
        loser = next(r for r in reports if r["result"] == "conflict")
        assert winner["case_version"] == version + 1
        if loser["version_read"] == version + 1 and loser["read_at"] >= winner["ended"] - 0.05:
            waited += 1  # the loser read the case only once the winner had committed: the row lock decided
        if hold:
            assert winner.get("held_transaction") and winner["notes"] == "检查人甲", reports
            assert loser["version_read"] == version + 1, "the second writer waited for the first to commit"

        # exactly one completion is in the database, and the case moved on by exactly one version
        assert driver.version(case_id) == version + 1
        assert _count(gl, select(func.count(TaskRecord.id)).where(
            TaskRecord.case_id == case_id, TaskRecord.task_spec == "compliance_check")) == records_before + 1
        assert _count(gl, select(func.count(TaskRecord.id)).where(TaskRecord.task_id == item.task_id)) == 1
        assert _count(gl, select(func.count(ComplianceCheck.id)).where(ComplianceCheck.case_id == case_id)) == number
        assert _count(gl, select(func.count(AuditEntry.id)).where(
            AuditEntry.action == "complete_task", AuditEntry.entity_id == item.task_id)) == 1
        with gl.reading() as session:
            recorded = session.scalars(select(ComplianceCheck.notes).where(ComplianceCheck.case_id == case_id)
                                       .order_by(ComplianceCheck.id.desc())).first()
        assert recorded == winner["notes"]  # the winner's data, not a mix
        open_items = [i for i in driver.open_items(case_id) if i.task_spec == "compliance_check"]
        assert len(open_items) == 1 and open_items[0].task_id != item.task_id  # the loop's next check
    # The barrier makes the two calls start together; at least one round must have had the loser wait at the
    # case's row lock for the test to prove anything about it (the version check catches the rest).
    assert waited >= 1, "no round raced: the loser never waited for the winner"


def test_two_schedulers_fire_each_due_timer_exactly_once(gl, driver, database_url, clock):
    cases = []
    for index in range(20):
        case_id = _case_in_guidance(driver, f"定时{index:02d}", sessions_required=1)
        driver.session(COUNSELLOR, case_id, notes=f"由 {COUNSELLOR} 记录。")
        cases.append(case_id)
    with gl.reading() as session:
        rounds = {r.case_id: r for r in session.scalars(select(Round).where(Round.case_id.in_(cases)))}
    assert len(rounds) == 20 and all(r.next_timer_at is not None for r in rounds.values())
    assert _count(gl, select(func.count(Chase.id))) == 0
    versions = {c: driver.version(c) for c in cases}
    due = max(r.next_timer_at for r in rounds.values())
    moment = (due if due.tzinfo else due.replace(tzinfo=clock.now().tzinfo)) + timedelta(seconds=1)
    clock.set(moment)

    barrier = SPAWN.Barrier(2)
    reports = _run_children(_tick_worker, [(database_url, moment.isoformat(), barrier) for _ in range(2)])

    assert sum(r["moved"] for r in reports) == 20, reports
    # the race was real: the two ticks ran at the same time and both claimed rounds
    first, second = sorted(reports, key=lambda r: r["started"])
    assert second["started"] < first["ended"], reports
    assert all(r["moved"] > 0 for r in reports), reports
    with gl.reading() as session:
        fired = dict(session.execute(select(AuditEntry.entity_id, func.count(AuditEntry.id))
                                     .where(AuditEntry.action == "fire_timers").group_by(AuditEntry.entity_id)).all())
        assert fired == {str(r.id): 1 for r in rounds.values()}
        chases = dict(session.execute(select(Chase.case_id, func.count(Chase.id))
                                      .where(Chase.kind == "visit", Chase.case_id.in_(cases))
                                      .group_by(Chase.case_id)).all())
        assert chases == {c: 1 for c in cases}, "each late visit chased once, not once per scheduler"
        after = {c.id: c.version for c in session.scalars(select(Case).where(Case.id.in_(cases)))}
        assert after == {c: versions[c] + 1 for c in cases}
        assert session.scalar(select(func.count(Round.id)).where(Round.case_id.in_(cases),
                                                                   Round.next_timer_at < moment)) == 0
    # nothing is left to fire: a third tick moves nothing
    assert services.tick(gl) == 0


def _issue_worker(url, now_iso, case_id, task_id, expected_version, barrier, results):
    """Approves one drafted 督促监护令 as the head of department, at the same moment as the other approvers:
    approval is when the order is numbered and issued."""
    name = f"issuer@{os.getpid()}"
    try:
        from engine.actor import actor_by_username

        gl = _child_context(url, now_iso)
        with gl.reading() as session:
            actor = actor_by_username(session, "pro_supervisor")
        barrier.wait(timeout=60)
        outcome = services.complete_task(gl, actor, case_id, task_id, {"decision": "approved", "reason": ""},
                                         expected_version)
        results.put({"who": name, "result": "ok", "case_version": outcome["case_version"]})
        gl.engine.dispose()
    except BaseException as exc:  # noqa: BLE001
        results.put({"who": name, "result": "error", "error": repr(exc), "traceback": traceback.format_exc()})


def test_eight_orders_approved_at_once_get_consecutive_numbers(gl, driver, database_url, clock):
    from engine.models import DocumentRecord

    issuers = 8
    cases = []
    for index in range(issuers):
        clue = services.register_clue(gl, driver.actor(WF), {
            "source": "procuratorate", "reporter_name": "检察官", "received_at": driver.today(),
            "description": "涉罪未成年人", "child_name": f"并发{index}", "child_sex": "M",
            "child_birth_date": "2010-01-01",
            "guardians": [{"name": f"监护人{index}", "relation": "father", "is_guardian": True}]})
        case = services.open_case(gl, driver.actor("prosecutor"), clue, {"case_type": "minor_suspect"})
        driver.do(WF, case, "social_investigation", {"findings": "x", "investigated_on": driver.today()})
        driver.do(WF, case, "scored_assessment", {**scores(18), "risk_factors": ["criminal_suspect"], "summary": "x"})
        driver.do(WF, case, "propose_measures", {"refer_supervision_order": True, "reason": "x"})
        driver.do("prosecutor", case, "decide_referral", {"decision": "accept"})
        driver.do("prosecutor", case, "draft_order", {"action": "submit", "failings": "疏于照料", "duties": "按时接送",
                                                      "deadline": "2026-12-31"})
        cases.append((case, driver.item(case, "approve_order").task_id, driver.version(case)))
    barrier = SPAWN.Barrier(issuers)
    reports = _run_children(_issue_worker, [(database_url, clock.now().isoformat(), case, task, version, barrier)
                                            for case, task, version in cases])
    assert [r["result"] for r in reports] == ["ok"] * issuers
    with gl.reading() as session:
        orders = session.scalars(select(DocumentRecord).where(DocumentRecord.doc_type == "supervision_order")).all()
    assert sorted(d.sequence for d in orders) == list(range(1, issuers + 1))
    assert sorted(d.number for d in orders) == sorted(f"江北检未督〔2026〕{n}号" for n in range(1, issuers + 1))
    assert {d.case_id for d in orders} == {case for case, _, _ in cases}


def _clue_worker(url, now_iso, index, count, barrier, results):
    """Registers ``count`` clues as fast as it can, at the same time as the other writers."""
    try:
        from engine.actor import actor_by_username

        gl = _child_context(url, now_iso)
        with gl.reading() as session:
            actor = actor_by_username(session, "community")
        barrier.wait(timeout=60)
        for n in range(count):
            services.register_clue(gl, actor, {
                "source": "community", "reporter_name": "网格员", "received_at": now_iso[:10],
                "description": "并发登记", "child_name": f"并发{index}-{n}", "child_sex": "F",
                "child_birth_date": "2012-01-01"})
        results.put({"who": index, "result": "ok"})
        gl.engine.dispose()
    except BaseException as exc:  # noqa: BLE001
        results.put({"who": index, "result": "error", "error": repr(exc), "traceback": traceback.format_exc()})


def test_writers_in_parallel_never_fork_the_audit_chain(gl, driver, database_url, clock):
    from engine.auditlog.verify import verify

    writers, each = 4, 15
    with gl.reading() as session:
        before = session.scalar(select(func.count(AuditEntry.id)))
    barrier = SPAWN.Barrier(writers)
    _run_children(_clue_worker, [(database_url, clock.now().isoformat(), i, each, barrier) for i in range(writers)])
    with gl.reading() as session:
        ids = session.scalars(select(AuditEntry.id).order_by(AuditEntry.id)).all()
        registered = session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "register_clue"))
    assert len(ids) == before + writers * each and registered == writers * each
    assert ids == list(range(1, len(ids) + 1)), "one chain, consecutive ids, no gap and no duplicate"
    report = verify(gl)
    assert report.ok, report.problems
