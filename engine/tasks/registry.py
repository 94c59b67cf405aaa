"""The handler registry: for each user task of the models, the function that checks and records what is
submitted (``task_handler``), and the context every handler receives.

A handler validates the submitted data (raising ``InvalidInput`` naming the field), writes the domain
rows that are the step's evidence, and returns the decision variables the workflow needs. An optional
``after`` hook runs once the engine has stepped (e.g. to record the risk code a DMN table decided).
Handlers never commit: the calling service owns the transaction.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.task import Task
from sqlalchemy.orm import Session

from engine.actor import Actor
from engine.models import Case, Round
from engine.workflow.rounds import TaskRef
from engine.workflow.runtime import WorkflowRuntime

if TYPE_CHECKING:
    from engine.context import GuardLoop


@dataclass
class TaskContext:
    session: Session
    gl: GuardLoop
    actor: Actor
    case: Case
    round: Round
    item: TaskRef
    task: Task
    workflow: BpmnWorkflow
    runtime: WorkflowRuntime
    data: dict
    now: datetime
    record: dict = field(default_factory=dict)   # what goes into the task record (evidence)
    upgrade: tuple[str, str] | None = None                # (code, reason): the case's code goes up once the round is saved


@dataclass(frozen=True)
class Handler:
    validate: Callable[[TaskContext], dict]
    after: Callable[[TaskContext], None] | None = None


HANDLERS: dict[str, Handler] = {}


def task_handler(*spec_names: str, after=None):
    def register(func):
        for name in spec_names:
            HANDLERS[name] = Handler(func, after)
        return func
    return register
