"""Fixtures for driving ``intervention_round`` through the engine's workflow runtime.

Every step goes through a serializer round trip (dump + load) and asserts it changed nothing, the way the
engine stores a round between requests. Timers are driven with the injected clock, never by sleeping.
"""
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from SpiffWorkflow.util.task import TaskState  # noqa: E402

from engine.clock import clock as engine_clock  # noqa: E402
from engine.rounds import owner_agency  # noqa: E402
from engine.runtime import WorkflowRuntime  # noqa: E402

WORKFLOWS = ROOT / "workflows"
AGENCIES = ("womens_federation", "procuratorate", "court", "police", "civil_affairs")
LANES = ("womens_federation", "supervisor", "procuratorate", "court", "police", "civil_affairs")
OUTCOME_ENDS = ("round_downgraded", "case_closed", "round_escalated", "round_continues")
MEASURES = ("notify", "admonish", "reprimand", "procuratorate_order", "court_order", "civil_affairs")
START = datetime(2025, 3, 3, 1, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="session")
def runtime():
    return WorkflowRuntime.from_directory(WORKFLOWS)


@pytest.fixture
def clock():
    engine_clock.set(START)
    yield engine_clock
    engine_clock.reset()


def measures(*chosen):
    unknown = set(chosen) - set(MEASURES)
    assert not unknown, unknown
    return {f"measure_{m}": m in chosen for m in MEASURES}


class Round:
    """One intervention round, stored and reloaded between every step."""

    def __init__(self, runtime, clock, case_type="general", current_code=""):
        self.rt = runtime
        self.clock = clock
        self.wf = runtime.new_workflow("intervention_round", {"case_type": case_type, "current_code": current_code})
        self.done = []  # (task id, lane) in completion order
        self.round_trip()

    # --- state ---------------------------------------------------------------------------------
    def snapshot(self):
        tasks = sorted(
            (str(t.id), t.task_spec.name, t.state, repr(sorted(t.data.items())))
            for t in self.wf.get_tasks()
        )
        ready = sorted((t.task_spec.name, repr(sorted(t.data.items()))) for t in self.rt.ready_user_tasks(self.wf))
        return tasks, ready, self.wf.is_completed(), self.rt.next_timer_at(self.wf)

    def round_trip(self):
        before = self.snapshot()
        state = self.rt.dump(self.wf)
        self.wf = self.rt.load(state)
        assert self.snapshot() == before, "serializer round trip changed the round"
        assert self.rt.dump(self.wf) == state, "dump(load(dump(round))) differs from dump(round)"

    def ready(self):
        return {t.task_spec.name: t for t in self.rt.ready_user_tasks(self.wf)}

    def ready_names(self):
        return set(self.ready())

    def lane_of(self, name):
        """The agency that owns the ready task (its lane, or the ``agency`` of a supervisor-lane task)."""
        return owner_agency(self.ready()[name].task_spec)

    def data(self, name):
        return dict(self.ready()[name].data)

    # --- steps ---------------------------------------------------------------------------------
    def complete(self, name, **data):
        ready = self.ready()
        assert name in ready, f"{name} is not ready; ready: {sorted(ready)}"
        task = ready[name]
        lane = owner_agency(task.task_spec)
        assert lane in AGENCIES, (name, lane)
        self.rt.complete(self.wf, task, data)
        self.done.append((name, lane))
        self.round_trip()

    def advance(self, **delta):
        self.clock.advance(timedelta(**delta))
        self.rt.fire_timers(self.wf)
        self.round_trip()

    def end(self):
        return self.rt.reached_end(self.wf, OUTCOME_ENDS)

    def lanes(self):
        return {name: lane for name, lane in self.done}

    # --- the usual stretches of a round --------------------------------------------------------
    def assess(self, total_score=5, risk_factors=()):
        self.complete("social_investigation")
        self.complete("scored_assessment", total_score=total_score, risk_factors=list(risk_factors))
        assert self.ready_names() == {"decide_handling"}

    def handle_notify_only(self):
        self.complete("decide_handling", **measures("notify"))
        self.complete("notify_guardian")
        assert self.ready_names() == {"draft_guidance_plan"}

    def guide(self, sessions=1, period="P180D"):
        self.complete("draft_guidance_plan", sessions_required=sessions, guidance_period=period)
        for n in range(1, sessions + 1):
            assert self.ready_names() == {"record_guidance_session"}
            self.complete("record_guidance_session", sessions_done=n)
        assert self.ready_names() == set()

    def follow_up(self):
        """Record every visit as soon as it falls due (no visit overdue)."""
        required = self.visits_required()
        interval = self.visit_interval_days()
        for n in range(1, required + 1):
            assert "record_followup_visit" not in self.ready_names()
            self.advance(days=interval, minutes=1)
            assert "record_followup_visit" in self.ready_names()
            self.complete("record_followup_visit", visits_done=n)
        assert "reassess" in self.ready_names()

    def visits_required(self):
        return self._last_value("visits_required")

    def visit_interval_days(self):
        value = self._last_value("visit_interval")
        assert value.startswith("P") and value.endswith("D"), value
        return int(value[1:-1])

    def _last_value(self, key):
        done = [t for t in self.wf.get_tasks(state=TaskState.COMPLETED) if key in t.data]
        assert done, key
        return max(done, key=lambda t: t.last_state_change).data[key]

    def reach_review(self, risk_factors=(), total_score=5):
        self.assess(total_score=total_score, risk_factors=risk_factors)
        self.handle_notify_only()
        self.guide()
        self.follow_up()
        assert self.ready_names() == {"reassess"}

    def order(self, issue, approve, deliver, returns=0):
        """Draft an order, have it returned ``returns`` times, approve it, deliver it."""
        variable = approve.removeprefix("approve_") + "_approved"
        for _ in range(returns):
            self.complete(issue)
            self.complete(approve, **{variable: False})
            assert issue in self.ready_names(), "a returned draft goes back to the drafting officer"
        self.complete(issue)
        self.complete(approve, **{variable: True})
        self.complete(deliver)

    def reassess(self, round_code, total_score, risk_factors=(), plan_met=True, visits_on_schedule=True):
        self.complete("reassess", total_score=total_score, risk_factors=list(risk_factors), round_code=round_code,
                      plan_met=plan_met, visits_on_schedule=visits_on_schedule)
        assert "decide_outcome" in self.ready_names()
        return self.data("decide_outcome")


@pytest.fixture
def new_round(runtime, clock):
    def make(case_type="general", current_code=""):
        return Round(runtime, clock, case_type, current_code)
    return make
