"""Checks, from the database, that what a benchmark did left the data whole. Shared by ``load.py``,
``timers.py`` and ``faults.py``.

* ``Baseline``: the audit log's last id and every case's version, taken before the run.
* ``check_completions``: every acknowledged completion (a 302 after a POST) is in the database — its task
  record, by that user, with the values sent, and its free text (each submission carries a unique token);
  no refused or failed submission left anything behind; an unanswered one (a killed worker) is either
  wholly there or wholly absent.
* ``check_versions``: no lost update. For each case changed during the run, no two committed completions
  started from the same case version (the audit entry of each completion records the version it saw),
  and the case's version went up by the acknowledged changes plus the timer firings in the audit log.
* ``check_timers``: each timer due at the start fired exactly once (one ``fire_timers`` entry per round and
  due time), none is left due, no late task has two open chases (a repeated chase raises the open one's
  count, never a second row).
* ``check_consistency``: every round's workflow state loads, each case's work items are exactly the READY
  user tasks of its running round, ``next_timer_at`` is what the state says, at most one running round
  per case.
* ``audit_verify``: ``guardloop audit verify`` in a subprocess (exit 0, "OK").
"""
import re
import subprocess
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import String, cast, func, select

ROOT = Path(__file__).resolve().parent.parent
# Where the free text of a submission ends up (table, column): searched for the submissions' tokens.
TEXT_PLACES = (("task_record", "data"), ("guidance_session", "notes"), ("followup_visit", "findings"),
               ("assessment", "summary"), ("approval", "request_reason"), ("approval", "decision_reason"),
               ("approval", "payload"), ("document_record", "fields"), ("audit_entry", "after"))


@dataclass
class Baseline:
    audit_id: int
    versions: dict            # case id -> version
    taken_at: datetime


@dataclass
class Attempt:
    """One submission of a task form, as the client saw it."""
    token: str
    username: str
    user_id: int
    case_id: int
    task_id: str
    spec: str
    expected_version: int
    status: int | None          # None: no response (connection closed, e.g. the worker was killed)
    kind: str = "complete"      # complete / duel
    sent: dict = field(default_factory=dict)
    at: float = 0.0             # monotonic time the request was sent


def take_baseline(gl) -> Baseline:
    from engine.models import AuditHead, Case
    with gl.reading() as session:
        head = session.get(AuditHead, 1)
        versions = dict(session.execute(select(Case.id, Case.version)).all())
    return Baseline(head.last_id if head else 0, versions, datetime.now())


def _norm(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, list):
        return sorted(str(v) for v in value)
    return str(value)


def tokens_in_database(gl, prefix: str, case_ids) -> dict:
    """token -> set of the (table, column) places it appears in, among the rows of the given cases."""
    from engine.models.base import Base
    found = defaultdict(set)
    token_re = re.compile(re.escape(prefix) + r"-\d+")
    ids = sorted(case_ids)
    with gl.reading() as session:
        for table_name, column_name in TEXT_PLACES:
            table = Base.metadata.tables[table_name]
            text = cast(table.c[column_name], String)
            for start in range(0, len(ids), 1000):
                query = select(text).where(table.c.case_id.in_(ids[start:start + 1000]), text.like(f"%{prefix}%"))
                for (value,) in session.execute(query):
                    for token in token_re.findall(value or ""):
                        found[token].add(f"{table_name}.{column_name}")
    return found


def _matches(data: dict, sent: dict) -> bool:
    """The record holds the values sent (for every key both have; at least one such key)."""
    common = [k for k in sent if k in data]
    return bool(common) and all(_norm(data[k]) == _norm(sent[k]) for k in common)


