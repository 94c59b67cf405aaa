"""The cockpit at municipal scale: synthetic cases bulk-loaded into PostgreSQL, every figure timed cold.

The rows are what the services leave under Procedure v2 (rounds with their step times, assessments, reports,
task records, documents, plans, sessions, visits, approvals, work items, chases, code changes, clues) but
written directly with COPY, so
100,000 cases load in a minute or two. Then each figure of ``engine.reads.cockpit`` is computed without the
cache for one district and for the whole municipality, and the cached read is timed too.

    python -m bench.cockpit --database-url postgresql://postgres@127.0.0.1:5432/test --cases 100000
    python -m bench.cockpit ... --indexes        # also with the indexes recommended for this scale

A schema of its own is created for the run and dropped afterwards (``--keep`` keeps it).
"""
import argparse
import json
import random
import statistics
import sys
import time
import uuid
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, select, text  # noqa: E402

from engine.actor import actor_by_username  # noqa: E402
from engine.infra.bootstrap import init  # noqa: E402
from engine.reads.cockpit import FIGURES, cache_of, read_cockpit, read_scope  # noqa: E402
from engine.context import GuardLoop  # noqa: E402
from engine.infra.db import make_engine  # noqa: E402
from engine.models import District, User  # noqa: E402
from engine.reference import CLUE_SOURCES, CODES, FAMILY_TYPES  # noqa: E402
from engine.infra.settings import Settings  # noqa: E402

# Recommended for 10⁵ cases (the schema is not this module's to change: listed in the report, created here
# only with --indexes, to measure them).
INDEXES = [
    "CREATE INDEX IF NOT EXISTS bx_round_ended ON round (ended_at) WHERE status <> 'running'",
    "CREATE INDEX IF NOT EXISTS bx_task_record_round_spec_at ON task_record (round_id, task_spec, completed_at)",
    "CREATE INDEX IF NOT EXISTS bx_document_type_issued ON document_record (doc_type, issued_at)",
    "CREATE INDEX IF NOT EXISTS bx_risk_clue_received ON risk_clue (district_id, received_at)",
    "CREATE INDEX IF NOT EXISTS bx_code_change_decided ON risk_code_change (kind, decided_at)",
    "CREATE INDEX IF NOT EXISTS bx_session_held ON guidance_session (held_on)",
    "CREATE INDEX IF NOT EXISTS bx_work_item_district_due ON work_item (district_id, due_at)",
    "CREATE INDEX IF NOT EXISTS bx_case_status_district ON case_file (status, district_id)",
]
# The task records of a round (Procedure v2) in the order they are written, with the step each belongs to:
# sessions and visits are records, and the waiting receive task that took each one leaves a task record.
STEP_TASKS = [("social_investigation", "assess"), ("scored_assessment", "assess"), ("propose_measures", "handle"),
              ("notify_guardian", "handle"), ("draft_guidance_plan", "guide"), ("await_session", "guide"),
              ("await_session", "guide"), ("await_session", "guide"), ("await_visit", "follow_up"),
              ("await_visit", "follow_up"), ("reassess", "review"), ("decide_outcome", "review"),
              ("approve_downgrade", "review")]
CHASE_SHARE = 0.1   # open rounds with an unanswered visit chase (ended rounds: answered ones)


@contextmanager
def schema(url: str, keep: bool, existing: str | None = None):
    """A fresh schema for the run (dropped afterwards unless ``keep``), or an ``existing`` one as it is."""
    admin = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    name = existing or f"bench_{uuid.uuid4().hex[:10]}"
    if not existing:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{name}"'))
    else:
        keep = True
    try:
        print(f"schema {name}")
        yield f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{name}"
    finally:
        if not keep:
            with admin.connect() as conn:
                conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
        admin.dispose()


