"""The scheduler: fire due timers. Safe to run in any number of processes at once.

PostgreSQL: due rounds are claimed with ``FOR UPDATE SKIP LOCKED``, so two ticks never take the same
round. SQLite: writers are serialized, and the case's version makes a second firing of the same round
a ``Conflict`` that is rolled back.
"""
from sqlalchemy import select, tuple_

from .. import audit
from ..clock import clock
from ..db import is_postgres
from ..errors import Conflict
from ..models import Case, Round
from ..models.case import bump_version
from ..rounds import load_workflow, save_round


def tick(gl, limit: int | None = None) -> int:
    """Fire every timer due now; returns how many rounds this process moved.

    Walks the rounds due now in (due time, id) order, a batch at a time, until a batch comes back short:
    a round another scheduler fired meanwhile (or is firing: it is locked) is skipped, never waited for
    and never taken for the end of the work, and a round fired here no longer counts as due.
    """
    limit = limit or gl.settings.tick_batch
    now = clock.now()
    moved, after = 0, None
    while True:
        with gl.reading() as session:
            query = select(Round.id, Round.next_timer_at).where(Round.status == "running", Round.next_timer_at < now)
            if after is not None:
                query = query.where(tuple_(Round.next_timer_at, Round.id) > after)
            batch = session.execute(query.order_by(Round.next_timer_at, Round.id).limit(limit)).all()
        for round_id, _ in batch:
            try:
                moved += _fire_round(gl, round_id, now)
            except Conflict:
                continue  # a user changed the case at this moment: its timers fire on the next tick
        if len(batch) < limit:
            return moved
        after = (batch[-1].next_timer_at, batch[-1].id)


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
        bump_version(session, case, now)
        return 1