def check_completions(gl, attempts: list[Attempt], prefix: str) -> dict:
    from engine.models import TaskRecord
    places = tokens_in_database(gl, prefix, {a.case_id for a in attempts})
    task_ids = {a.task_id for a in attempts}
    with gl.reading() as session:
        records = {}
        ids = sorted(task_ids)
        for start in range(0, len(ids), 1000):
            for rec in session.scalars(select(TaskRecord).where(TaskRecord.task_id.in_(ids[start:start + 1000]))):
                records.setdefault(rec.task_id, []).append(rec)
    # the specs whose free text the engine keeps somewhere (learnt from the acknowledged completions)
    specs_with_text = {a.spec for a in attempts if a.status == 302 and a.token in places}
    problems, unacked_committed, by_status = [], [], Counter()
    value_checks = value_mismatches = 0
    text_missing_by_spec = Counter()
    acked_by_spec = Counter()
    for a in attempts:
        by_status[str(a.status)] += 1
        recs = records.get(a.task_id, [])
        mine = [r for r in recs if r.completed_by == a.user_id]
        has_text = a.token in places
        if a.status == 302:
            acked_by_spec[a.spec] += 1
            if len(recs) != 1 or not mine:
                problems.append({"problem": "acknowledged completion missing or completed by someone else",
                                 "task_id": a.task_id, "case_id": a.case_id, "spec": a.spec, "user": a.username,
                                 "records": [(r.completed_by, r.task_spec) for r in recs]})
                continue
            rec = mine[0]
            if rec.task_spec != a.spec:
                problems.append({"problem": "task record of another task", "task_id": a.task_id,
                                 "spec": a.spec, "recorded": rec.task_spec})
            data = rec.data or {}
            for key, value in a.sent.items():
                if key in data:
                    value_checks += 1
                    if _norm(data[key]) != _norm(value):
                        value_mismatches += 1
                        problems.append({"problem": "recorded value differs from the value sent",
                                         "task_id": a.task_id, "spec": a.spec, "field": key,
                                         "sent": value, "recorded": data[key]})
            if not has_text:
                text_missing_by_spec[a.spec] += 1
        elif a.status is None or a.status >= 500:
            # no answer: the change is either wholly committed (its record and its text) or wholly absent
            ours = [r for r in mine if _matches(r.data or {}, a.sent)]
            if ours and (has_text or a.spec not in specs_with_text):
                unacked_committed.append(a)
            elif ours or has_text:
                problems.append({"problem": "unanswered submission half-written", "task_id": a.task_id,
                                 "spec": a.spec, "record": bool(mine), "text": sorted(places.get(a.token, ()))})
        else:
            # refused (409, 422, 403, ...): nothing of it may be in the database
            if has_text:
                problems.append({"problem": f"refused submission ({a.status}) left data behind",
                                 "task_id": a.task_id, "spec": a.spec, "places": sorted(places.get(a.token, ()))})
    return {"attempts": len(attempts), "by_status": dict(by_status),
            "acknowledged": sum(acked_by_spec.values()), "acknowledged_by_spec": dict(acked_by_spec.most_common()),
            "acknowledged_present": sum(acked_by_spec.values()) - sum(
                1 for p in problems if p["problem"].startswith("acknowledged")),
            "values_compared": value_checks, "value_mismatches": value_mismatches,
            # specs whose handler keeps none of the free text sent (not an error: what the engine stores)
            "acknowledged_without_stored_text_by_spec": dict(text_missing_by_spec),
            "unanswered_but_committed": [{"task_id": a.task_id, "case_id": a.case_id, "spec": a.spec}
                                         for a in unacked_committed],
            "problems": problems[:50], "problem_count": len(problems), "ok": not problems,
            "_unacked_committed": unacked_committed}


