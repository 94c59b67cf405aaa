"""Records made when something happens: a follow-up visit by any agency on the case (planned, ad hoc or
joint), and a guidance session. The round's waiting step receives each as a message; the timers only remind
and chase, they never hold a record back."""
import time
from types import SimpleNamespace

from sqlalchemy import func, select

from engine.actor import Actor
from engine.auditlog import record as audit
from engine.context import GuardLoop
from engine.errors import InvalidInput
from engine.issuing import document_context as doc_context
from engine.issuing.issue import issue
from engine.models import FollowupVisit, GuidanceSession, TaskRecord
from engine.models.case import bump_version, require_current_version
from engine.models.records import counts_towards_plan
from engine.reads.access import require_case_and_round
from engine.reference import AGENCIES, SESSION_KINDS, VISIT_KINDS, VISIT_METHODS
from engine.rules import validate as v
from engine.rules.permissions import VISIT_RECORDING_REFUSED, may_record_visits, require
from engine.services.tasks import finish_if_done
from engine.tasks.guide import current_plan, qualifying_sessions
from engine.tasks.reassessment import visits_in_round
from engine.workflow.catalog import Wait
from engine.workflow.clock import clock
from engine.workflow.rounds import load_workflow, save_round, stepping

_INSERT_RECORD = TaskRecord.__table__.insert()


def _open_round(session, actor: Actor, case_id: int, expected_version: int):
    case, rnd = require_case_and_round(session, actor, case_id, for_update=True)
    require_current_version(case, expected_version)
    require(may_record_visits(actor), VISIT_RECORDING_REFUSED)
    if case.status != "open" or rnd is None:
        raise InvalidInput("case", "个案没有进行中的干预轮次。", "The case has no running round.")
    return case, rnd


def _deliver(session, gl: GuardLoop, actor: Actor, case, rnd, message: str, payload: dict, waiting_spec: str,
             record: dict, now):
    """Hand the record to the round's waiting step (if one waits), save the round and the step's evidence."""
    runtime, workflow = load_workflow(session, gl, rnd)
    waiting = [t for t in runtime.waiting_receive_tasks(workflow) if t.task_spec.name == waiting_spec]
    started = time.time()
    with stepping(session, case) as context:
        received = runtime.send_message(workflow, message, payload)
    if received:
        session.connection().execute(_INSERT_RECORD, [{
            "case_id": case.id, "round_id": rnd.id, "task_id": str(waiting[0].id), "task_spec": waiting_spec,
            "lane": runtime.owner_agency(waiting[0]), "data": audit.plain(record), "completed_by": actor.id,
            "completed_at": now}])
    finish_if_done(session, gl, actor, case, rnd, runtime, workflow)
    save_round(session, runtime, case, rnd, workflow, since=started, context=context)
    return received


def record_visit(gl: GuardLoop, actor: Actor, case_id: int, data: dict, expected_version: int) -> dict:
    """记录回访: any agency on the case records a visit when it happens; a joint visit names every agency
    that took part. It counts towards the round's schedule and is issued as a 回访记录."""
    kind = v.choice(data, "kind", VISIT_KINDS)
    participants = v.choices(data, "participants", AGENCIES)
    if actor.agency not in participants:
        participants = [actor.agency, *participants]
    if kind == "joint" and len(participants) < 2:
        raise InvalidInput("participants", "联合回访应有两个以上机构参加。", "A joint visit needs two or more agencies.")
    fields = dict(method=v.choice(data, "method", VISIT_METHODS), visited_on=v.day(data, "visited_on"),
                  findings=v.text(data, "findings", max_len=5000),
                  orders_complied=v.boolean(data, "orders_complied"), new_incident=v.boolean(data, "new_incident"))
    with gl.transaction() as session:
        case, rnd = _open_round(session, actor, case_id, expected_version)
        now = clock.now()
        row = dict(case_id=case.id, round_id=rnd.id, kind=kind, participants=participants,
                   recorded_agency=actor.agency, recorded_by=actor.id, recorded_at=now, **fields)
        visit_id = session.connection().execute(FollowupVisit.__table__.insert(), row).inserted_primary_key[0]
        issue(session, gl, actor, case, rnd.id, "followup_record",
              {"visits": doc_context.visits([SimpleNamespace(**row)]), "code": doc_context.code_name(case.current_code),
               "participants": participants, "kind": kind})
        record = {"visit_id": visit_id, "kind": kind, "participants": participants, **fields}
        received = _deliver(session, gl, actor, case, rnd, "visit_recorded",
                            {"visit_id": visit_id, "visits_done": visits_in_round(session, rnd.id),
                             "new_incident": fields["new_incident"], "orders_complied": fields["orders_complied"]},
                            Wait.VISIT, record, now)
        audit.record(session, actor, "record_visit", "followup_visit", visit_id, case.id, None,
                     {**audit.plain(record), "counted": received})
        bump_version(session, case, now)
        return {"case_version": case.version, "visit_id": visit_id, "counted": received}


def record_guidance_session(gl: GuardLoop, actor: Actor, case_id: int, data: dict, expected_version: int) -> dict:
    """记录家庭教育指导: one session as delivered. It counts towards the plan when the guardian attended for at
    least the plan's minutes."""
    fields: dict = dict(kind=v.choice(data, "kind", SESSION_KINDS), held_on=v.day(data, "held_on"),
                  minutes=v.integer(data, "minutes", low=1, high=600),
                  guardian_attended=v.boolean(data, "guardian_attended"),
                  notes=v.text(data, "notes", required=False, max_len=5000))
    with gl.transaction() as session:
        case, rnd = _open_round(session, actor, case_id, expected_version)
        plan = current_plan(session, rnd.id)
        if plan is None:
            raise InvalidInput("kind", "本轮尚未制定家庭教育指导方案，请先制定方案。",
                               "This round has no guidance plan yet: draft the plan first.")
        if session.scalar(select(func.count(GuidanceSession.id)).where(
                GuidanceSession.case_id == case.id, GuidanceSession.held_on == fields["held_on"],
                GuidanceSession.kind == fields["kind"])):
            raise InvalidInput("held_on", "同一天已记录过同类指导，请勿重复记录。",
                               "A session of this kind is already recorded for that day.")
        if not v.boolean(data, "confirm_same_day") and session.scalar(select(func.count(GuidanceSession.id)).where(
                GuidanceSession.case_id == case.id, GuidanceSession.held_on == fields["held_on"])):
            raise InvalidInput("confirm_same_day",
                               "同一天已记录过一次指导。如确为当天的第二次指导，请勾选“确认同日第二次指导”后再提交。",
                               "A session is already recorded for that day. If this is really a second session on "
                               "the same day, tick “Confirm a second session on the same day” and submit again.")
        now = clock.now()
        row = dict(case_id=case.id, round_id=rnd.id, recorded_by=actor.id, recorded_at=now, **fields)
        session_id = session.connection().execute(GuidanceSession.__table__.insert(), row).inserted_primary_key[0]
        counts = counts_towards_plan(fields["guardian_attended"], fields["minutes"], plan.min_minutes)
        record = {"session_id": session_id, "counts_towards_plan": counts, **fields}
        received = _deliver(session, gl, actor, case, rnd, "session_recorded",
                            {"session_id": session_id, "sessions_done": qualifying_sessions(session, rnd.id)},
                            Wait.SESSION, record, now)
        audit.record(session, actor, "record_guidance_session", "guidance_session", session_id, case.id, None,
                     {**audit.plain(record), "counted": received})
        bump_version(session, case, now)
        return {"case_version": case.version, "session_id": session_id, "counted": received}
