"""Driving cases through the service layer step by step: used by the demo, the tests and the benchmarks.

Everything here goes through the public services as a named user, so a scenario exercises exactly the
permission checks, validation and transactions a person in the web UI does.
"""
from datetime import timedelta

from sqlalchemy import select

from engine import services
from engine.actor import actor_by_username
from engine.context import GuardLoop
from engine.models import Case, District, Guardian, Referral, WorkItem
from engine.reads.providers import offered_providers
from engine.reference import ASSESSMENT_ITEMS
from engine.workflow.clock import clock


def scores(total: int) -> dict:
    """Item scores that add up to ``total`` (0–36), filled item by item; the child's safety comes last, so it
    is the most severe only in the highest totals (a safety score of 3 or 4 raises the code by itself)."""
    items = [i for i in ASSESSMENT_ITEMS if i != "child_safety"] + ["child_safety"]
    result = {}
    for index, item in enumerate(items):
        share = min(4, max(0, total - 4 * index)) if total > 0 else 0
        result[item] = share
    leftover = total - sum(result.values())
    assert leftover == 0, "total must be 0..36"
    return result


class Driver:
    def __init__(self, gl: GuardLoop):
        self.gl = gl

    def actor(self, username: str):
        with self.gl.reading() as session:
            return actor_by_username(session, username)

    def version(self, case_id: int) -> int:
        with self.gl.reading() as session:
            return session.get(Case, case_id).version

    def open_items(self, case_id: int) -> list[WorkItem]:
        with self.gl.reading() as session:
            return list(session.scalars(select(WorkItem).where(WorkItem.case_id == case_id)
                                        .order_by(WorkItem.id)))

    def measure_of(self, item: WorkItem) -> str | None:
        """The measure an order's task is about (its referral, or the referral that issued the order)."""
        kind, _, number = (item.subject or "").partition(":")
        with self.gl.reading() as session:
            if kind == "referral":
                return session.get(Referral, int(number)).measure
            if kind == "order":
                return session.scalars(select(Referral.measure).where(Referral.document_id == int(number))).first()
        return None

    def item(self, case_id: int, spec: str, measure: str | None = None) -> WorkItem:
        """The open work item of ``spec`` (for an order's tasks, the one about ``measure``)."""
        for item in self.open_items(case_id):
            if item.task_spec == spec and (measure is None or self.measure_of(item) == measure):
                return item
        names = [(i.task_spec, self.measure_of(i)) for i in self.open_items(case_id)]
        raise LookupError(f"case {case_id} has no open {spec} {measure or ''}; open: {names}")

    def do(self, username: str, case_id: int, spec: str, data: dict | None = None, measure: str | None = None) -> dict:
        item = self.item(case_id, spec, measure)
        return services.complete_task(self.gl, self.actor(username), case_id, item.task_id, data or {},
                                      self.version(case_id))

    def visit(self, username: str, case_id: int, **data) -> dict:
        """Record a follow-up visit as it happens (by default a planned home visit today, nothing new)."""
        data = {"kind": "planned", "method": "home_visit", "visited_on": self.today(), "findings": "家庭情况稳定。",
                "orders_complied": True, "new_incident": False, **data}
        return services.record_visit(self.gl, self.actor(username), case_id, data, self.version(case_id))

    def session(self, username: str, case_id: int, **data) -> dict:
        """Record a guidance session as it happens (by default a 60-minute case guidance the guardian attended)."""
        data = {"kind": "case_guidance", "held_on": self.today(), "minutes": 60, "guardian_attended": True, **data}
        return services.record_guidance_session(self.gl, self.actor(username), case_id, data, self.version(case_id))

    def guardian_id(self, case_id: int, name: str) -> int:
        with self.gl.reading() as session:
            return session.scalars(select(Guardian.id).where(Guardian.case_id == case_id, Guardian.name == name)).one()

    def acknowledge(self, username: str, clue_id: int) -> None:
        services.acknowledge_report(self.gl, self.actor(username), clue_id)

    def respond(self, username: str, clue_id: int, response: str) -> None:
        services.respond_to_report(self.gl, self.actor(username), clue_id, {"response": response})

    def provider_id(self, district_code: str = "JB") -> int:
        with self.gl.reading() as session:
            district = session.scalars(select(District).where(District.code == district_code)).one()
            offered = [p for p in offered_providers(session, district.id, clock.today()) if p.district_id == district.id]
            return offered[0].id if offered else None

    def advance(self, days: float) -> int:
        clock.advance(timedelta(days=days))
        return services.tick(self.gl)

    def today(self) -> str:
        return clock.today().isoformat()


