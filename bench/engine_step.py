"""One workflow step through the service layer versus the raw SpiffWorkflow round trip.

What is measured, on the same model, the same task and the same stored state:

* ``service``   ``engine.services.record_guidance_session`` (Procedure v2 records a session when it happens,
                not as a user task): load and lock the case, permission check, the plan, the session row,
                load the workflow, deliver the ``session_recorded`` message to the waiting ``await_session``
                + engine steps, save + work-item projection, task record, audit entry, version bump, commit.
                The actor and expected version are looked up beforehand, as a web request has them from its
                session and form.
* ``raw``       ``runtime.load(state)`` + ``send_message`` (the message + ``do_engine_steps``) +
                ``runtime.dump`` with the engine's own WorkflowRuntime (compact serializer): the floor.
* ``raw_full``  the same round trip with SpiffWorkflow's default serializer (whole spec in every state),
                for reference.

The step is recording a guidance session of a plan with 48 sessions required, so ``await_session`` waits
again after it. Because a loop grows the task tree, every sample is taken on a different case brought to the
same point (the same number of sessions already recorded), never by looping one case.

    python -m bench.engine_step                          # SQLite (WAL) in a temp file
    python -m bench.engine_step --database-url postgresql://postgres@127.0.0.1:5432/test
    python -m bench.engine_step --json out.json --profile prof.pstats

With PostgreSQL a schema of its own is created for the run and dropped afterwards (``--keep`` keeps it).
"""
import argparse
import cProfile
import gc
import json
import os
import platform
import pstats
import statistics
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, event, func, select, text, update  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer  # noqa: E402
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG  # noqa: E402

import SpiffWorkflow  # noqa: E402
import sqlalchemy  # noqa: E402
from engine import services
from engine.auditlog import record as audit
from engine.rules import passwords  # noqa: E402
from engine.infra.bootstrap import init  # noqa: E402
from engine.workflow.clock import clock  # noqa: E402
from engine.context import GuardLoop  # noqa: E402
from engine.tasks import guide  # noqa: E402
from engine.models import GuidancePlan, GuidanceSession, Round, WorkItem  # noqa: E402
from engine.workflow.runtime import WorkflowRuntime  # noqa: E402
from engine.demo.scenario import Driver, scores  # noqa: E402
from engine.services import records as record_service  # noqa: E402
from engine.infra.settings import Settings  # noqa: E402

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)
TASK = "record_guidance_session"       # the service measured
WAITING = "await_session"              # the receive task it delivers to (a work item while it waits)
MESSAGE = "session_recorded"
WF, COUNSELLOR = "wf_caseworker", "wf_counsellor"
SESSION_DATA = {"kind": "case_guidance", "minutes": 60, "guardian_attended": True,
                "notes": "围绕亲子沟通开展指导，监护人积极配合。"}


# --- statistics ---------------------------------------------------------------------------------

def percentile(values, q):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    pos = (len(ordered) - 1) * q
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def summary(seconds):
    ms = [s * 1000 for s in seconds]
    return {"n": len(ms), "median_ms": statistics.median(ms), "p95_ms": percentile(ms, 0.95),
            "mean_ms": statistics.fmean(ms), "min_ms": min(ms), "max_ms": max(ms)}


# --- database -----------------------------------------------------------------------------------

