"""Faults under load: ``kill -9`` a gunicorn worker and a running scheduler while users work, then check
that nothing was half-written.

What happens, on one PostgreSQL database:

1. gunicorn with ``--workers`` (2) workers is started, and ``bench.load``'s closed-loop mix runs against it
   for ``--duration`` seconds (the same users, actions, duels and tokens as ``load.py``).
2. ``--due-rounds`` rounds are made due by choosing the scheduler's moment ``T`` (as ``timers.py`` does),
   and a scheduler loop (``bench.tick_runner --loop --at T``) starts while the load runs.
3. Faults, at fractions of the run: SIGKILL to one gunicorn worker (``--worker-kills`` times, spread over
   the run; gunicorn's master starts a new worker), and SIGKILL to the scheduler once it has fired part of
   the due timers (mid-run: it is inside a batch). A new scheduler is started right after (as a service
   manager would restart it) and runs until nothing is due.
4. After the load: the database is checked as after ``load.py`` (every acknowledged completion present
   with its data, nothing of refused submissions, no lost update, audit chain), plus: every due timer
   fired exactly once and none is left due, and every running round's state loads with its work items
   equal to its READY user tasks and ``next_timer_at`` equal to the state's (``--consistency all``; or
   only the cases touched).

A gunicorn sync worker serves one request at a time, so a kill loses at most the one request it is
serving: the client sees the connection closed without an answer (no status). Such failures within a few
seconds after a kill are counted as "in flight on a killed worker"; any other failure is an error. An
unanswered submission is then checked to be either wholly committed (the kill came after the commit) or
wholly absent (PostgreSQL rolled the transaction back when the worker's connection dropped).

    python -m bench.faults --database-url postgresql://postgres@127.0.0.1:5432/guardloop_load_dev --duration 60
"""
import argparse
import asyncio
import json
import os
import signal
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from bench import verify  # noqa: E402
from bench.load import LoadRun, database_size, git_head, pick_users, verify_all  # noqa: E402
from bench.server import Gunicorn, TickProcess, require_local_database  # noqa: E402
from bench.timers import due_timers  # noqa: E402

KILL_WINDOW = 5.0   # seconds after a worker kill in which a request without an answer is the kill's


def fired_since(gl, audit_id: int) -> int:
    from engine.models import AuditEntry
    with gl.reading() as session:
        return session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.id > audit_id,
                                                                     AuditEntry.action == "fire_timers"))