def check_versions(gl, baseline: Baseline, attempts: list[Attempt], unacked_committed=()) -> dict:
    from engine.models import AuditEntry, Case
    acked = Counter(a.case_id for a in attempts if a.status == 302)
    extra = Counter(a.case_id for a in unacked_committed)
    expected_seen = {a.task_id: a.expected_version for a in attempts if a.status == 302}
    with gl.reading() as session:
        entries = session.execute(select(AuditEntry.case_id, AuditEntry.action, AuditEntry.entity_id,
                                         AuditEntry.before, AuditEntry.after)
                                  .where(AuditEntry.id > baseline.audit_id,
                                         AuditEntry.action.in_(("complete_task", "fire_timers", "upgrade_on_incident")))
                                  .order_by(AuditEntry.id)).all()
        touched = {e.case_id for e in entries} | set(acked)
        versions = {}
        ids = sorted(touched)
        for start in range(0, len(ids), 1000):
            versions.update(session.execute(select(Case.id, Case.version)
                                            .where(Case.id.in_(ids[start:start + 1000]))).all())
    completions, timers, seen = Counter(), Counter(), defaultdict(list)
    specs = defaultdict(Counter)
    other_changes = Counter()
    audit_saw = {}
    for e in entries:
        if e.action == "complete_task":
            completions[e.case_id] += 1
            seen[e.case_id].append((e.before or {}).get("case_version"))
            specs[e.case_id][(e.before or {}).get("task")] += 1
            audit_saw[e.entity_id] = (e.before or {}).get("case_version")
        elif e.action == "fire_timers":
            timers[e.case_id] += 1
        else:
            other_changes[e.case_id] += 1
    lost, mismatched, unknown_commits, shortfall = [], [], [], []
    for case_id in sorted(touched):
        versions_seen = seen.get(case_id, [])
        if len(versions_seen) != len(set(versions_seen)):
            lost.append({"case_id": case_id, "versions_seen": versions_seen})
        delta = versions.get(case_id, 0) - baseline.versions.get(case_id, 1)
        known = acked[case_id] + extra[case_id] + timers[case_id] + other_changes[case_id]
        if completions[case_id] != acked[case_id] + extra[case_id]:
            unknown_commits.append({"case_id": case_id, "committed": completions[case_id],
                                    "acknowledged": acked[case_id], "unanswered_committed": extra[case_id]})
        if delta != known:
            row = {"case_id": case_id, "version_increments": delta, "acknowledged": acked[case_id],
                   "unanswered_committed": extra[case_id], "timer_firings": timers[case_id],
                   "tasks": dict(specs[case_id])}
            (mismatched if delta > known else shortfall).append(row)
    spec_of = {a.task_id: a.spec for a in attempts}
    wrong_seen = Counter()
    for t, v in expected_seen.items():
        if audit_saw.get(t) != v:
            wrong_seen[(spec_of[t], (audit_saw.get(t) or 0) - v)] += 1
    # Which task specs go with more increments than changes: engine behaviour, told apart from lost data.
    spec_in_mismatch, spec_in_match = Counter(), Counter()
    mismatched_ids = {m["case_id"] for m in mismatched}
    for case_id, counts in specs.items():
        (spec_in_mismatch if case_id in mismatched_ids else spec_in_match).update(counts)
    excess = sum(m["version_increments"] - (m["acknowledged"] + m["unanswered_committed"] + m["timer_firings"])
                 for m in mismatched)
    return {"cases_changed": len(touched), "completions_committed": sum(completions.values()),
            "timer_firings": sum(timers.values()), "acknowledged": sum(acked.values()),
            # a lost update: two completions committed against the same version, or fewer increments than
            # committed changes
            "lost_updates": lost[:50], "lost_update_count": len(lost),
            "fewer_increments_than_changes": shortfall[:50],
            "committed_without_acknowledgement": unknown_commits[:50],
            # more increments than changes: the engine bumped the version more than once for one change
            "cases_with_more_increments_than_changes": len(mismatched), "extra_increments_total": excess,
            "more_increments_examples": mismatched[:10],
            "specs_in_cases_with_more_increments": dict(spec_in_mismatch.most_common()),
            "specs_in_cases_with_equal_counts": dict(spec_in_match.most_common()),
            # the audit's before.case_version of a completion vs the expected_version posted: (spec, difference)
            "audit_version_differs_from_posted": {f"{spec} {diff:+d}": n for (spec, diff), n in wrong_seen.items()},
            "ok": not lost and not unknown_commits and not shortfall and not mismatched,
            "counts_equal": not mismatched and not shortfall}


def check_timers(gl, baseline: Baseline, due_round_ids: set, moment: datetime, due_cases: dict | None = None) -> dict:
    """Each round due at ``moment`` fired exactly once (per due time), nothing stays due.

    ``due_cases`` (round id -> case id): with users working at the same time, a due round may legitimately
    not fire because a user completed the task its timer was attached to first (the timer is cancelled);
    such rounds (a completion on the case after the baseline, timer no longer due) are counted apart."""
    from engine.models import AuditEntry, Chase, Round
    with gl.reading() as session:
        completed_cases = set(session.scalars(select(AuditEntry.case_id).where(
            AuditEntry.id > baseline.audit_id, AuditEntry.action == "complete_task"))) if due_cases else set()
        fired = session.execute(select(AuditEntry.entity_id, AuditEntry.before)
                                .where(AuditEntry.id > baseline.audit_id, AuditEntry.action == "fire_timers")).all()
        # of the rounds due at the start: any still due (a round changed since, by a user at the real time,
        # may have a new timer before ``moment`` that was not due at the start: not counted)
        ids = sorted(due_round_ids)
        still_ids = []
        for start in range(0, len(ids), 1000):
            still_ids += session.scalars(select(Round.id).where(
                Round.id.in_(ids[start:start + 1000]), Round.status == "running", Round.next_timer_at < moment)).all()
        due_anywhere = session.scalar(select(func.count(Round.id)).where(Round.status == "running",
                                                                         Round.next_timer_at < moment))
        double_chases = session.execute(select(Chase.task_id, func.count(Chase.id))
                                        .where(Chase.resolved_at.is_(None), Chase.answered_at.is_(None))
                                        .group_by(Chase.task_id).having(func.count(Chase.id) > 1)).all()
    per_round = Counter(int(e.entity_id) for e in fired)
    per_due_time = Counter((e.entity_id, (e.before or {}).get("next_timer_at")) for e in fired)
    twice = {k: n for k, n in per_due_time.items() if n > 1}
    missing = sorted(due_round_ids - set(per_round))
    unexpected = sorted(set(per_round) - due_round_ids)
    # With users working at the real time meanwhile (faults.py), a case a user changed may have had its due
    # timer cancelled (the task it was attached to was completed first), its round ended, or a new timer
    # before ``moment`` (due again, or newly due): such rounds are counted apart, not judged. Firing the
    # same due time twice is judged everywhere.
    changed = set()
    if due_cases:
        case_of = dict(due_cases)
        with gl.reading() as session:
            case_of.update(session.execute(select(Round.id, Round.case_id).where(
                Round.id.in_(unexpected or [0]))).all())
        changed = {r for r in set(missing) | set(unexpected) | set(still_ids) if case_of.get(r) in completed_cases}
    missing = [r for r in missing if r not in changed]
    unexpected = [r for r in unexpected if r not in changed]
    still_due = len([r for r in still_ids if r not in changed])
    return {"due_rounds": len(due_round_ids), "fire_entries": len(fired), "rounds_fired": len(per_round),
            "rounds_fired_more_than_once": sum(1 for n in per_round.values() if n > 1),
            "same_due_time_fired_twice": len(twice), "examples_fired_twice": [list(k) for k in list(twice)[:10]],
            "due_but_not_fired": len(missing), "examples_not_fired": missing[:10],
            "rounds_on_cases_users_changed_meanwhile_not_judged": len(changed),
            "fired_but_not_due": len(unexpected), "still_due_after": still_due,
            "rounds_due_at_moment_now_anywhere": due_anywhere,
            "tasks_with_two_open_chases": len(double_chases),
            "ok": not twice and not missing and not unexpected and not still_due and not double_chases}