@contextmanager
def database(url: str | None, keep: bool):
    """Yields a database URL: a fresh SQLite file, or a fresh schema in the given PostgreSQL database."""
    if url is None:
        with tempfile.TemporaryDirectory(prefix="guardloop-bench-") as folder:
            yield f"sqlite:///{folder}/bench.db", "sqlite"
        return
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        yield url, parsed.get_backend_name()
        return
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(parsed.set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in url else "?"
    try:
        yield f"{url}{separator}options=-csearch_path%3D{schema}", "postgresql"
    finally:
        if not keep:
            with admin.connect() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


# --- bringing cases to the measured point ------------------------------------------------------

def case_at_guidance(dr: Driver, index: int, prior_sessions: int) -> int:
    """A blue-code case through assess and handle, a plan of 48 sessions, ``prior_sessions`` recorded (on the
    days before today: one session of a kind a day)."""
    gl = dr.gl
    data = {"source": "community", "reporter_name": "网格员", "mandatory_report": False,
            "received_at": dr.today(), "description": "祖父母隔代抚养，需关注。", "family_types": ["grandparent"],
            "risk_factors": ["special_family"], "guardians": [{"name": "赵某", "relation": "father",
                                                                "is_guardian": True}],
            "child_name": f"基准{index:05d}", "child_sex": "M", "child_birth_date": "2016-07-08"}
    clue = services.register_clue(gl, dr.actor(WF), data)
    case = services.open_case(gl, dr.actor(WF), clue, {"case_type": "general"})
    dr.do(WF, case, "social_investigation", {"findings": "隔代抚养。", "investigated_on": dr.today(),
                                             "sources": "入户走访"})
    dr.do(WF, case, "scored_assessment", {**scores(4), "risk_factors": ["special_family"], "summary": "稳定。"})
    dr.do(WF, case, "propose_measures", {"measure_notify": True, "reason": "蓝码。"})
    dr.do(WF, case, "notify_guardian", {"notified_on": dr.today(), "content": "告知家庭教育责任。",
                                        "delivery_method": "in_person", "recipient": "监护人", "signed": True})
    dr.do(WF, case, "draft_guidance_plan", {"provider_id": dr.provider_id(), "sessions_required": 48,
                                            "min_minutes": 40, "period_days": 180, "goals": "提升监护能力。"})
    for k in range(prior_sessions, 0, -1):
        dr.session(COUNSELLOR, case, **SESSION_DATA, held_on=(clock.today() - timedelta(days=k)).isoformat())
    return case


def snapshot(dr: Driver, case_id: int, prior_sessions: int) -> dict:
    """Everything a request would bring (actor, task id, version) and the stored state for the raw runs."""
    gl = dr.gl
    with gl.reading() as session:
        item = session.scalars(select(WorkItem).where(WorkItem.case_id == case_id,
                                                      WorkItem.task_spec == WAITING)).one()
        rnd = session.get(Round, item.round_id)
        last = session.scalar(select(func.max(GuidanceSession.id)))
        return {"case_id": case_id, "task_id": item.task_id, "version": dr.version(case_id),
                "state": rnd.state, "model_version": rnd.model_version,
                # the message the service sends for this step: the new session and the qualifying sessions
                "variables": {"session_id": last + 1, "sessions_done": prior_sessions + 1}}


# --- the three measurements ----------------------------------------------------------------------

def full_serializer():
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))


def raw_step(runtime: WorkflowRuntime, snap: dict, parts: dict | None = None) -> str:
    t0 = time.perf_counter()
    workflow = runtime.load(snap["state"])
    t1 = time.perf_counter()
    if not runtime.send_message(workflow, MESSAGE, snap["variables"]):
        raise RuntimeError(f"case {snap['case_id']}: nothing waits for {MESSAGE}")
    t2 = time.perf_counter()
    state = runtime.dump(workflow)
    t3 = time.perf_counter()
    if parts is not None:
        parts["load"].append(t1 - t0)
        parts["complete"].append(t2 - t1)
        parts["dump"].append(t3 - t2)
    return state


def raw_full_step(runtime: WorkflowRuntime, serializer, full_state: str, snap: dict) -> str:
    workflow = serializer.deserialize_json(full_state)
    workflow.script_engine = runtime.script_engine  # as the engine does: never the unrestricted default
    if not runtime.send_message(workflow, MESSAGE, snap["variables"]):
        raise RuntimeError(f"case {snap['case_id']}: nothing waits for {MESSAGE}")
    return serializer.serialize_json(workflow)


def core_persist_step(gl, runtime: WorkflowRuntime, round_id: int, snap: dict) -> None:
    """The floor with a database: SELECT the state, the raw round trip, UPDATE the state, COMMIT (Core)."""
    with gl.engine.begin() as conn:
        state = conn.execute(select(Round.state).where(Round.id == round_id)).scalar_one()
        out = raw_step(runtime, {**snap, "state": state})
        conn.execute(update(Round).where(Round.id == round_id).values(state=out))


def service_step(gl, actor, snap: dict) -> dict:
    result = services.record_guidance_session(gl, actor, snap["case_id"],
                                              {**SESSION_DATA, "held_on": clock.today().isoformat()}, snap["version"])
    if not result["counted"]:
        raise RuntimeError(f"case {snap['case_id']}: the session reached no waiting {WAITING}")
    return result


