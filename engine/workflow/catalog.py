"""The task catalog: every task people do in the models, named once, and what the models say about each.

A user task (``Task``) or a wait for a record people make (``Wait``, a receive task) is named here and
nowhere else in the code; the facts about it are the extension properties of its element in
``workflows/*.bpmn``, as a modeler saves them:

- ``roles``: who may complete it (``caseworker``, or ``court:judge`` for one agency only);
- ``step``: the step of the round it belongs to (assess, handle, guide, follow_up, review);
- ``due_in``: an ISO duration or a path into the task's data;
- ``approval``: the kind of request an approval task decides (downgrade, closure, escalation, order);
- ``returned_from``: the kinds of request that come back to this task when returned (退回补正);
- ``document``: the document whose draft its form previews (``measure``: the one of the referral's measure);
- ``overdue``: the kind of lateness it counts as on the overdue list (逾期);
- ``rework_entry``: a closed round returned for rework at this task's step reopens at this task;

the kind of chase (督办) raised while it is late (the ``kind`` given to ``raise_chase`` by the service task its
repeating timer leads to), and its lane's owning agency (the lane's ``agency``, or ``agency_from`` when the data names it). Approvals,
documents, overdue kinds and rework steps are derived from these facts below, so adding a task to a model
is one change to the model and one name here.
"""
import ast
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path

from lxml import etree

from engine.reference import APPROVAL_KINDS, OVERDUE_KINDS, STEPS

MODELS_DIR = Path(__file__).resolve().parents[2] / "workflows"
_NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL", "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core"}


class Task(StrEnum):
    """The user tasks of the models (element ids, unique across the files)."""
    # assess.bpmn
    SOCIAL_INVESTIGATION = "social_investigation"
    SCORED_ASSESSMENT = "scored_assessment"
    # handle.bpmn
    PROPOSE_MEASURES = "propose_measures"
    NOTIFY_GUARDIAN = "notify_guardian"
    ADMONISH_GUARDIAN = "admonish_guardian"
    DECIDE_CARE = "decide_care"
    ARRANGE_TEMPORARY_CARE = "arrange_temporary_care"
    ACKNOWLEDGE_CARE_DECLINE = "acknowledge_care_decline"
    # referral.bpmn
    DECIDE_REFERRAL = "decide_referral"
    INVESTIGATE_REFERRAL = "investigate_referral"
    ACKNOWLEDGE_DECLINE = "acknowledge_decline"
    # order.bpmn
    DRAFT_ORDER = "draft_order"
    APPROVE_ORDER = "approve_order"
    DELIVER_ORDER = "deliver_order"
    HANDLE_OBJECTION = "handle_objection"
    # supervise_order.bpmn
    COMPLIANCE_CHECK = "compliance_check"
    DECIDE_CONSEQUENCE = "decide_consequence"
    # safety.bpmn
    SAFETY_CONTACT = "safety_contact"
    EMERGENCY_PROTECTION = "emergency_protection"
    # guide.bpmn
    DRAFT_GUIDANCE_PLAN = "draft_guidance_plan"
    # follow_up.bpmn
    REVIEW_INCIDENT = "review_incident"
    # review.bpmn
    REASSESS = "reassess"
    DECIDE_OUTCOME = "decide_outcome"
    APPROVE_DOWNGRADE = "approve_downgrade"
    APPROVE_CLOSURE = "approve_closure"
    APPROVE_ESCALATION = "approve_escalation"
    # escalation.bpmn
    JOINT_MEETING = "joint_meeting"
    SUPPORT_REVOCATION = "support_revocation"
    RECORD_REVOCATION_JUDGMENT = "record_revocation_judgment"
    ARRANGE_LONG_TERM_GUARDIANSHIP = "arrange_long_term_guardianship"
    ARRANGE_TEMPORARY_GUARDIANSHIP = "arrange_temporary_guardianship"


class Wait(StrEnum):
    """The receive tasks that wait for a record people make; they show in inboxes like user tasks."""
    VISIT = "await_visit"        # follow_up.bpmn: the next follow-up visit
    SESSION = "await_session"    # guide.bpmn: the next guidance session


@dataclass(frozen=True)
class TaskFacts:
    task: str
    label: str                      # the element's name in the model
    process: str                    # the process that holds it
    roles: tuple[str, ...]
    step: str
    due_in: str
    agency: str | None              # the owning lane's agency, when fixed …
    agency_from: str | None         # … or the path into the task's data that names it
    approval: str | None
    returned_from: tuple[str, ...]
    document: str | None
    overdue: str | None
    rework_entry: bool
    chase: str | None               # the kind of chase raised while it is late


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split(",") if part.strip())


def _properties(node) -> dict[str, str]:
    return {p.get("name"): p.get("value") for p in node.findall(
        "bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property", _NS)}


