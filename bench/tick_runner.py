"""A scheduler process for the benchmarks: ``engine.services.tick`` with the engine's clock set to a given
moment (``--at``), once or in a loop — what ``guardloop tick [--loop]`` does, at a chosen time.

    python -m bench.tick_runner --database-url URL --at 2026-12-01T00:00:00+00:00 --report out.json
    python -m bench.tick_runner --database-url URL --at ... --loop --every 1

``--until-idle`` calls ``tick`` again until a call moves nothing: with two schedulers one ``tick`` call
returns as soon as a batch fires fewer rounds than its size, which happens whenever the other process
took some of them, though many more may be due.

Writes ``{"pid", "moved", "started", "ended", "seconds", "passes"}`` as JSON to ``--report`` when it ends
normally (a process killed with SIGKILL writes nothing, which is the point of the fault test).
"""
import argparse
import json
import os
import signal
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--at", help="ISO moment for the engine's clock (default: the real time)")
    parser.add_argument("--loop", action="store_true")
    parser.add_argument("--every", type=float, default=1.0)
    parser.add_argument("--until-idle", action="store_true",
                        help="call tick again until a call moves nothing (one call can stop early: see README)")
    parser.add_argument("--limit", type=int, help="rounds claimed per batch (default: the engine's setting)")
    parser.add_argument("--report")
    args = parser.parse_args(argv)

    from engine.workflow.clock import clock
    from engine.context import GuardLoop
    from engine.services import tick
    from engine.infra.settings import Settings

    if args.at:
        clock.set(datetime.fromisoformat(args.at))
    gl = GuardLoop(Settings(database_url=args.database_url))
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(True))
    started = time.time()
    moved = passes = 0
    per_pass = []
    while True:
        moved_now = tick(gl, args.limit)
        moved += moved_now
        passes += 1
        per_pass.append(moved_now)
        print(f"[tick {os.getpid()}] pass {passes}: {moved_now} rounds moved ({moved} in all)", flush=True)
        if stop or (not args.loop and not (args.until_idle and moved_now > 0)):
            break
        if not args.loop:
            continue
        time.sleep(args.every)
        if stop:
            break
    ended = time.time()
    gl.engine.dispose()
    if args.report:
        Path(args.report).write_text(json.dumps({"pid": os.getpid(), "moved": moved, "started": started,
                                                 "ended": ended, "seconds": ended - started, "passes": passes,
                                                 "moved_per_pass": per_pass}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