class Rows:
    """Rows per table, with ids handed out here (COPY writes them as they are)."""

    def __init__(self):
        self.tables: dict[str, tuple[list[str], list[tuple]]] = {}
        self.next_id: dict[str, int] = {}

    def add(self, table: str, **values) -> int:
        row_id = self.next_id.get(table, 1)
        self.next_id[table] = row_id + 1
        columns, rows = self.tables.setdefault(table, (["id", *values], []))
        rows.append((row_id, *values.values()))
        return row_id


def synthesize(n_cases: int, districts: list[int], user: int, version: str, now: datetime, seed=7, chunk=5000):
    """Yields the rows chunk by chunk (ids keep counting across chunks), so memory stays small."""
    rng, rows = random.Random(seed), Rows()
    for i in range(n_cases):
        if i and i % chunk == 0:
            yield rows
            rows.tables = {}
        district = rng.choice(districts)
        opened = now - timedelta(days=rng.uniform(3, 3 * 365))
        closed = opened + timedelta(days=rng.uniform(200, 700)) if rng.random() < 0.35 else None
        closed = closed if closed and closed < now else None
        case_id = rows.add("case_file", case_no=f"B{district}-{i:07d}", district_id=district,
                           case_type="general", status="closed" if closed else "open", child_name="合成儿童",
                           child_sex=rng.choice("MF"), child_birth_date=date(2012, 1, 1),
                           family_types=json.dumps(rng.sample(list(FAMILY_TYPES), rng.randint(0, 2))),
                           risk_factors="[]", current_code=rng.choice(CODES), opened_by=user, opened_at=opened,
                           closed_at=closed, updated_at=opened, version=1)
        rows.add("risk_clue", clue_no=f"BX{district}-{i:07d}", district_id=district,
                 source=rng.choice(list(CLUE_SOURCES)), reporter_name="报告人", mandatory_report=False,
                 received_at=opened - timedelta(hours=rng.uniform(1, 72)), description="合成", child="{}",
                 guardians="[]", family_types="[]", risk_factors="[]", registered_by=user,
                 registering_agency="womens_federation", registered_at=opened, case_id=case_id, status="opened")
        _rounds(rows, rng, case_id, district, opened, closed, now, user, version)
    yield rows


def _rounds(rows, rng, case_id, district, opened, closed, now, user, version):
    start, number = opened, 0
    while True:
        number += 1
        length = timedelta(days=rng.uniform(90, 300))
        end = start + length
        last = (closed is not None and end >= closed) or end >= now or number == 3
        ended = end if (closed is not None or end < now) and not (last and closed is None) else None
        status = "completed" if ended else "running"
        outcome = ("closed" if closed else rng.choice(["downgraded", "another_round", "escalated"])) if ended else None
        if ended and rng.random() < 0.08:
            status, outcome = "interrupted", "upgraded"
        code = rng.choice(CODES)
        done = len(STEP_TASKS) if ended else rng.randint(1, len(STEP_TASKS) - 1)
        round_id = rows.add("round", case_id=case_id, number=number, process_id="intervention_round",
                            model_version=version, status=status, outcome=outcome, risk_code=code, started_at=start,
                            ended_at=ended, state="", steps=json.dumps(_steps(start, ended or now, done)))
        _evidence(rows, rng, case_id, round_id, district, start, ended or now, done, outcome, user)
        if ended is None or last:
            return
        start = ended


def _task_times(start, end) -> list[datetime]:
    span = (end - start).total_seconds()
    return [start + timedelta(seconds=span * (k + 1) / (len(STEP_TASKS) + 1)) for k in range(len(STEP_TASKS))]


def _steps(start, end, done: int) -> dict:
    """``Round.steps`` as the engine records it: when each step began and ended. Handle, guide and follow-up
    begin together when the assessment ends (v2 runs them side by side); review begins with its first task;
    a step ends with its last task."""
    times, steps = _task_times(start, end), {}
    assessed = times[[s for s, _ in STEP_TASKS].index("scored_assessment")]
    for step in dict.fromkeys(step for _, step in STEP_TASKS):
        ks = [k for k, (_, st) in enumerate(STEP_TASKS) if st == step]
        began = start if step == "assess" else times[ks[0]] if step == "review" else assessed
        if step != "assess" and (done <= ks[0] if step == "review" else done < 2):
            continue
        ended = times[ks[-1]] if done > ks[-1] else None
        steps[step] = {"started": began.isoformat(), "ended": ended.isoformat() if ended else None}
    return steps


