"""The scheduler: fire due timers. Safe to run in any number of processes at once.

PostgreSQL: due rounds are claimed with ``FOR UPDATE SKIP LOCKED``, so two ticks never take the same
round. SQLite: writers are serialized, and the case's version makes a second firing of the same round
a ``Conflict`` that is rolled back.
"""
from sqlalchemy import select

from .. import audit
from ..clock import clock
from ..db import is_postgres
from ..errors import Conflict
from ..models import Case, Round
from ..rounds import load_workflow, save_round


def tick(gl, limit: int | None = None) -> int:
    """Fire every timer due now; returns how many rounds moved."""
    limit = limit or gl.settings.tick_batch
    moved = 0
    while True:
        batch = _claim_and_fire(gl, limit)
        moved += batch
        if batch < limit:
            return moved


def _claim_and_fire(gl, limit: int) -> int:
    now = clock.now()
    fired = 0
    with gl.reading() as session:
        due = list(session.scalars(select(Round.id).where(Round.status == "running", Round.next_timer_at < now)
                                   .order_by(Round.next_timer_at).limit(limit)))
    for round_id in due:
        try:
            fired += _fire_round(gl, round_id, now)
        except Conflict:
            continue  # another process fired it first
    return fired


def _fire_round(gl, round_id: int, now) -> int:
    with gl.transaction() as session:
        query = select(Round).where(Round.id == round_id, Round.status == "running", Round.next_timer_at < now)
        if is_postgres(gl.engine):
            query = query.with_for_update(skip_locked=True)
        rnd = session.scalars(query).first()
        if rnd is None:
            return 0
        case = session.get(Case, rnd.case_id)
        runtime, workflow = load_workflow(session, gl, rnd)
        before = rnd.next_timer_at
        runtime.fire_timers(workflow)
        save_round(session, runtime, case, rnd, workflow)
        audit.record(session, None, "fire_timers", "round", rnd.id, case.id, {"next_timer_at": before},
                     {"next_timer_at": rnd.next_timer_at})
        case.touch(now)
        return 1