def check_consistency(gl, case_ids=None, limit_examples: int = 20) -> dict:
    """Load every (running) round of the given cases (default: all running rounds) and compare."""
    from engine.models import Round, WorkItem
    problems = []
    checked = 0
    with gl.reading() as session:
        query = select(Round).where(Round.status == "running")
        running_per_case = Counter()
        item_query = select(WorkItem.case_id, WorkItem.round_id, WorkItem.task_id)
        if case_ids is not None:
            ids = sorted(case_ids)
            rounds, items = [], []
            for start in range(0, len(ids), 1000):
                chunk = ids[start:start + 1000]
                rounds += session.scalars(query.where(Round.case_id.in_(chunk))).all()
                items += session.execute(item_query.where(WorkItem.case_id.in_(chunk))).all()
        else:
            rounds = session.scalars(query).all()
            items = session.execute(item_query).all()
        by_case = defaultdict(set)
        for case_id, round_id, task_id in items:
            by_case[case_id].add((round_id, task_id))
        for rnd in rounds:
            running_per_case[rnd.case_id] += 1
            checked += 1
            try:
                runtime = gl.runtime(session, rnd.model_version)
                workflow = runtime.load(rnd.state)
                ready, _, _ = runtime.scan(workflow)
                timer = runtime.next_timer_at(workflow)
            except Exception as exc:  # noqa: BLE001  (a state that does not load is what we look for)
                problems.append({"problem": "state does not load", "round_id": rnd.id, "error": repr(exc)[:200]})
                continue
            expected = {(rnd.id, t) for t in ready}
            actual = by_case.get(rnd.case_id, set())
            if expected != actual:
                problems.append({"problem": "work items differ from READY tasks", "case_id": rnd.case_id,
                                 "round_id": rnd.id, "ready_without_item": len(expected - actual),
                                 "item_without_ready_task": len(actual - expected)})
            stored = rnd.next_timer_at
            if (stored is None) != (timer is None) or (stored and timer and abs((stored - timer).total_seconds()) > 1):
                problems.append({"problem": "next_timer_at differs from the state", "round_id": rnd.id,
                                 "stored": str(stored), "state": str(timer)})
        two = [c for c, n in running_per_case.items() if n > 1]
        if two:
            problems.append({"problem": "cases with more than one running round", "cases": two[:20]})
        running_cases = set(running_per_case)
        orphans = [c for c in by_case if c not in running_cases]
        if orphans:
            problems.append({"problem": "work items of cases without a running round", "cases": orphans[:20]})
    return {"rounds_checked": checked, "problem_count": len(problems), "problems": problems[:limit_examples],
            "ok": not problems}


def audit_verify(database_url: str) -> dict:
    from .server import bench_env
    guardloop = Path(sys.executable).with_name("guardloop")
    command = [str(guardloop)] if guardloop.exists() else [sys.executable, "-m", "web.cli"]
    proc = subprocess.run(command + ["audit", "verify"], cwd=ROOT, env=bench_env(database_url),
                          capture_output=True, text=True, timeout=3600)
    out = (proc.stdout + proc.stderr).strip()
    return {"exit_code": proc.returncode, "output": out[-2000:], "ok": proc.returncode == 0 and "OK" in out}


__all__ = ["Attempt", "Baseline", "audit_verify", "check_completions", "check_consistency", "check_timers",
           "check_versions", "take_baseline", "tokens_in_database"]
