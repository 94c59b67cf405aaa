"""The closed-loop checklists of rounds, read from the database: the round facts (``round_facts.facts``)
with the evidence rules of ``engine.rules.closed_loop`` as SQL columns, evaluated there."""
from dataclasses import fields

from sqlalchemy import and_, bindparam, case, select
from sqlalchemy.orm import Session

from engine.models import Round
from engine.reads.round_facts import facts
from engine.rules.closed_loop import ITEMS, Checklist, RoundFacts, evaluate, evidence_rules
from engine.workflow.clock import clock
from engine.workflow.steps import deployed_versions


def evidence(f) -> dict:
    """SQL, per item: the round's records hold the evidence (``f``: the columns of ``round_facts.facts``);
    true or false, never NULL."""
    return {key: case((rule, True), else_=False) for key, rule in evidence_rules(f).items()}


def complete_if_ended(f):
    """SQL: an ended round is closed-loop complete — what ``evaluate(…).complete`` says of it, in the database.

    An interrupted round is complete: whatever it had not done is no longer required.
    """
    return case((f.status == "interrupted", True), (and_(*evidence(f).values()), True), else_=False)


_FACT_FIELDS = [f.name for f in fields(RoundFacts) if f.name != "ok"]


def _row_facts(row) -> RoundFacts:
    values = row._mapping
    return RoundFacts(**{name: values[name] for name in _FACT_FIELDS},
                      ok={key: bool(values[f"ok_{key}"]) for key in ITEMS})


def round_facts(session: Session, gl, rounds) -> list[RoundFacts]:
    """The facts of many rounds (a list of ids or a SELECT of them) in one statement."""
    f = facts(session, gl, rounds)
    ok = [rule.label(f"ok_{key}") for key, rule in evidence(f.c).items()]
    return [_row_facts(row) for row in session.execute(select(f, *ok))]


def checklists(session: Session, gl, round_ids) -> dict[int, Checklist]:
    """Round id → checklist, for any number of rounds (ids, or a SELECT of ids) in a fixed number of queries."""
    now = clock.now()
    return {f.round_id: evaluate(f, now) for f in round_facts(session, gl, round_ids)}


def round_checklist(session: Session, gl, round_id: int) -> Checklist | None:
    return checklists(session, gl, [round_id]).get(round_id)


# The statement of a case's facts, built once per database, model versions and approval rules: building
# and keying a statement of this size costs more than running it for one case (the case page asks).
_case_statements: dict = {}


def case_checklists(session: Session, gl, case_id: int) -> list[Checklist]:
    """Every round of the case, newest (the current one) first."""
    versions = tuple(sorted(deployed_versions(session)))
    key = (session.get_bind().dialect.name, versions, tuple(sorted(gl.settings.closed_loop_approvals.items())))
    statement = _case_statements.get(key)
    if statement is None:
        f = facts(session, gl, select(Round.id).where(Round.case_id == bindparam("facts_case_id")))
        statement = _case_statements[key] = select(f, *[rule.label(f"ok_{k}") for k, rule in evidence(f.c).items()])
    now = clock.now()
    found = [evaluate(_row_facts(row), now) for row in session.execute(statement, {"facts_case_id": case_id})]
    return sorted(found, key=lambda c: c.number, reverse=True)
