"""Which of the four steps (+ review) each user task belongs to, read from the models themselves.

The ``step`` property of every user task in ``intervention_round.bpmn`` is the one source: the closed-loop
checklist and the cockpit's step timings map task records to steps through it, per deployed model
version (a later version may move a task to another step; running rounds keep their own version).
"""
from sqlalchemy import case, null, select
from sqlalchemy.orm import Session

from .models import ModelVersion
from .reference import STEPS
from .rounds import PROCESS_ID

STEP_ORDER = tuple(STEPS)                    # assess, handle, guide, follow_up, review
RANK = {step: rank for rank, step in enumerate(STEP_ORDER)}
# Raised beside a step by a non-interrupting timer: it neither starts nor ends the step it belongs to.
SIDE_TASKS = frozenset({"chase_overdue_visit"})

_by_version: dict[str, dict[str, str]] = {}


def task_steps(runtime) -> dict[str, str]:
    """User task name → step, over the round process and its embedded sub-processes."""
    spec, subprocess_specs = runtime.specs[PROCESS_ID]
    steps = {}
    for process in (spec, *subprocess_specs.values()):
        for name, task_spec in process.task_specs.items():
            step = getattr(task_spec, "extensions", {}).get("properties", {}).get("step")
            if getattr(task_spec, "manual", False) and step in RANK:
                steps[name] = step
    return steps


def deployed_versions(session: Session) -> list[str]:
    return list(session.scalars(select(ModelVersion.version)))


def steps_by_version(session: Session, gl, versions=None) -> dict[str, dict[str, str]]:
    """Each deployed model version's task → step map (versions are immutable: parsed once per process)."""
    result = {}
    for version in deployed_versions(session) if versions is None else versions:
        if version not in _by_version:
            _by_version[version] = task_steps(gl.runtime(session, version))
        result[version] = _by_version[version]
    return result


def rank_of_task(session: Session, gl, spec_column, version_column, versions=None):
    """A SQL expression: the step rank (0 = assess … 4 = review) of a task record's task, or NULL."""
    groups: dict[tuple, list[str]] = {}
    for version, steps in steps_by_version(session, gl, versions).items():
        groups.setdefault(tuple(sorted(steps.items())), []).append(version)
    if not groups:
        return null()
    whens = []
    for steps, versions in groups.items():
        mapping = {name: RANK[step] for name, step in steps}
        ranked = case(mapping, value=spec_column, else_=None)
        if len(groups) == 1:
            return ranked
        whens.append((version_column.in_(versions), ranked))
    return case(*whens, else_=None)


def rank_of_step(step_column):
    """A SQL expression: the rank of a step name column (``work_item.step``)."""
    return case(RANK, value=step_column, else_=None)
