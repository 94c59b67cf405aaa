"""Driving cases through the service layer step by step: used by the demo, the tests and the benchmarks.

Everything here goes through the public services as a named user, so a scenario exercises exactly the
permission checks, validation and transactions a person in the web UI does.
"""
from datetime import timedelta

from sqlalchemy import select

from . import services
from .actor import actor_by_username
from .clock import clock
from .errors import Conflict
from .models import Case, GuidanceProvider, WorkItem
from .reference import ASSESSMENT_ITEMS

LOW, MEDIUM, HIGH = 0, 2, 4


def scores(total: int) -> dict:
    """Item scores that add up to ``total`` (0–36), spread over the nine items."""
    items, result = list(ASSESSMENT_ITEMS), {}
    for index, item in enumerate(items):
        share = min(4, max(0, total - 4 * index)) if total > 0 else 0
        result[item] = share
    leftover = total - sum(result.values())
    assert leftover == 0, "total must be 0..36"
    return result


class Driver:
    def __init__(self, gl):
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

    def item(self, case_id: int, spec: str) -> WorkItem:
        for item in self.open_items(case_id):
            if item.task_spec == spec:
                return item
        names = [i.task_spec for i in self.open_items(case_id)]
        raise LookupError(f"case {case_id} has no open {spec}; open: {names}")

    def do(self, username: str, case_id: int, spec: str, data: dict | None = None) -> dict:
        item = self.item(case_id, spec)
        return services.complete_task(self.gl, self.actor(username), case_id, item.task_id, data or {},
                                      self.version(case_id))

    def provider_id(self, district_code: str = "JB") -> int:
        with self.gl.reading() as session:
            from .models import District
            district = session.scalars(select(District).where(District.code == district_code)).one()
            return session.scalars(select(GuidanceProvider.id).where(
                GuidanceProvider.district_id == district.id).order_by(GuidanceProvider.id)).first()

    def advance(self, days: float) -> int:
        clock.advance(timedelta(days=days))
        return services.tick(self.gl)

    def today(self) -> str:
        return clock.today().isoformat()

    def try_do(self, *args, **kwargs):
        try:
            return self.do(*args, **kwargs)
        except Conflict:
            return None