def _evidence(rows, rng, case_id, round_id, district, start, end, done, outcome, user):
    ended = done == len(STEP_TASKS)
    for spec, at in list(zip((spec for spec, _ in STEP_TASKS), _task_times(start, end)))[:done]:
        rows.add("task_record", case_id=case_id, round_id=round_id, task_spec=spec, lane="womens_federation",
                 data="{}", completed_by=user, completed_at=at)
    base = dict(case_id=case_id, round_id=round_id)
    rows.add("assessment", **base, kind="initial", item_scores="{}", total_score=10, risk_factors="[]", summary="",
             assessed_by=user, assessed_at=start)
    for kind, doc_type in (("report", "assessment_report"), ("served", rng.choice(["duty_notice", "supervision_order",
                                                                                   "guidance_order"]))):
        delivered = start.date() if kind == "served" and rng.random() < 0.8 else None
        rows.add("document_record", **base, doc_type=doc_type, title="", issuing_agency=rng.choice(
            ["procuratorate", "court", "womens_federation"]), status="issued", fields="{}", issued_by=user,
            issued_at=start + timedelta(days=2), delivered_on=delivered)
    rows.add("guidance_plan", **base, provider_id=1, sessions_required=3, min_minutes=40, period_days=120, goals="",
             drafted_by=user, drafted_at=start + timedelta(days=3))
    for s in range(rng.randint(1, 5)):
        rows.add("guidance_session", **base, kind="case_guidance",
                 held_on=(start + timedelta(days=10 + 20 * s)).date(), minutes=rng.choice([30, 45, 60]),
                 guardian_attended=rng.random() < 0.85, notes="", recorded_by=user, recorded_at=start)
    for v in range(rng.randint(0, 4)):
        rows.add("followup_visit", **base, method="phone", visited_on=(start + timedelta(days=100 + 14 * v)).date(),
                 findings="", orders_complied=True, new_incident=False, recorded_by=user, recorded_at=start)
    rows.add("risk_code_change", **base, kind="assessment", code="yellow", previous_code=None, reason="",
             decided_by=user, decided_at=start)
    if ended:
        rows.add("assessment", **base, kind="reassessment", item_scores="{}", total_score=8, risk_factors="[]",
                 summary="", assessed_by=user, assessed_at=end)
        rows.add("document_record", **base, doc_type="assessment_report", title="", issuing_agency="womens_federation",
                 status="issued", fields="{}", issued_by=user, issued_at=end, delivered_on=None)  # the re-assessment's report
        kind = {"downgraded": "downgrade", "closed": "closure", "escalated": "escalation"}.get(outcome)
        if kind:
            rows.add("approval", **base, kind=kind, status="approved", request_reason="", requested_by=user,
                     requested_at=end, decided_by=user, decided_at=end)
        if outcome in ("downgraded", "upgraded"):
            rows.add("risk_code_change", **base, kind=outcome[:-1], code="blue", previous_code="yellow", reason="",
                     decided_by=user, decided_at=end)
    chased = rng.random() < CHASE_SHARE
    if not ended:   # the round waits for a visit (a receive task is open work too); now and then it is chased
        task_id = str(uuid.uuid4())
        rows.add("work_item", round_id=round_id, case_id=case_id, district_id=district, task_id=task_id,
                 task_spec="await_visit", task_name="等待回访记录", lane="womens_federation", roles='["caseworker"]',
                 step="follow_up", ready_at=end, due_at=end + timedelta(days=rng.uniform(-20, 20)))
    if chased:
        raised = start + (end - start) / 2
        rows.add("chase", **base, kind="visit", task_id=task_id if not ended else str(uuid.uuid4()),
                 task_spec="await_visit", late_agency="womens_federation", to_agency="womens_federation",
                 district_id=district, times=1, first_raised_at=raised, last_raised_at=raised,
                 answered_by=user if ended else None, answered_at=end if ended else None)


