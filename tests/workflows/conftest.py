"""Fixtures for driving ``intervention_round`` and the processes it calls through the workflow runtime.

Every step goes through a serializer round trip (dump + load) and asserts it changed nothing, the way the
engine stores a round between requests. Timers are driven with the injected clock, never by sleeping. The
engine's side of the model (the orders in force a service task asks for, the chases it raises) is played by
the harness.
"""
import json
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from engine.workflow.clock import clock as engine_clock  # noqa: E402
from engine.workflow.rounds import late_task  # noqa: E402
from engine.workflow.runtime import StepContext, WorkflowRuntime, step_context  # noqa: E402

WORKFLOWS = ROOT / "workflows"
AGENCIES = ("womens_federation", "procuratorate", "court", "police", "civil_affairs", "education", "community")
OUTCOME_ENDS = ("round_downgraded", "case_closed", "round_escalated", "round_continues")
START = datetime(2025, 3, 3, 1, 0, tzinfo=timezone.utc)
LOW = {"danger": False, "guardian_unable": False, "other_carer_able": False, "child_safety": 1, "serious": False,
       "concern": False, "special": False}


def inputs(total, **flags):
    """What the scored assessment hands the risk-code table."""
    return {**LOW, "total_score": total, **flags}


@pytest.fixture(scope="session")
def runtime():
    return WorkflowRuntime.from_directory(WORKFLOWS)


@pytest.fixture
def clock():
    engine_clock.set(START)
    yield engine_clock
    engine_clock.reset()