async def faults(args, gl, server: Gunicorn, run: LoadRun, moment, due_count: int, baseline, folder: Path,
                 log: list) -> None:
    """The fault schedule, alongside the load (times relative to the start of the load)."""
    t0 = time.monotonic()
    duration = args.duration
    kills = [duration * (i + 1) / (args.worker_kills + 2) for i in range(args.worker_kills)]
    tick = TickProcess(args.database_url, moment.isoformat(), loop=True, every=0.5,
                       log_path=str(folder / "tick-killed.log")).start()
    log.append({"t": 0.0, "event": "scheduler started", "pid": tick.pid})
    tick_killed = restart_logged = False
    restart = None
    try:
        while time.monotonic() - t0 < duration:
            now = time.monotonic() - t0
            if kills and now >= kills[0]:
                kills.pop(0)
                workers = server.worker_pids()
                if workers:
                    victim = workers[0]
                    os.kill(victim, signal.SIGKILL)
                    log.append({"t": round(now, 2), "event": "SIGKILL gunicorn worker", "pid": victim,
                                "mono": time.monotonic()})
            if not tick_killed:
                fired = fired_since(gl, baseline.audit_id)
                if fired >= max(1, due_count // 3) or now > duration * 0.6:
                    tick.kill9()
                    tick_killed = True
                    log.append({"t": round(now, 2), "event": "SIGKILL scheduler", "pid": tick.pid,
                                "fired_before_kill": fired})
                    restart = TickProcess(args.database_url, moment.isoformat(), until_idle=True,
                                          report=str(folder / "tick-restarted.json"),
                                          log_path=str(folder / "tick-restarted.log")).start()
                    log.append({"t": round(now, 2), "event": "scheduler restarted", "pid": restart.pid})
            if restart is not None and restart.process.poll() is not None and not restart_logged:
                restart_logged = True
                log.append({"t": round(now, 2), "event": "restarted scheduler finished",
                            "exit": restart.process.returncode})
            await asyncio.sleep(0.2)
        if restart is not None and not restart_logged:
            while restart.process.poll() is None:
                await asyncio.sleep(0.5)
            log.append({"t": round(time.monotonic() - t0, 2), "event": "restarted scheduler finished",
                        "exit": restart.process.returncode})
    finally:
        tick.stop()
        if restart is not None:
            restart.stop()


def classify_failures(events: list, kills: list) -> dict:
    """Requests without an answer: within KILL_WINDOW s after a worker kill, or unexplained."""
    in_flight, unexplained = [], []
    for at, kind, error in events:
        if any(0 <= at - k <= KILL_WINDOW for k in kills):
            in_flight.append({"kind": kind, "error": error})
        else:
            unexplained.append({"kind": kind, "error": error})
    return {"in_flight_on_killed_worker": in_flight, "unexplained": unexplained}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--duel-share", type=float, default=0.1)
    parser.add_argument("--worker-kills", type=int, default=2)
    parser.add_argument("--due-rounds", type=int, default=600, help="timers due for the scheduler")
    parser.add_argument("--consistency", choices=("all", "touched"), default="all")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    require_local_database(args.database_url)

    from engine.context import GuardLoop
    from engine.infra.settings import Settings
    gl = GuardLoop(Settings(database_url=args.database_url, demo_mode=True))
    prefix = "lf" + format(int(time.time()), "x")[-7:]
    report = {"benchmark": "faults", "git": git_head(), "database": gl.engine.url.render_as_string(hide_password=True),
              "database_size": database_size(gl), "config": {k: v for k, v in vars(args).items() if k != "json"},
              "token_prefix": prefix, "load_average_before": os.getloadavg()}
    users, report["users"] = pick_users(gl, args.users, args.seed)
    timers = due_timers(gl)
    if len(timers) < args.due_rounds:
        raise SystemExit(f"only {len(timers)} running rounds have a timer (< --due-rounds {args.due_rounds})")
    moment = timers[args.due_rounds - 1][2] + timedelta(microseconds=1)
    due = {r: c for r, c, t in timers if t < moment}
    report["timers"] = {"moment": moment.isoformat(), "due_rounds": len(due)}
    baseline = verify.take_baseline(gl)
    folder = Path(tempfile.mkdtemp(prefix="guardloop-faults-"))
    log = []
    with Gunicorn(args.database_url, args.workers, log_dir=str(folder)) as server:
        run = LoadRun(server.url, users, prefix=prefix, seed=args.seed, duel_share=args.duel_share)

        async def go():
            async with run.client() as client:
                report["sign_in"] = await run.prepare(client)
                await asyncio.gather(run.run(client, args.duration, args.concurrency),
                                     faults(args, gl, server, run, moment, len(due), baseline, folder, log))

        asyncio.run(go())
        report["workers_after"] = len(server.worker_pids())
        report["gunicorn_log"] = server.log_problems()
    figures = run.tally.summary(args.duration)
    kills = [e["mono"] for e in log if e["event"] == "SIGKILL gunicorn worker"]
    failures = classify_failures(run.events, kills)
    other_errors = {kind: {s: n for s, n in statuses.items() if s != "no_response"}
                    for kind, statuses in figures["errors"].items()}
    other_errors = {k: v for k, v in other_errors.items() if v}
    report.update({"events": [{k: v for k, v in e.items() if k != "mono"} for e in log], "load": figures,
                   "failures": failures, "errors_other_than_lost_connections": other_errors,
                   "duels": dict(run.duels)})
    restarted = folder / "tick-restarted.json"
    report["timers"]["restarted_scheduler"] = json.loads(restarted.read_text()) if restarted.exists() else None
    print("[faults] verifying ...", file=sys.stderr)
    check = verify_all(gl, args.database_url, baseline, run.attempts, prefix, consistency=False)
    check["timers"] = verify.check_timers(gl, baseline, set(due), moment, due_cases=due)
    touched = {a.case_id for a in run.attempts} | set(due.values())
    check["consistency"] = verify.check_consistency(gl, None if args.consistency == "all" else touched)
    check["ok"] = all(part["ok"] for part in check.values() if isinstance(part, dict))
    report["verification"] = check
    gl.engine.dispose()

    print(f"\n== bench.faults: {report['database']} ({report['database_size']['cases']:,} cases), git {report['git']}")
    for e in report["events"]:
        print(f"   t={e['t']:>6} s  {e['event']}  " + ", ".join(f"{k}={v}" for k, v in e.items() if k not in ("t", "event")))
    print(f"load: {figures['page_views_per_s']} page views/s, {figures['completions_per_s']} completions/s over "
          f"{args.duration:.0f} s; statuses {figures['status_totals']}; duels {report['duels']}")
    print(f"requests without an answer: {len(failures['in_flight_on_killed_worker'])} in flight on a killed worker "
          f"{failures['in_flight_on_killed_worker']}, {len(failures['unexplained'])} unexplained; other errors: "
          f"{other_errors or 'none'}; gunicorn workers after: {report['workers_after']}")
    c, ver, tc, cons = check["completions"], check["versions"], check["timers"], check["consistency"]
    print(f"verification: {'OK' if check['ok'] else 'FAILED'}")
    print(f"   acknowledged completions present {c['acknowledged_present']}/{c['acknowledged']}; unanswered but "
          f"committed {len(c['unanswered_but_committed'])}; problems {c['problem_count']}")
    print(f"   lost updates {ver['lost_update_count']}, fewer increments than changes "
          f"{len(ver['fewer_increments_than_changes'])}, commits without acknowledgement "
          f"{len(ver['committed_without_acknowledgement'])}; extra increments {ver['extra_increments_total']} "
          f"(tasks {ver['specs_in_cases_with_more_increments']})")
    print(f"   timers: {tc['rounds_fired']}/{tc['due_rounds']} due rounds fired, same due time twice "
          f"{tc['same_due_time_fired_twice']}, not fired {tc['due_but_not_fired']} (+{tc.get('rounds_on_cases_users_changed_meanwhile_not_judged', 0)} "
          f"rounds of cases users changed meanwhile, not judged), still due {tc['still_due_after']}, tasks with two "
          f"open chases {tc['tasks_with_two_open_chases']}")
    print(f"   consistency: {cons['rounds_checked']} running rounds loaded, {cons['problem_count']} problems; "
          f"audit verify exit {check['audit']['exit_code']}")
    if args.json:
        Path(args.json).write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str))
    ok = check["ok"] and not failures["unexplained"] and not other_errors
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
