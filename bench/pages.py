"""Single-user latency of the pages people wait on, and the plans of the statements behind them.

    python -m bench.pages --database-url postgresql://postgres@127.0.0.1:5432/guardloop_bench
    python -m bench.pages --database-url ... --explain plans.md --json pages.json

The application runs in this process (Flask's test client: no network, no other requests), signed in as
people of several districts and agencies of a database seeded with ``bench.seed``. For each person, in
turn: the inbox (first page), the case page of cases from their inbox, searches (a whole case number, its
first characters, a child's name), and, for supervisors and leaders, the cockpit of their district (from
the cache, and once cold). Every request must answer 200. Reported per kind: requests, p50, p95, max, and
the SQL statements per request, against the targets of the scale issue (inbox, case page p95 ≤ 50 ms,
search ≤ 100 ms, cockpit ≤ 300 ms).

``--explain`` runs one request of each kind again with the statements captured, then ``EXPLAIN (ANALYZE,
BUFFERS)`` of each distinct SELECT with the very parameters it ran with (PostgreSQL only; writes are not
explained: they are the request's audit entry), and writes them as Markdown. Nothing is changed in the
database but the audit entries of the views (every view of a case is logged).
"""
import argparse
import json
import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import event, func, select  # noqa: E402

from bench.http_client import CASE_LINK, CSRF, _query  # noqa: E402
from bench.load import work_by_lane  # noqa: E402
from bench.stats import percentile  # noqa: E402
from bench.server import BENCH_LOGIN_RATE_LIMIT  # noqa: E402
from engine.infra.bootstrap import DEMO_PASSWORD  # noqa: E402
from engine.context import GuardLoop  # noqa: E402
from engine.infra.db import make_engine  # noqa: E402
from engine.models import Agency, Case, User, WorkItem  # noqa: E402
from engine.infra.settings import Settings  # noqa: E402

TARGETS_MS = {"inbox": 50, "case_page": 50, "search": 100, "cockpit": 300, "cockpit_cold": None}
ROLES = ("caseworker", "counsellor", "prosecutor", "judge", "supervisor")


class Recorder:
    """The statements one request runs (for counts and for EXPLAIN)."""

    def __init__(self, engine):
        self.statements, self.on = [], False
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, conn, cursor, statement, parameters, context, executemany):
        if self.on:
            self.statements.append((statement, parameters))

    def start(self):
        self.statements, self.on = [], True

    def stop(self):
        self.on = False
        return self.statements


class Person:
    def __init__(self, app, username, role, district_id):
        self.username, self.role, self.district_id = username, role, district_id
        self.client = app.test_client()
        page = self.client.get("/login").get_data(as_text=True)
        token = CSRF.search(page).group(1)
        answer = self.client.post("/login", data={"username": username, "password": DEMO_PASSWORD,
                                                   "csrf_token": token})
        if answer.status_code != 302:
            raise SystemExit(f"cannot sign in as {username}: {answer.status_code}")


def pick_people(gl, per_role: int, rng: random.Random):
    """For each role, people with the most work in their inbox (one per district, busiest first), and a
    leader. A role with no work anywhere is left out."""
    with gl.reading() as s:
        work = work_by_lane(s.execute(select(WorkItem.lane, WorkItem.district_id, WorkItem.roles, WorkItem.task_spec)))
        users = s.execute(select(User.username, User.role, User.district_id, Agency.code)
                          .join(Agency, Agency.id == User.agency_id)
                          .where(User.active.is_(True), User.role.in_(ROLES + ("leader",)))).all()
    chosen = []
    for role in ROLES:
        districts = set()
        mine = [u for u in users if u.role == role and work[(u.code, u.district_id, role)] > 0]
        for u in sorted(mine, key=lambda u: (-work[(u.code, u.district_id, role)], u.username)):
            if u.district_id not in districts and len(districts) < per_role:
                districts.add(u.district_id)
                chosen.append(u)
    leaders = sorted((u for u in users if u.role == "leader"), key=lambda u: u.username)
    chosen += rng.sample(leaders, min(1, len(leaders)))
    return chosen


def search_terms(gl, case_ids, rng):
    """For each case: its whole number, its first characters and the child's name."""
    with gl.reading() as s:
        rows = s.execute(select(Case.case_no, Case.child_name).where(Case.id.in_(case_ids))).all()
    terms = []
    for case_no, name in rows:
        terms += [case_no, case_no[: max(4, len(case_no) - 3)], name]
    rng.shuffle(terms)
    return terms