def timed(fn, *args):
    t0 = time.perf_counter()
    fn(*args)
    return time.perf_counter() - t0


# --- where the service step's time goes ---------------------------------------------------------

class Breakdown:
    """Exclusive time per category, by wrapping engine functions (in this process only) and timing SQL.

    Nested categories are subtracted from their parents, so the parts add up to the wrapped total;
    whatever is not wrapped (session set-up, ORM queries' Python side, permission and handler logic
    outside SQL) lands in ``service python / ORM``.
    """

    def __init__(self):
        self.exclusive: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self.stack: list[list] = []
        self.undo: list = []

    def _enter(self, name):
        self.stack.append([name, time.perf_counter(), 0.0])

    def _exit(self):
        name, start, children = self.stack.pop()
        elapsed = time.perf_counter() - start
        self.exclusive[name] = self.exclusive.get(name, 0.0) + elapsed - children
        self.calls[name] = self.calls.get(name, 0) + 1
        if self.stack:
            self.stack[-1][2] += elapsed

    def wrap(self, owner, attribute, name, static=False):
        original = owner.__dict__[attribute] if isinstance(owner, type) else getattr(owner, attribute)
        function = original.__func__ if static else original
        bd = self

        def wrapper(*args, **kwargs):
            bd._enter(name)
            try:
                return function(*args, **kwargs)
            finally:
                bd._exit()

        setattr(owner, attribute, staticmethod(wrapper) if static else wrapper)
        self.undo.append((owner, attribute, original))

    def install(self, gl):
        self.wrap(WorkflowRuntime, "load", "workflow deserialize")
        self.wrap(WorkflowRuntime, "send_message", "workflow message + engine steps", static=True)
        self.wrap(WorkflowRuntime, "dump", "workflow serialize")
        for name in ("scan", "next_timer_at"):
            self.wrap(WorkflowRuntime, name, "work-item/timer projection (Spiff queries)", static=True)
        self.wrap(record_service, "require_case_and_round", "load case + round + permission (Python)")
        self.wrap(audit, "record", "audit entry (Python)")
        self.wrap(audit, "plain", "audit entry (Python)")
        for name in ("current_plan", "qualifying_sessions"):
            self.wrap(record_service, name, "plan + qualifying sessions (Python)")
        self.wrap(Session, "flush", "ORM flush (Python)")
        self.wrap(Session, "commit", "commit (incl. DB COMMIT)")
        bd = self

        def before(*_):
            bd._enter("SQL execute (driver + DB)")

        def after(*_):
            bd._exit()

        event.listen(gl.engine, "before_cursor_execute", before)
        event.listen(gl.engine, "after_cursor_execute", after)
        self.undo.append(("event", gl.engine, (before, after)))

    def uninstall(self):
        for owner, attribute, original in reversed(self.undo):
            if owner == "event":
                event.remove(attribute, "before_cursor_execute", original[0])
                event.remove(attribute, "after_cursor_execute", original[1])
            else:
                setattr(owner, attribute, original)
        self.undo.clear()

    def run(self, fn, *args):
        self._enter("service python / ORM")
        try:
            fn(*args)
        finally:
            self._exit()


# --- what-ifs: candidate engine changes, applied in this process only to measure their effect ------

WHAT_IFS = {
    "no-autoflush": "writer sessions with autoflush=False (the step flushes explicitly where it needs ids)",
    "one-query-sessions": "qualifying_sessions in one statement (plan's min_minutes as a scalar subquery)",
    "gc-freeze": "gc.freeze() after start-up, so collections stop rescanning the parsed specs and ORM mappers",
}


