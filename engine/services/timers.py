"""The scheduler: fire due timers. Safe to run in any number of processes at once.

PostgreSQL: due rounds are claimed with ``FOR UPDATE SKIP LOCKED``, so two ticks never take the same
round. SQLite: writers are serialized, and the case's version makes a second firing of the same round
a ``Conflict`` that is rolled back.

Each round fires in a unit of work of its own, and a round that cannot be loaded or fired (a corrupt or
truncated state, a model that raises) is quarantined — set aside with its timer cleared, logged, and
reported to the supervisors of the coordinating agency — so it never stops the others.
"""
import logging

from sqlalchemy import select, tuple_, update
from sqlalchemy.exc import SQLAlchemyError

from engine.auditlog import record as audit
from engine.context import GuardLoop
from engine.errors import Conflict
from engine.infra.db import is_postgres
from engine.models import Case, Round
from engine.models.case import bump_version
from engine.rules.permissions import COORDINATING_AGENCY
from engine.services.digest import send_due_digests
from engine.services.notifications import notify_deadlines
from engine.workflow.clock import clock
from engine.workflow.notices import notify
from engine.workflow.rounds import load_workflow, save_round, stepping

log = logging.getLogger("guardloop.timers")
QUARANTINED = "quarantined"
QUARANTINE_NOTICE = "round_quarantined"


class RoundUnusable(Exception):
    """The round's state could not be loaded or its timers fired (not a database error)."""


def tick(gl: GuardLoop, limit: int | None = None) -> int:
    """Fire every timer due now; returns how many rounds this process moved.

    Walks the rounds due now in (due time, id) order, a batch at a time, until a batch comes back short:
    a round another scheduler fired meanwhile (or is firing: it is locked) is skipped, never waited for
    and never taken for the end of the work, and a round fired here no longer counts as due.
    """
    moved = _fire_due(gl, limit)
    _after_firing(gl)
    return moved


def _after_firing(gl: GuardLoop) -> None:
    """What the tick does besides timers: the deadline notices of tasks, then the day's e-mail digest (when
    an SMTP server is set). Neither may stop the scheduler: a failure is logged and tried on the next tick."""
    for step in (notify_deadlines, send_due_digests):
        try:
            step(gl)
        except Exception:  # noqa: BLE001 — logged; the next tick tries again
            log.exception("tick: %s failed; tried again on the next tick", step.__name__)


def _fire_due(gl: GuardLoop, limit: int | None = None) -> int:
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
            moved += _fire_isolated(gl, round_id, now)
        if len(batch) < limit:
            return moved
        after = (batch[-1].next_timer_at, batch[-1].id)


def _fire_isolated(gl: GuardLoop, round_id: int, now) -> int:
    try:
        return _fire_round(gl, round_id, now)
    except Conflict:
        return 0  # a user changed the case at this moment: its timers fire on the next tick
    except RoundUnusable as exc:
        quarantine_round(gl, round_id, exc.__cause__ or exc)
    except SQLAlchemyError:
        log.exception("round %s: database error while firing its timers; retried on the next tick", round_id)
    return 0


def _fire_round(gl: GuardLoop, round_id: int, now) -> int:
    with gl.transaction() as session:
        query = select(Round).where(Round.id == round_id, Round.status == "running", Round.next_timer_at < now)
        if is_postgres(gl.engine):
            query = query.with_for_update(skip_locked=True)
        rnd = session.scalars(query).first()
        if rnd is None:
            return 0
        case = session.get(Case, rnd.case_id)
        before = rnd.next_timer_at
        try:
            runtime, workflow = load_workflow(session, gl, rnd)
            with stepping(session, case) as context:
                runtime.fire_timers(workflow)
        except SQLAlchemyError:
            raise
        except Exception as exc:  # noqa: BLE001 — whatever a corrupt state or a model raises
            raise RoundUnusable(str(exc)) from exc
        save_round(session, runtime, case, rnd, workflow, context=context)
        audit.record(session, None, "fire_timers", "round", rnd.id, case.id, {"next_timer_at": before},
                     {"next_timer_at": rnd.next_timer_at})
        bump_version(session, case, now)
        return 1


def quarantine_round(gl: GuardLoop, round_id: int, error: BaseException) -> None:
    """Set a round aside (status ``quarantined``, no timer), log it, and tell the supervisors of the
    coordinating agency of the case's district; its state is kept as it was, for repair."""
    reason = f"{type(error).__name__}: {error}"[:300]
    log.error("round %s quarantined: its state could not be loaded or fired (%s)", round_id, reason)
    with gl.transaction() as session:
        result = session.execute(update(Round).where(Round.id == round_id, Round.status == "running")
                                 .values(status=QUARANTINED, next_timer_at=None)
                                 .returning(Round.case_id, Round.number))
        row = result.first()
        if row is None:
            return  # another scheduler set it aside first
        case = session.get(Case, row.case_id)
        audit.record(session, None, "quarantine_round", "round", round_id, case.id, {"status": "running"},
                     {"status": QUARANTINED, "error": reason})
        notify(session, district_id=case.district_id, agency=COORDINATING_AGENCY, role="supervisor",
               kind=QUARANTINE_NOTICE, case_id=case.id, payload={"round": row.number, "error": reason})
