"""The case list (``engine.services.case_list``) on a seeded database: time per view and the query plans.

    python -m bench.case_list --database-url postgresql://postgres@127.0.0.1:5432/guardloop_bench
    python -m bench.case_list --database-url … --district YB --repeat 30 --plans plans.md --json out.json

For each of a district's people (the coordinating agency's supervisor, who sees every case of the
district, and officers of agencies that join only some cases) and each view, sort and filter of the list,
calls ``list_cases`` ``--repeat`` times after one warm-up and reports the median and the 95th percentile in
milliseconds, with the rows on the page and the total. ``--plans`` writes ``EXPLAIN (ANALYZE, BUFFERS)``
of every statement one call runs (PostgreSQL only), to check that each reads along an index.

``--copies N`` first fills an empty database: the demo (``engine.demo.cases.seed_demo``: ten cases driven through
the services, every code and step) and the people of every district (``bench.seed.seed_people``), then N
copies of the demo's cases spread over the districts by ``bench.seed.DISTRICT_WEIGHTS``
(``bench.bulk.CaseCopier``, as ``bench.seed`` copies its templates): open cases end within the last week,
closed ones in the last three years. Without it the run only reads.
"""
import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import event, func, select  # noqa: E402

from engine.actor import actor_by_username  # noqa: E402
from engine.context import GuardLoop  # noqa: E402
from engine.models import Case, District  # noqa: E402
from engine.services.case_list import list_cases  # noqa: E402
from engine.infra.settings import Settings  # noqa: E402

# (label, username without the district prefix, list_cases arguments)
CALLS = [
    ("agency, last change", "wf_supervisor", {}),
    ("agency, opened, page 20", "wf_supervisor", {"sort": "opened", "page": 20}),
    ("agency, case no. ascending", "wf_supervisor", {"sort": "case_no", "descending": False}),
    ("all statuses", "wf_supervisor", {"status": "all"}),
    ("overdue", "wf_supervisor", {"view": "overdue"}),
    ("code red", "wf_supervisor", {"code": "red"}),
    ("step guide", "wf_supervisor", {"step": "guide"}),
    ("family type left-behind", "wf_supervisor", {"family_type": "left_behind"}),
    ("mine (caseworker)", "wf_caseworker", {"view": "mine"}),
    ("agency (prosecutor)", "prosecutor", {}),
    ("overdue (police)", "police", {"view": "overdue"}),
    ("agency (school)", "teacher", {}),
]


def login(district: str, username: str) -> str:
    return username if district == "JB" else f"{district.lower()}.{username}"


def fill(gl, copies: int, seed: int) -> dict:
    """The demo and ``copies`` copies of its cases (see the module's docstring); how long each part took."""
    import random
    from datetime import datetime, timezone
    from sqlalchemy import text
    from engine.infra.bootstrap import init
    from bench.bulk import CaseCopier, load_template
    from engine.demo.cases import seed_demo
    from engine.infra.workers import chain_views
    from bench.seed import DISTRICT_WEIGHTS, seed_people, shift_for
    rng = random.Random(seed)
    started = time.perf_counter()
    init(gl, with_demo_users=True)
    seed_people(gl)
    seed_demo(gl)
    chain_views(gl)
    with gl.reading() as session:
        templates = [(load_template(session, c.id), c.updated_at, c.status == "closed")
                     for c in session.scalars(select(Case).order_by(Case.id))]
        district_ids = dict(session.execute(select(District.code, District.id)).all())
        copier = CaseCopier(session, rng)
    demo_seconds = time.perf_counter() - started
    now = datetime.now(timezone.utc)
    districts, weights = list(DISTRICT_WEIGHTS), list(DISTRICT_WEIGHTS.values())
    copied = time.perf_counter()
    for start in range(0, copies, 500):
        for _ in range(min(500, copies - start)):
            template, ended, closed = rng.choice(templates)
            district = rng.choices(districts, weights=weights)[0]
            copier.copy(template, district_ids[district], shift_for(ended, closed, now, rng))
        with gl.transaction() as session:
            copier.write(session)
        print(f"[fill] {start + min(500, copies - start):,} copies", file=sys.stderr)
    copy_seconds = time.perf_counter() - copied
    if gl.engine.dialect.name == "postgresql":
        with gl.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    return {"demo_seconds": round(demo_seconds, 1), "copy_seconds": round(copy_seconds, 1)}


def run(args) -> dict:
    gl = GuardLoop(Settings(database_url=args.database_url, demo_mode=True))
    filled = fill(gl, args.copies, args.seed) if args.copies else None
    figures = {"database": gl.engine.url.render_as_string(hide_password=True), "district": args.district,
               "repeat": args.repeat, "filled": filled, "calls": []}
    with gl.reading() as session:
        figures["cases"] = session.scalar(select(func.count(Case.id)))
        district_id = session.scalar(select(District.id).where(District.code == args.district))
        figures["district_cases"] = session.scalar(select(func.count(Case.id)).where(Case.district_id == district_id))
        actors = {name: actor_by_username(session, login(args.district, name)) for _, name, _ in CALLS}
    plans = []
    for label, name, kwargs in CALLS:
        actor = actors[name]
        list_cases(gl, actor, **kwargs)                   # warm-up: statement caches, buffers
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            page = list_cases(gl, actor, **kwargs)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        row = {"call": label, "user": login(args.district, name), "median_ms": round(statistics.median(times), 2),
               "p95_ms": round(times[int(0.95 * (len(times) - 1))], 2), "rows": len(page.rows), "total": page.total}
        figures["calls"].append(row)
        print(f"{label:32} {row['user']:22} median {row['median_ms']:7.2f} ms  p95 {row['p95_ms']:7.2f} ms  "
              f"{row['rows']:3} rows of {row['total']:,}", file=sys.stderr)
        if args.plans and gl.engine.dialect.name == "postgresql":
            plans.append((label, row["user"], explain(gl, actor, kwargs)))
    if args.plans:
        with open(args.plans, "w") as out:
            out.write(f"# Case list query plans ({figures['cases']:,} cases; district {args.district}: "
                      f"{figures['district_cases']:,})\n")
            for label, user, statements in plans:
                out.write(f"\n## {label} (`{user}`)\n")
                for sql, plan in statements:
                    out.write(f"\n```sql\n{sql}\n```\n```\n{plan}\n```\n")
    gl.engine.dispose()
    return figures


def explain(gl, actor, kwargs) -> list[tuple[str, str]]:
    """Each statement one ``list_cases`` call runs, with its plan as it ran (EXPLAIN ANALYZE)."""
    captured = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            captured.append((statement, parameters))

    event.listen(gl.engine, "before_cursor_execute", capture)
    try:
        list_cases(gl, actor, **kwargs)
    finally:
        event.remove(gl.engine, "before_cursor_execute", capture)
    result = []
    with gl.engine.connect() as conn:
        for statement, parameters in captured:
            rows = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters).all()
            result.append((statement, "\n".join(r[0] for r in rows)))
        conn.rollback()
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--district", default="YB", help="whose people list their cases (default YB, the largest)")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--plans", help="write the query plans (Markdown) to this path")
    parser.add_argument("--json", help="write the figures as JSON to this path")
    parser.add_argument("--copies", type=int, default=0, help="fill an empty database first (see above)")
    parser.add_argument("--seed", type=int, default=20261203, help="random seed of --copies")
    args = parser.parse_args(argv)
    figures = run(args)
    if args.json:
        Path(args.json).write_text(json.dumps(figures, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