def apply_what_ifs(gl, names: list[str]) -> None:
    unknown = set(names) - set(WHAT_IFS)
    if unknown:
        raise SystemExit(f"unknown --what-if {sorted(unknown)}; choose from {sorted(WHAT_IFS)}")
    if "no-autoflush" in names:
        gl._writer = sessionmaker(gl.engine, expire_on_commit=False, autoflush=False)
    if "one-query-sessions" in names:
        def qualifying_sessions(session, round_id):
            minimum = (select(GuidancePlan.min_minutes).where(GuidancePlan.round_id == round_id)
                       .order_by(GuidancePlan.id.desc()).limit(1).scalar_subquery())
            return session.scalar(select(func.count(GuidanceSession.id)).where(
                GuidanceSession.round_id == round_id, GuidanceSession.guardian_attended.is_(True),
                GuidanceSession.minutes >= minimum)) or 0
        guide.qualifying_sessions = record_service.qualifying_sessions = qualifying_sessions
    if "gc-freeze" in names:
        gc.collect()
        gc.freeze()


def provenance() -> dict:
    import subprocess
    def git(*args):
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
        except Exception:
            return ""
    return {"git_head": git("rev-parse", "--short", "HEAD"),
            "git_dirty_files": len([l for l in git("status", "--porcelain").splitlines() if l.strip()])}


# --- main -----------------------------------------------------------------------------------------