def _lanes(process) -> dict[str, dict[str, str]]:
    """Element id -> the properties of the lane it sits in (a node in an embedded sub-process sits in the
    sub-process's lane)."""
    lanes = {}
    for lane in process.iter(f"{{{_NS['bpmn']}}}lane"):
        props = _properties(lane)
        for ref in lane.findall("bpmn:flowNodeRef", _NS):
            lanes[ref.text.strip()] = props
    for sub in process.iter(f"{{{_NS['bpmn']}}}subProcess"):
        for node in sub.iter():
            if node.get("id") and node.get("id") not in lanes and sub.get("id") in lanes:
                lanes[node.get("id")] = lanes[sub.get("id")]
    return lanes


def _chases(process) -> dict[str, str]:
    """Task id -> the kind of chase its repeating timer raises (the timer's flow leads to a ``raise_chase``
    service task whose ``kind`` parameter is a string literal)."""
    sources = {flow.get("id"): flow.get("sourceRef") for flow in process.iter(f"{{{_NS['bpmn']}}}sequenceFlow")}
    attached = {event.get("id"): event.get("attachedToRef") for event in process.iter(f"{{{_NS['bpmn']}}}boundaryEvent")}
    chases = {}
    for service in process.iter(f"{{{_NS['bpmn']}}}serviceTask"):
        operator = service.find("bpmn:extensionElements/spiffworkflow:serviceTaskOperator", _NS)
        if operator is None or operator.get("id") != "raise_chase":
            continue
        kind = next(p.get("value") for p in operator.iter(f"{{{_NS['spiffworkflow']}}}parameter") if p.get("id") == "kind")
        for incoming in service.findall("bpmn:incoming", _NS):
            task = attached.get(sources.get(incoming.text.strip()))
            if task:
                chases[task] = ast.literal_eval(kind)
    return chases


def read_facts(models_dir: Path = MODELS_DIR) -> dict[str, TaskFacts]:
    """Element id -> facts, for every user and receive task of the models in ``models_dir``."""
    found = {}
    for path in sorted(models_dir.glob("*.bpmn")):
        for process in etree.parse(str(path)).getroot().findall("bpmn:process", _NS):
            lanes, chases = _lanes(process), _chases(process)
            for tag in ("userTask", "receiveTask"):
                for node in process.iter(f"{{{_NS['bpmn']}}}{tag}"):
                    props, lane = _properties(node), lanes.get(node.get("id"), {})
                    found[node.get("id")] = TaskFacts(
                        node.get("id"), node.get("name") or "", process.get("id"), _split(props.get("roles")),
                        props.get("step", ""), props.get("due_in", ""), lane.get("agency"), lane.get("agency_from"),
                        props.get("approval"), _split(props.get("returned_from")), props.get("document"),
                        props.get("overdue"), props.get("rework_entry") == "true", chases.get(node.get("id")))
    return found


@cache
def facts() -> dict[str, TaskFacts]:
    """The facts of every task of the shipped models (read once per process)."""
    return read_facts()


def fact(task: str) -> TaskFacts:
    return facts()[task]


def _facts_of(*names: str) -> list[TaskFacts]:
    return [facts()[name] for name in names]


_ALL = _facts_of(*Task, *Wait)

# approval task -> the kind of request it decides (a round's requests first, then an order's)
_APPROVAL_ORDER = [*APPROVAL_KINDS, "order"]
APPROVAL_TASKS: dict[str, str] = dict(sorted(((f.task, f.approval) for f in _ALL if f.approval is not None),
                                             key=lambda pair: _APPROVAL_ORDER.index(pair[1])))
# the task a returned request goes back to -> the kinds of request it may come back from
RETURNS_TO: dict[str, tuple[str, ...]] = {f.task: f.returned_from for f in _ALL if f.returned_from}
# the tasks whose form previews a draft of the document they issue (None: the document of the referral's measure)
TASK_DOCUMENTS: dict[str, str | None] = {f.task: (None if f.document == "measure" else f.document)
                                         for f in _ALL if f.document}
# the approval tasks whose request carries a draft (an order's approval: the payload is the drafted order)
DRAFT_APPROVALS: tuple[str, ...] = tuple(task for task, kind in APPROVAL_TASKS.items() if kind == "order")
# the kinds of lateness on the overdue list that tasks have, in the list's order -> the tasks of each
OVERDUE_TASKS: dict[str, tuple[str, ...]] = {kind: tasks for kind in OVERDUE_KINDS
                                             if (tasks := tuple(f.task for f in _ALL if f.overdue == kind))}
# the step a closed round can be reopened at -> the task whose latest completion it goes back to
REWORK_STEPS: dict[str, str] = {f.step: f.task for f in sorted((f for f in _ALL if f.rework_entry),
                                                                key=lambda f: list(STEPS).index(f.step))}
# chase kind -> the task late enough to be chased
CHASED_TASKS: dict[str, str] = {f.chase: f.task for f in _ALL if f.chase is not None}
# the chase raised when a red code's timed safety contact is late
SAFETY_CONTACT_CHASE: str = fact(Task.SAFETY_CONTACT).chase or ""