def run(args):
    url = args.database_url
    gl = GuardLoop(Settings(database_url=url, demo_mode=True, login_rate_limit=BENCH_LOGIN_RATE_LIMIT),
                   engine=make_engine(url))
    from web import create_app
    app = create_app({"SECRET_KEY": "bench-pages", "GUARDLOOP": gl, "WTF_CSRF_ENABLED": True})
    recorder = Recorder(gl.engine)
    rng = random.Random(args.seed)
    people = [Person(app, u.username, u.role, u.district_id) for u in pick_people(gl, args.per_role, rng)]
    times, statements, samples = defaultdict(list), defaultdict(list), {}
    started = time.perf_counter()

    def hit(kind, person, path, counted=True):
        recorder.start()
        t0 = time.perf_counter()
        answer = person.client.get(path)
        elapsed = (time.perf_counter() - t0) * 1000
        captured = recorder.stop()
        if answer.status_code != 200:
            raise SystemExit(f"{kind} {path} as {person.username}: HTTP {answer.status_code}")
        if counted:
            times[kind].append(elapsed)
            statements[kind].append(len(captured))
            samples.setdefault(kind, (person.username, path, captured))
        return answer.get_data(as_text=True)

    for person in people:  # a first pass warms the process (templates, statements), not counted
        if person.role in ("leader", "supervisor"):
            hit("cockpit_cold", person, "/cockpit/")  # the first read of this district: computed
        if person.role == "leader":
            continue
        html = hit("inbox", person, "/", counted=False)
        person.cases = list(dict.fromkeys(int(case_id) for case_id, _ in CASE_LINK.findall(html)))
        if not person.cases:
            raise SystemExit(f"{person.username} has no case in their inbox")
        person.terms = search_terms(gl, rng.sample(person.cases, min(3, len(person.cases))), rng)
        hit("case_page", person, f"/cases/{person.cases[0]}", counted=False)
        hit("search", person, "/search?" + _query(person.terms[0]), counted=False)
    for _ in range(args.rounds):
        for person in people:
            if person.role == "leader" or person.role == "supervisor":
                hit("cockpit", person, "/cockpit/")
            if person.role == "leader":
                continue
            hit("inbox", person, "/")
            for case_id in rng.sample(person.cases, min(2, len(person.cases))):
                hit("case_page", person, f"/cases/{case_id}")
            for term in rng.sample(person.terms, min(2, len(person.terms))):
                hit("search", person, "/search?" + _query(term))
    wall = time.perf_counter() - started
    report = {"database": gl.engine.url.render_as_string(hide_password=True),
              "people": [(p.username, p.role) for p in people], "rounds": args.rounds, "wall_s": round(wall, 1),
              "cases": _count(gl), "kinds": {}}
    for kind, values in times.items():
        report["kinds"][kind] = {
            "n": len(values), "p50_ms": round(statistics.median(values), 1), "p95_ms": round(percentile(values, 0.95), 1),
            "max_ms": round(max(values), 1), "statements_median": statistics.median(statements[kind]),
            "target_p95_ms": TARGETS_MS.get(kind)}
    print_report(report)
    if args.explain:
        if gl.engine.dialect.name != "postgresql":
            raise SystemExit("--explain needs PostgreSQL")
        Path(args.explain).write_text(explain(gl, samples), encoding="utf-8")
        print(f"plans written to {args.explain}")
    if args.json:
        Path(args.json).write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    gl.engine.dispose()
    return report


def _count(gl):
    with gl.reading() as s:
        return s.scalar(select(func.count()).select_from(Case))


def print_report(report):
    print(f"{report['cases']:,} cases; {len(report['people'])} people; {report['wall_s']} s")
    print(f"{'page':14}{'n':>6}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'SQL/req':>9}  target p95")
    for kind in ("inbox", "case_page", "search", "cockpit", "cockpit_cold"):
        k = report["kinds"].get(kind)
        if k:
            target = f"≤ {k['target_p95_ms']} ms: {'met' if k['p95_ms'] <= k['target_p95_ms'] else 'MISSED'}" \
                if k["target_p95_ms"] else "(first read after a minute unused)"
            print(f"{kind:14}{k['n']:>6}{k['p50_ms']:>9}{k['p95_ms']:>9}{k['max_ms']:>9}{k['statements_median']:>9}  {target}")


def explain(gl, samples) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of each distinct SELECT one request of each kind ran, as Markdown."""
    out = ["# Query plans of one request of each kind", ""]
    raw = gl.engine.raw_connection()
    try:
        cursor = raw.cursor()
        for kind, (username, path, captured) in samples.items():
            out += [f"## {kind}: `GET {path}` as `{username}` ({len(captured)} statements)", ""]
            seen = set()
            for statement, parameters in captured:
                head = statement.lstrip().split(None, 1)[0].upper()
                if head not in ("SELECT", "WITH") or statement in seen:
                    continue
                seen.add(statement)
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
                plan = "\n".join(row[0] for row in cursor.fetchall())
                out += ["```sql", " ".join(statement.split())[:1500], "```", "```", plan, "```", ""]
        raw.rollback()
    finally:
        raw.close()
    return "\n".join(out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--per-role", type=int, default=3, help="people per role (caseworker, counsellor, …)")
    parser.add_argument("--rounds", type=int, default=10, help="passes over everyone's pages")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--explain", help="write the plans of one request of each kind to this Markdown file")
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    run(args)


if __name__ == "__main__":
    main()