def run(args) -> dict:
    passwords._N = 2**8  # the demo users are created at set-up only; no step checks a password
    clock.set(NOW)
    started = time.perf_counter()
    with database(args.database_url, args.keep) as (url, backend):
        gl = GuardLoop(Settings(database_url=url, demo_mode=True))  # documents may name this machine
        init(gl, with_demo_users=True)
        dr = Driver(gl)
        total = args.warmup + args.cases + args.breakdown_cases + args.floor_cases
        print(f"[setup] {backend}: bringing {total} cases to {TASK} after {args.prior_sessions} session(s)…",
              file=sys.stderr)
        cases = [case_at_guidance(dr, i, args.prior_sessions) for i in range(total)]
        snaps = [snapshot(dr, c, args.prior_sessions) for c in cases]
        setup_s = time.perf_counter() - started
        actor = dr.actor(COUNSELLOR)
        with gl.reading() as session:
            runtime = gl.runtime(session, snaps[0]["model_version"])
        warm, measured = snaps[:args.warmup], snaps[args.warmup:args.warmup + args.cases]
        extra = snaps[args.warmup + args.cases:args.warmup + args.cases + args.breakdown_cases]
        floor = snaps[args.warmup + args.cases + args.breakdown_cases:]
        with gl.reading() as session:
            round_of = dict(session.execute(select(WorkItem.case_id, WorkItem.round_id)
                                            .where(WorkItem.case_id.in_([s["case_id"] for s in floor]))).all())

        full = full_serializer()
        full_states = [full.serialize_json(runtime.load(s["state"])) for s in warm + measured]
        full_of = {s["case_id"]: f for s, f in zip(warm + measured, full_states)}

        # the floor with a database: raw round trip + SELECT/UPDATE of the state + COMMIT (SQLAlchemy Core)
        floor_times = []
        for index, s in enumerate(floor):
            elapsed = timed(core_persist_step, gl, runtime, round_of[s["case_id"]], s)
            if index >= min(5, len(floor) // 4):
                floor_times.append(elapsed)

        apply_what_ifs(gl, args.what_if)
        gc.collect()
        # Raw (compact) and service interleaved, case by case: whatever else the machine is doing at a
        # moment slows both alike, so the ratio holds even when absolute figures move. Each case gives
        # `repeat` raw round trips on its state, then its one service step (afterwards the task is done).
        for s in warm:
            raw_step(runtime, s)
            service_step(gl, actor, s)
        parts = {"load": [], "complete": [], "dump": []}
        raw, service, paired, after_sizes = [], [], [], []
        for s in measured:
            mine = []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                out = raw_step(runtime, s, parts)
                mine.append(time.perf_counter() - t0)
                after_sizes.append(len(out.encode()))
            raw.extend(mine)
            service.append(timed(service_step, gl, actor, s))
            paired.append(service[-1] / statistics.median(mine))
        # raw with the default full serializer (for reference)
        for s in warm:
            raw_full_step(runtime, full, full_of[s["case_id"]], s)
        raw_full = []
        for _ in range(args.repeat):
            for s in measured:
                raw_full.append(timed(raw_full_step, runtime, full, full_of[s["case_id"]], s))

        # where the time goes: the same step on further cases, instrumented
        bd_result = None
        if extra:
            bd = Breakdown()
            bd.install(gl)
            try:
                instrumented = []
                for s in extra:
                    t0 = time.perf_counter()
                    bd.run(service_step, gl, actor, s)
                    instrumented.append(time.perf_counter() - t0)
            finally:
                bd.uninstall()
            n = len(extra)
            bd_result = {"n": n, "instrumented_median_ms": statistics.median(instrumented) * 1000,
                         "categories_ms_per_step": {k: v * 1000 / n for k, v in
                                                    sorted(bd.exclusive.items(), key=lambda kv: -kv[1])},
                         "calls_per_step": {k: c / n for k, c in bd.calls.items()}}

        profile_top = None
        if args.profile:
            more = [snapshot(dr, case_at_guidance(dr, total + i, args.prior_sessions), args.prior_sessions)
                    for i in range(args.profile_cases)]
            profiler = cProfile.Profile()
            profiler.enable()
            for s in more:
                service_step(gl, actor, s)
            profiler.disable()
            profiler.dump_stats(args.profile)
            stats = pstats.Stats(profiler)
            profile_top = _profile_top(stats, len(more))

        sizes_before = [len(s["state"].encode()) for s in measured]
        sizes_full = [len(f.encode()) for f in full_states[len(warm):]]
        gl.engine.dispose()

    result = {
        "backend": backend,
        "task": TASK,
        "prior_sessions": args.prior_sessions,
        "cases_measured": len(measured),
        "warmup_cases": len(warm),
        "repeat_raw": args.repeat,
        "service": summary(service),
        "raw_compact": summary(raw),
        "raw_compact_parts_median_ms": {k: statistics.median(v) * 1000 for k, v in parts.items()},
        "raw_full_serializer": summary(raw_full),
        "raw_plus_core_persistence": summary(floor_times) if floor_times else None,
        "ratio_service_over_raw_median": statistics.median(service) / statistics.median(raw),
        "ratio_paired_median": statistics.median(paired),
        "ratio_service_over_raw_p95": percentile(service, 0.95) / percentile(raw, 0.95),
        "ratio_service_over_raw_full_median": statistics.median(service) / statistics.median(raw_full),
        "state_bytes": {"compact_before_median": int(statistics.median(sizes_before)),
                        "compact_after_median": int(statistics.median(after_sizes)),
                        "full_serializer_median": int(statistics.median(sizes_full))},
        "targets": {"service_median_under_5ms": statistics.median(service) * 1000 < 5.0,
                    "service_within_2x_raw": statistics.median(service) / statistics.median(raw) <= 2.0},
        "what_if": {name: WHAT_IFS[name] for name in args.what_if},
        "model_version": snaps[0]["model_version"],
        "provenance": provenance(),
        "breakdown": bd_result,
        "profile_top": profile_top,
        "environment": {"python": platform.python_version(), "spiffworkflow": _version(SpiffWorkflow),
                        "sqlalchemy": sqlalchemy.__version__, "cpus": os.cpu_count(),
                        "machine": platform.machine(), "platform": platform.platform()},
        "setup_seconds": round(setup_s, 1),
        "total_seconds": round(time.perf_counter() - started, 1),
    }
    return result


def _version(module):
    try:
        from importlib.metadata import version
        return version(module.__name__)
    except Exception:
        return "?"


def _profile_top(stats: pstats.Stats, steps: int, limit: int = 25) -> list[dict]:
    rows = []
    for (filename, line, name), (cc, nc, tt, ct, _callers) in stats.stats.items():
        rows.append({"function": f"{_short(filename)}:{line}({name})", "calls_per_step": nc / steps,
                     "tottime_ms_per_step": tt * 1000 / steps, "cumtime_ms_per_step": ct * 1000 / steps})
    rows.sort(key=lambda r: -r["tottime_ms_per_step"])
    return rows[:limit]


def _short(filename: str) -> str:
    for marker in ("site-packages/", "/work/main/", "lib/python3"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


def print_table(r: dict) -> None:
    s, raw, full = r["service"], r["raw_compact"], r["raw_full_serializer"]
    print(f"\nGuardLoop engine step — {r['task']} after {r['prior_sessions']} session(s), backend {r['backend']}, "
          f"{r['cases_measured']} cases ({r['warmup_cases']} warm-up), {r['environment']['cpus']} CPUs, "
          f"model {r['model_version']}, git {r['provenance']['git_head']}"
          f"{' +%d changed files' % r['provenance']['git_dirty_files'] if r['provenance']['git_dirty_files'] else ''}")
    if r["what_if"]:
        print("what-if (in-process patches): " + ", ".join(r["what_if"]))
    print(f"{'':34}{'median ms':>10}{'p95 ms':>10}{'mean ms':>10}{'min ms':>10}{'× raw':>8}")
    rows = [(f"service {TASK}", s), ("raw round trip (compact)", raw),
            ("raw round trip (full serializer)", full)]
    if r.get("raw_plus_core_persistence"):
        rows.append(("raw + Core SELECT/UPDATE/COMMIT", r["raw_plus_core_persistence"]))
    for label, st in rows:
        print(f"{label:34}{st['median_ms']:10.3f}{st['p95_ms']:10.3f}{st['mean_ms']:10.3f}{st['min_ms']:10.3f}"
              f"{st['median_ms'] / raw['median_ms']:8.2f}")
    p = r["raw_compact_parts_median_ms"]
    print(f"raw parts (median): load {p['load']:.3f} ms, complete+steps {p['complete']:.3f} ms, "
          f"dump {p['dump']:.3f} ms")
    b = r["state_bytes"]
    print(f"state: compact {b['compact_before_median']:,} B before / {b['compact_after_median']:,} B after the step;"
          f" full serializer {b['full_serializer_median']:,} B")
    t = r["targets"]
    print(f"ratio service/raw: median {r['ratio_service_over_raw_median']:.2f}, p95 {r['ratio_service_over_raw_p95']:.2f}, "
          f"paired (each case's step / its own raw median) {r['ratio_paired_median']:.2f}"
          f"  | targets: median < 5 ms {'MET' if t['service_median_under_5ms'] else 'MISSED'}, "
          f"within 2× raw {'MET' if t['service_within_2x_raw'] else 'MISSED'}")
    if r["breakdown"]:
        bd = r["breakdown"]
        total = sum(bd["categories_ms_per_step"].values())
        print(f"\nwhere the service step's time goes ({bd['n']} instrumented steps, "
              f"{total:.3f} ms/step with instrumentation):")
        for name, ms in bd["categories_ms_per_step"].items():
            calls = bd["calls_per_step"].get(name, 0)
            print(f"  {name:46}{ms:8.3f} ms {100 * ms / total:5.1f}%   ({calls:.1f} calls)")
    if r["profile_top"]:
        print("\ncProfile, top functions by own time per step:")
        for row in r["profile_top"][:15]:
            print(f"  {row['tottime_ms_per_step']:7.3f} ms own {row['cumtime_ms_per_step']:8.3f} ms cum "
                  f"{row['calls_per_step']:7.1f}×  {row['function']}")
    print(f"\nset-up {r['setup_seconds']} s, total {r['total_seconds']} s")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL URL (default: SQLite in WAL mode in a temp file)")
    parser.add_argument("--cases", type=int, default=150, help="measured cases (one service step each)")
    parser.add_argument("--warmup", type=int, default=20, help="warm-up cases")
    parser.add_argument("--breakdown-cases", type=int, default=40,
                        help="further cases for the instrumented breakdown (0: none)")
    parser.add_argument("--floor-cases", type=int, default=40,
                        help="cases for the raw + Core persistence floor (0: none)")
    parser.add_argument("--what-if", action="append", default=[], metavar="NAME",
                        help="apply a candidate engine change in-process before the service runs "
                             f"(repeatable): {', '.join(WHAT_IFS)}")
    parser.add_argument("--prior-sessions", type=int, default=2,
                        help="sessions already recorded on each case before the measured one")
    parser.add_argument("--repeat", type=int, default=3, help="raw round trips per measured state")
    parser.add_argument("--json", help="write the results as JSON to this path")
    parser.add_argument("--profile", help="also cProfile the service step and write pstats to this path")
    parser.add_argument("--profile-cases", type=int, default=40)
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL schema")
    args = parser.parse_args(argv)
    try:
        result = run(args)
    finally:
        clock.reset()
    print_table(result)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2, ensure_ascii=False))
        print(f"JSON written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
