"""Timers at scale: two scheduler processes fire the due timers of ``--rounds`` rounds at once.

How the due timers are arranged (through the engine, nothing written by hand):

1. The running rounds with a timer are taken in the order of ``round.next_timer_at``. The moment ``T`` is
   chosen just after the ``--rounds``-th earliest one, so exactly the rounds whose timer is due before
   ``T`` are due (on a seeded database, Procedure v2: mostly the chase timers of a visit or session not
   recorded in time, some a compliance check, a delivery or an approval gone late, the review falling
   due, the end of a guidance period, as the seed left them).
2. If the database has fewer running rounds with a timer than ``--rounds`` and ``--add-copies`` is
   given, cases whose running round waits on records and timers alone (no open user task: only its
   receive tasks wait, for the next visit or session) are copied with ``bench.bulk.CaseCopier`` (the
   seed's own path: new ids, task ids,
   numbers, audit entries appended to the chain), each shifted so that its timer falls due within the
   week before ``T``.
3. ``--processes`` (2) scheduler processes (``bench.tick_runner``: ``engine.services.tick`` with the
   engine's clock set to ``T``) are started together and run until nothing is due.

Reported: timers fired per second (rounds moved / the span from the first process starting to tick to
the last one finishing; and the wall time including Python start-up), how the rounds split between the
processes, and what the firings made (the work items that became ready at ``T``). Then checked: every
round due at ``T`` fired exactly once for its due time (one ``fire_timers`` audit entry), none is left
due, no round fired that was not due, no late task has two open chases, each fired case's version
went up once per firing, the fired rounds' work items match their workflows, and ``guardloop audit
verify`` passes.

    python -m bench.timers --database-url postgresql://postgres@127.0.0.1:5432/guardloop_bench_copy --rounds 10000
    python -m bench.timers --database-url ... --rounds 2000 --add-copies --json timers.json

The run changes the database (the timers fire; ``--add-copies`` adds cases): use a copy (``createdb -T``).
"""
import argparse
import json
import os
import random
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from bench import verify  # noqa: E402
from bench.load import database_size, git_head  # noqa: E402
from bench.server import TickProcess, require_local_database  # noqa: E402
from bench.stats import machine_cpu  # noqa: E402


def due_timers(gl) -> list[tuple[int, int, datetime]]:
    """(round id, case id, next_timer_at) of every running round with a timer, earliest first."""
    from engine.models import Round
    with gl.reading() as session:
        return [(r, c, _aware(t)) for r, c, t in session.execute(
            select(Round.id, Round.case_id, Round.next_timer_at)
            .where(Round.status == "running", Round.next_timer_at.is_not(None))
            .order_by(Round.next_timer_at, Round.id)).all()]


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def receive_tasks(models_dir: Path = ROOT / "workflows") -> set[str]:
    """The receive tasks of the models (``await_visit``, ``await_session``): open work that waits for a
    record, not for a person to complete it."""
    from lxml import etree
    return {task.get("id") for path in sorted(models_dir.glob("*.bpmn"))
            for task in etree.parse(str(path)).iter("{http://www.omg.org/spec/BPMN/20100524/MODEL}receiveTask")}


def add_copies(gl, needed: int, moment: datetime, seed: int, batch: int = 500) -> dict:
    """Copy cases that wait on records and timers alone (no open user task) until ``needed`` more rounds
    have a timer due within the week before ``moment``."""
    from bench.seed import copy_case
    from bench.bulk import CaseCopier, load_template
    from engine.models import Round, WorkItem
    rng = random.Random(seed)
    with gl.reading() as session:
        busy = select(WorkItem.round_id).where(WorkItem.task_spec.not_in(sorted(receive_tasks())))
        candidates = session.scalars(select(Round.case_id).where(
            Round.status == "running", Round.next_timer_at.is_not(None), Round.id.not_in(busy))
            .order_by(Round.id).limit(40)).all()
        templates = [load_template(session, case_id) for case_id in candidates]
        copier = CaseCopier(session, rng)
    if not templates:
        raise SystemExit("no case waits on records and timers alone: nothing to copy (seed the database with "
                         "bench.seed)")
    started = time.perf_counter()
    rows = 0
    for n in range(needed):
        template = templates[n % len(templates)]
        running = next(r for r in template.rows["round"] if r["status"] == "running")
        due_at = moment - timedelta(seconds=rng.uniform(3600, 7 * 86400))
        copy_case(copier, template, template.district_id, due_at - _aware(running["next_timer_at"]))
        if (n + 1) % batch == 0 or n + 1 == needed:
            with gl.transaction() as session:
                rows += copier.write(session)
    return {"copies": needed, "templates": len(templates), "rows_written": rows,
            "seconds": round(time.perf_counter() - started, 1)}