class Round:
    """One intervention round, stored and reloaded between every step."""

    def __init__(self, runtime, clock, case_type="general", current_code="", family_types=()):
        self.rt = runtime
        self.clock = clock
        self.orders = []      # what the ``orders_in_force`` service answers
        self.chases = []      # (kind, the late task's spec name) of every chase the model raised
        self.done = []        # (task name, owning agency) in completion order
        self.wf = self._step(lambda: runtime.new_workflow("intervention_round", {
            "case_type": case_type, "current_code": current_code, "family_types": list(family_types)}))
        self.round_trip()

    # --- stepping with the engine's side played by the harness -------------------------------------
    def _step(self, action):
        context = StepContext(services={"orders_in_force": lambda task, params: list(self.orders)})
        token = step_context.set(context)
        try:
            result = action()
        finally:
            step_context.reset(token)
        for operation, task, params in context.outbox:
            assert operation == "raise_chase", operation
            late = late_task(task)
            assert late is not None, "a chase names the task it is about"
            self.chases.append((params["kind"], late.task_spec.name))
        return result

    def snapshot(self):
        tasks = sorted((str(t.id), t.task_spec.name, t.state, repr(sorted(t.data.items()))) for t in self.wf.get_tasks())
        ready = sorted((t.task_spec.name, repr(sorted(t.data.items()))) for t in self.rt.ready_user_tasks(self.wf))
        return tasks, ready, self.wf.is_completed(), self.rt.next_timer_at(self.wf)

    def round_trip(self):
        before = self.snapshot()
        state = self.rt.dump(self.wf)
        self.wf = self.rt.load(state)
        assert self.snapshot() == before, "serializer round trip changed the round"
        assert json.loads(self.rt.dump(self.wf)) == json.loads(state), "dump(load(dump(round))) differs from dump(round)"

    # --- reading -------------------------------------------------------------------------------------
    def ready(self, name=None):
        tasks = [t for t in self.rt.ready_user_tasks(self.wf) if name is None or t.task_spec.name == name]
        return tasks

    def ready_names(self):
        return sorted(t.task_spec.name for t in self.ready())

    def waiting(self):
        return sorted(t.task_spec.name for t in self.rt.waiting_receive_tasks(self.wf))

    def open_work(self):
        return sorted(self.ready_names() + self.waiting())

    def task(self, name, measure=None):
        found = [t for t in self.ready(name)
                 if measure is None or (t.data.get("referral") or t.data.get("order") or {}).get("measure") == measure]
        assert found, f"{name} {measure or ''} is not ready; ready: {self.ready_names()}"
        return found[0]

    def owner(self, name, measure=None):
        return self.rt.owner_agency(self.task(name, measure))

    def end(self):
        return self.rt.reached_end(self.wf, OUTCOME_ENDS)

    def data(self, name, measure=None):
        return dict(self.task(name, measure).data)

    # --- acting --------------------------------------------------------------------------------------
    def complete(self, name, measure=None, **data):
        task = self.task(name, measure)
        owner = self.rt.owner_agency(task)
        assert owner in AGENCIES, (name, owner)
        self._step(lambda: self.rt.complete(self.wf, task, data))
        self.done.append((name, owner))
        self.round_trip()

    def send(self, message, **payload):
        received = self._step(lambda: self.rt.send_message(self.wf, message, payload))
        self.round_trip()
        return received

    def advance(self, **delta):
        self.clock.advance(timedelta(**delta))
        self._step(lambda: self.rt.fire_timers(self.wf))
        self.round_trip()

    def lanes(self):
        return dict(self.done)

    # --- the usual stretches of a round ------------------------------------------------------------
    def assess(self, total=5, **flags):
        self.complete("social_investigation")
        self.complete("scored_assessment", **inputs(total, **flags))

    def propose(self, notify=True, admonish=False, care=False, referrals=()):
        """``referrals``: (measure, issuer) pairs the proposing agency refers; each gets an id."""
        items = [{"id": n + 1, "measure": m, "issuer": i, "proposer": "womens_federation", "rigid": False}
                 for n, (m, i) in enumerate(referrals)]
        self.complete("propose_measures", measure_notify=notify, measure_admonish=admonish, measure_care=care,
                      referrals=items, care_referral_id=99 if care else None)
        if notify:
            self.complete("notify_guardian")
        if admonish:
            self.complete("admonish_guardian")

    def plan(self, sessions=1, interval="P30D", period="P180D"):
        self.complete("draft_guidance_plan", sessions_required=sessions, min_minutes=40, guidance_period=period,
                      session_interval=interval)

    def sessions(self, n, every_days=7):
        for k in range(1, n + 1):
            self.advance(days=every_days)
            assert self.send("session_recorded", session_id=k, sessions_done=k)

    def visits(self, n, every_days=7, start=0):
        for k in range(start + 1, start + n + 1):
            self.advance(days=every_days)
            assert self.send("visit_recorded", visit_id=k, visits_done=k, new_incident=False, orders_complied=True)

    def issue(self, measure, returns=0, deliver=True):
        """The issuing agency accepts, drafts, has it approved (after ``returns`` returns) and delivers."""
        self.complete("decide_referral", measure, referral_decision="accept")
        for _ in range(returns):
            self.complete("draft_order", measure, draft_action="submit")
            self.complete("approve_order", measure, approval="returned")
        self.complete("draft_order", measure, draft_action="submit")
        self.complete("approve_order", measure, approval="approved")
        if deliver:
            self.complete("deliver_order", measure, order_result="delivered")

    def reach_review(self, total=5, **flags):
        """A quiet round of the assessed code: plan, sessions and visits as the tables ask, then the review."""
        self.assess(total, **flags)
        if "safety_contact" in self.ready_names():
            self.complete("safety_contact", child_safe=True)
        self.propose()
        data = self.data("draft_guidance_plan")
        self.plan(sessions=data["sessions_required"], interval=data["session_interval"],
                  period=data["guidance_period"])
        visits = self.data_of_waiting("await_visit")["visits_required"]
        for k in range(1, max(visits, data["sessions_required"]) + 1):
            self.advance(days=1)
            if k <= data["sessions_required"]:
                self.send("session_recorded", session_id=k, sessions_done=k)
            if k <= visits:
                self.send("visit_recorded", visit_id=k, visits_done=k, new_incident=False, orders_complied=True)
        assert self.ready_names() == ["reassess"], self.open_work()

    def data_of_waiting(self, name):
        found = [t for t in self.rt.waiting_receive_tasks(self.wf) if t.task_spec.name == name]
        assert found, f"{name} is not waiting; waiting: {self.waiting()}"
        return dict(found[0].data)

    def review(self, round_code, total, outcome, approval=None, **flags):
        self.complete("reassess", round_code=round_code, evidence_complete=flags.pop("evidence_complete", True),
                      orders_breached=flags.pop("orders_breached", False),
                      escalation_requested=flags.pop("escalation_requested", False), **inputs(total, **flags))
        table = self.data("decide_outcome")
        self.complete("decide_outcome", outcome=outcome)
        if approval:
            self.complete(f"approve_{ {'downgrade': 'downgrade', 'close': 'closure', 'escalate': 'escalation'}[outcome]}",
                          approval=approval)
        return table


@pytest.fixture
def new_round(runtime, clock):
    def make(case_type="general", current_code="", family_types=()):
        return Round(runtime, clock, case_type, current_code, family_types)
    return make
