"""Audit appends per second at 1, 4 and 16 clients: views chained under the chain's lock (before) against
views staged without it and chained in batches (after).

Each client is an OS process with its own engine context; for ``--seconds`` it writes one access entry
(``view_case``) per unit of work, each committed, as a case page or task form does, and counts them. The
*chained* mode is how every entry was written before access entries were staged (``engine.auditlog.record.is_access``
answers no, so ``seal`` appends each under the lock on ``audit_head``); the *staged* mode is the engine as
it is, with one more process chaining the staged entries meanwhile as a worker does (``engine.infra.workers
.chain_views`` every 0.2 s; the entries it chained are counted). After a staged run what is left is
chained, timed, and ``audit verify`` must pass.

    python -m bench.audit_appends --database-url postgresql://postgres@127.0.0.1:5432/test --clients 1 4 16

With a PostgreSQL URL the run creates a schema of its own and drops it afterwards.
"""
import argparse
import json
import multiprocessing as mp
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.engine_step import database  # noqa: E402

SPAWN = mp.get_context("spawn")


def _client(url: str, mode: str, case_id: int, user_id: int, seconds: float, barrier, results) -> None:
    from engine.auditlog import record as audit
    from engine.context import GuardLoop
    from engine.infra.settings import Settings

    if mode == "chained":
        audit.is_access = lambda action: False    # as before staging: every entry under the chain's lock
    gl = GuardLoop(Settings(database_url=url))
    actor = type("Actor", (), {"id": user_id})()
    with gl.transaction() as session:          # warm: a connection, the statements
        audit.record(session, actor, "view_case", "case", case_id, case_id)
    barrier.wait(timeout=120)
    done, end = 0, time.monotonic() + seconds
    while time.monotonic() < end:
        with gl.transaction() as session:
            audit.record(session, actor, "view_case", "case", case_id, case_id)
        done += 1
    results.put(done)
    gl.engine.dispose()


def _chainer(url: str, seconds: float, barrier, results) -> None:
    from engine.context import GuardLoop
    from engine.infra.settings import Settings
    from engine.infra.workers import chain_views

    gl = GuardLoop(Settings(database_url=url))
    barrier.wait(timeout=120)
    chained, end = 0, time.monotonic() + seconds
    while time.monotonic() < end:
        chained += chain_views(gl)
        time.sleep(0.2)
    results.put(chained)
    gl.engine.dispose()


def run_clients(url: str, mode: str, clients: int, seconds: float, case_id: int, user_id: int) -> tuple[float, int]:
    """(appends/s of the clients, entries the chaining worker chained meanwhile)."""
    chaining = mode == "staged"
    barrier, results, chained = SPAWN.Barrier(clients + chaining), SPAWN.Queue(), SPAWN.Queue()
    processes = [SPAWN.Process(target=_client, args=(url, mode, case_id, user_id, seconds, barrier, results))
                 for _ in range(clients)]
    if chaining:
        processes.append(SPAWN.Process(target=_chainer, args=(url, seconds, barrier, chained)))
    for process in processes:
        process.start()
    total = sum(results.get(timeout=seconds + 300) for _ in range(clients))
    by_worker = chained.get(timeout=seconds + 300) if chaining else 0
    for process in processes:
        process.join(timeout=60)
    return total / seconds, by_worker


def prepare(url: str) -> tuple[int, int]:
    """A database with one case to log views of; (case id, user id)."""
    from engine.infra.bootstrap import init
    from engine.context import GuardLoop
    from engine.demo.scenario import Driver
    from engine.infra.settings import Settings
    from tests.integration.helpers import new_case

    gl = GuardLoop(Settings(database_url=url))
    init(gl)
    driver = Driver(gl)
    case_id = new_case(driver)
    user_id = driver.actor("wf_caseworker").id
    gl.engine.dispose()
    return case_id, user_id


def chain_and_verify(url: str) -> dict:
    from engine.auditlog.verify import verify
    from engine.context import GuardLoop
    from engine.infra.settings import Settings
    from engine.infra.workers import chain_views

    gl = GuardLoop(Settings(database_url=url))
    started = time.perf_counter()
    chained = chain_views(gl)
    seconds = time.perf_counter() - started
    report = verify(gl)
    gl.engine.dispose()
    return {"chained": chained, "seconds": round(seconds, 2),
            "entries_per_s": round(chained / seconds) if seconds else None, "verify_ok": report.ok}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL (a schema of its own); default: a SQLite file")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--modes", nargs="+", default=["chained", "staged"], choices=["chained", "staged"])
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    report = {"benchmark": "audit_appends", "cores": os.cpu_count(), "load_average_before": os.getloadavg(),
              "seconds": args.seconds, "runs": []}
    with database(args.database_url, keep=False) as (url, backend):
        report["backend"] = backend
        case_id, user_id = prepare(url)
        for clients in args.clients:
            for mode in args.modes:
                rate, by_worker = run_clients(url, mode, clients, args.seconds, case_id, user_id)
                run = {"clients": clients, "mode": mode, "appends_per_s": round(rate, 1)}
                if mode == "staged":
                    run["chained_meanwhile_per_s"] = round(by_worker / args.seconds, 1)
                    run["chaining"] = chain_and_verify(url)
                report["runs"].append(run)
                print(f"[audit_appends] {backend} {clients:>2} clients, {mode:<7}: {rate:8.1f} appends/s"
                      + (f" (chained meanwhile {run['chained_meanwhile_per_s']}/s); then chained {run['chaining']['chained']} in {run['chaining']['seconds']} s "
                         f"({run['chaining']['entries_per_s']}/s), verify {'OK' if run['chaining']['verify_ok'] else 'FAILED'}"
                         if mode == "staged" else ""), file=sys.stderr)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