def what_fired(gl, moment: datetime, due_ids: set) -> dict:
    """What the firings made at ``moment``, by task: the work items that became ready, and the chases raised
    (``chase:<kind>``; Procedure v2's timers mostly chase)."""
    from engine.models import Chase, WorkItem
    with gl.reading() as session:
        made = Counter(dict(session.execute(select(WorkItem.task_spec, func.count(WorkItem.id))
                                            .where(WorkItem.ready_at == moment)
                                            .group_by(WorkItem.task_spec)).all()))
        made.update({f"chase:{kind}": n for kind, n in session.execute(
            select(Chase.kind, func.count(Chase.id)).where(Chase.last_raised_at == moment).group_by(Chase.kind))})
    return dict(made.most_common())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="PostgreSQL database (seeded with bench.seed)")
    parser.add_argument("--rounds", type=int, default=10000, help="rounds whose timer is due")
    parser.add_argument("--processes", type=int, default=2, help="scheduler processes running at once")
    parser.add_argument("--add-copies", action="store_true", help="copy cases when too few rounds have a timer")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--single-call", action="store_true",
                        help="each process calls tick once, as `guardloop tick` does (stops early: see README)")
    parser.add_argument("--timeout", type=float, default=3600.0, help="give up on the tick processes after")
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    require_local_database(args.database_url)   # PostgreSQL: SKIP LOCKED is what is measured

    from engine.context import GuardLoop
    from engine.infra.settings import Settings
    gl = GuardLoop(Settings(database_url=args.database_url))
    report = {"benchmark": "timers", "git": git_head(), "database": gl.engine.url.render_as_string(hide_password=True),
              "config": {k: v for k, v in vars(args).items() if k != "json"},
              "load_average_before": os.getloadavg()}
    timers = due_timers(gl)
    if len(timers) < args.rounds:
        if not args.add_copies:
            raise SystemExit(f"only {len(timers)} running rounds have a timer (< --rounds {args.rounds}); "
                             "use --add-copies or a larger seed")
        latest = timers[-1][2] if timers else datetime.now(timezone.utc)
        moment_for_copies = max(latest, datetime.now(timezone.utc)) + timedelta(seconds=1)
        print(f"[timers] copying {args.rounds - len(timers)} cases that wait on a timer ...", file=sys.stderr)
        report["copies"] = add_copies(gl, args.rounds - len(timers), moment_for_copies, args.seed)
        timers = due_timers(gl)
    report["database_size"] = database_size(gl)
    moment = timers[args.rounds - 1][2] + timedelta(microseconds=1)
    due = [(r, c) for r, c, t in timers if t < moment]
    due_ids = {r for r, _ in due}
    report["moment"] = moment.isoformat()
    report["due_rounds"] = len(due)
    report["due_spread"] = {"earliest": timers[0][2].isoformat(), "latest_due": timers[args.rounds - 1][2].isoformat()}
    baseline = verify.take_baseline(gl)

    folder = Path(tempfile.mkdtemp(prefix="guardloop-timers-"))
    ticks = [TickProcess(args.database_url, moment.isoformat(), report=str(folder / f"tick{i}.json"),
                         log_path=str(folder / f"tick{i}.log"), until_idle=not args.single_call)
             for i in range(args.processes)]
    print(f"[timers] {len(due)} rounds due at {moment.isoformat()}; starting {args.processes} tick processes ...",
          file=sys.stderr)
    cpu0, wall0 = machine_cpu(), time.time()
    try:
        for t in ticks:
            t.start()
        codes = [t.wait(timeout=args.timeout) for t in ticks]
    finally:
        for t in ticks:
            t.stop()
    wall1, cpu1 = time.time(), machine_cpu()
    results = [json.loads((folder / f"tick{i}.json").read_text()) if (folder / f"tick{i}.json").exists() else None
               for i in range(args.processes)]
    done = [r for r in results if r]
    moved = sum(r["moved"] for r in done)
    span = (max(r["ended"] for r in done) - min(r["started"] for r in done)) if done else float("nan")
    overlap = (min(r["ended"] for r in done) - max(r["started"] for r in done)) if len(done) > 1 else None
    report["ticks"] = {"exit_codes": codes, "per_process": results, "moved": moved,
                       "seconds_ticking": round(span, 2), "seconds_wall_with_startup": round(wall1 - wall0, 2),
                       "processes_overlapped_seconds": round(overlap, 2) if overlap is not None else None,
                       "timers_per_s": round(moved / span, 1) if span else None,
                       "timers_per_s_wall": round(moved / (wall1 - wall0), 1),
                       "machine_busy_share": round((cpu1[0] - cpu0[0]) / (cpu1[1] - cpu0[1]), 3),
                       "logs": str(folder)}
    report["made_ready_at_moment"] = what_fired(gl, moment, due_ids)
    print("[timers] verifying ...", file=sys.stderr)
    started = time.perf_counter()
    check = {"timers": verify.check_timers(gl, baseline, due_ids, moment),
             "versions": verify.check_versions(gl, baseline, []),
             "consistency": verify.check_consistency(gl, {c for _, c in due}),
             "audit": verify.audit_verify(args.database_url)}
    check["ok"] = all(part["ok"] for part in check.values()) and all(c == 0 for c in codes)
    check["seconds"] = round(time.perf_counter() - started, 1)
    report["verification"] = check
    gl.engine.dispose()

    t = report["ticks"]
    print(f"\n== bench.timers: {report['database']} ({report['database_size']['cases']:,} cases), git {report['git']}")
    print(f"{len(due)} rounds due at {report['moment']}; {args.processes} tick processes")
    print(f"moved {moved} rounds in {t['seconds_ticking']} s ticking: {t['timers_per_s']} timers/s "
          f"({t['timers_per_s_wall']}/s with process start-up, {t['seconds_wall_with_startup']} s); per process: "
          f"{[r['moved'] if r else None for r in results]}, tick calls {[r['passes'] if r else None for r in results]}; overlapped {t['processes_overlapped_seconds']} s; "
          f"machine busy {t['machine_busy_share']:.0%}")
    print(f"made ready at T: {report['made_ready_at_moment']}")
    tc, vc = check["timers"], check["versions"]
    print(f"verification: {'OK' if check['ok'] else 'FAILED'} — fired {tc['rounds_fired']}/{tc['due_rounds']} due "
          f"rounds, {tc['fire_entries']} fire_timers entries, same due time fired twice {tc['same_due_time_fired_twice']}, "
          f"rounds fired more than once {tc['rounds_fired_more_than_once']}, not fired {tc['due_but_not_fired']}, "
          f"fired but not due {tc['fired_but_not_due']}, still due {tc['still_due_after']}, tasks with two open "
          f"chases {tc['tasks_with_two_open_chases']}")
    print(f"  versions: lost {vc['lost_update_count']}, fewer increments {len(vc['fewer_increments_than_changes'])}, "
          f"extra increments {vc['extra_increments_total']}; consistency: {check['consistency']['rounds_checked']} "
          f"rounds, {check['consistency']['problem_count']} problems; audit verify exit {check['audit']['exit_code']}")
    if args.json:
        Path(args.json).write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str))
    return 0 if check["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