ORDER = ["case_file", "risk_clue", "round", "task_record", "assessment", "document_record", "guidance_plan",
         "guidance_session", "followup_visit", "risk_code_change", "approval", "work_item", "chase"]


def load(gl, chunks) -> dict[str, int]:
    counts: dict[str, int] = {}
    raw = gl.engine.raw_connection()
    try:
        with raw.cursor() as cur:
            for rows in chunks:
                for table in ORDER:
                    columns, data = rows.tables.get(table, ([], []))
                    if data:
                        with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                            for row in data:
                                copy.write_row(row)
                        counts[table] = counts.get(table, 0) + len(data)
                raw.commit()
            for table in ORDER:
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
            raw.commit()
            cur.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()
    return counts


def time_figures(gl, actor, filters, repeat: int) -> dict:
    out = {}
    with gl.reading() as session:
        scope = read_scope(session, gl, actor, filters)
        now = gl.clock.now()
        for name, figure in FIGURES.items():
            samples = []
            for _ in range(repeat):
                started = time.perf_counter()
                figure(session, gl, scope, now)
                samples.append((time.perf_counter() - started) * 1000)
            out[name] = samples
    totals = []
    for _ in range(repeat):
        cache_of(gl).clear()
        started = time.perf_counter()
        read_cockpit(gl, actor, filters)
        totals.append((time.perf_counter() - started) * 1000)
    cached = []
    for _ in range(repeat * 10):
        started = time.perf_counter()
        read_cockpit(gl, actor, filters)
        cached.append((time.perf_counter() - started) * 1000)
    out["(whole cockpit, cold)"], out["(whole cockpit, cached)"] = totals, cached
    return out


def report(title: str, timings: dict) -> None:
    print(f"\n{title}\n{'figure':<28}{'median ms':>10}{'max ms':>9}")
    for name, samples in timings.items():
        print(f"{name:<28}{statistics.median(samples):>10.1f}{max(samples):>9.1f}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True, help="a PostgreSQL URL (the scale is PostgreSQL's)")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--runs", type=int, default=3, help="how many of the three scopes to time")
    parser.add_argument("--indexes", action="store_true", help="also time with the recommended indexes")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--schema", help="time an existing schema (left by --keep) instead of loading a new one")
    args = parser.parse_args(argv)
    with schema(args.database_url, args.keep, args.schema) as url:
        gl = GuardLoop(Settings(database_url=url, demo_mode=True), engine=make_engine(url))
        init(gl, with_demo_users=True)
        with gl.reading() as s:
            districts = list(s.scalars(select(District.id).order_by(District.id)))
            user = s.scalars(select(User.id).where(User.username == "admin")).one()
            version = gl.current_version(s)
            supervisor, leader = actor_by_username(s, "wf_supervisor"), actor_by_username(s, "leader")
        if not args.schema:
            started = time.perf_counter()
            counts = load(gl, synthesize(args.cases, districts, user, version, gl.clock.now()))
            print(f"loaded {sum(counts.values()):,} rows in {time.perf_counter() - started:.0f} s: {counts}")
        runs = [("one district (JB), last 12 months", supervisor, {}),
                ("all districts, last 12 months", leader, {"district": "all"}),
                ("all districts, 5 years", leader, {"district": "all",
                                                    "from": (gl.clock.today() - timedelta(days=5 * 365)).isoformat()})]
        for label, actor, filters in runs[:args.runs]:
            report(label, time_figures(gl, actor, filters, args.repeat))
        if args.indexes:
            with gl.engine.begin() as conn:
                for statement in INDEXES:
                    conn.execute(text(statement))
                conn.execute(text("ANALYZE"))
            for label, actor, filters in runs[:args.runs]:
                report(f"{label} — with the recommended indexes", time_figures(gl, actor, filters, args.repeat))
        gl.engine.dispose()


if __name__ == "__main__":
    main()
