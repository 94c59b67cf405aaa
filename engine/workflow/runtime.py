"""The workflow runtime: parsed specs per model version, a compact serializer, restricted scripts.

One ``WorkflowRuntime`` holds one immutable model version (the content hash of every .bpmn and .dmn
file). Specs are parsed once per process and cached by that hash; a serialized workflow stores the
process id instead of its spec, and the script engine is set again on every load so a workflow never falls
back to SpiffWorkflow's unrestricted default.

What the models say about people is read from the XML as a modeler saves it (``ModelIndex``): which agency
owns a lane (the ``agency`` extension property of the lane, or ``agency_from``, a path into the task's data
for lanes of a called process that any agency may run, such as an order's issuing agency), and which roles
may complete each task (its ``roles`` property). Lane labels are for people and never read.
"""
import contextvars
import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from uuid import UUID

from lxml import etree
from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.dmn.engine.DMNEngine import DMNEngine
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.spiff.specs.defaults import ReceiveTask
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState

import engine.workflow.clock  # noqa: F401  (installs the injectable clock into SpiffWorkflow's timers)
from engine.rules.permissions import role_allowed
from engine.workflow import feel
from engine.workflow.scripting import RestrictedEnvironment, moment_after_from

MODEL_SUFFIXES = (".bpmn", ".dmn")
BPMN_NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
           "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core"}
DMN_NS = "https://www.omg.org/spec/DMN/20191111/MODEL/"


def model_version(sources: dict[str, bytes]) -> str:
    digest = hashlib.sha256()
    for name in sorted(sources):
        digest.update(name.encode() + b"\0" + sources[name] + b"\0")
    return digest.hexdigest()[:16]


def read_model_sources(directory) -> dict[str, bytes]:
    folder = Path(directory)
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.suffix in MODEL_SUFFIXES}


# --- what the XML says about lanes, roles and decisions ------------------------------------------------
@dataclass(frozen=True)
class Lane:
    lane_id: str
    label: str
    agency: str | None          # a fixed agency key …
    agency_from: str | None     # … or a path into the task data naming it


@dataclass
class ModelIndex:
    lanes: dict = field(default_factory=dict)          # (process id, element id) -> Lane
    lane_list: dict = field(default_factory=dict)      # process id -> [Lane]
    process_names: dict = field(default_factory=dict)  # process id -> label
    embedded: dict = field(default_factory=dict)       # embedded sub-process id -> the process it sits in
    process_files: dict = field(default_factory=dict)  # process id -> the .bpmn file that holds it
    input_domains: dict = field(default_factory=dict)  # decision id -> [(input label, path, allowed values)]
    hit_policies: dict = field(default_factory=dict)   # decision id -> hit policy


def _properties(node) -> dict[str, str]:
    return {p.get("name"): p.get("value") for p in node.findall(
        "bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property", BPMN_NS)}


def _index_bpmn(root, index: ModelIndex, name: str) -> None:
    for process in root.findall("bpmn:process", BPMN_NS):
        pid = process.get("id")
        index.process_files[pid] = name
        index.process_names[pid] = process.get("name") or pid
        lanes = []
        for node in process.iter(f"{{{BPMN_NS['bpmn']}}}lane"):
            props = _properties(node)
            lane = Lane(node.get("id"), node.get("name") or "", props.get("agency"), props.get("agency_from"))
            lanes.append(lane)
            for ref in node.findall("bpmn:flowNodeRef", BPMN_NS):
                index.lanes[(pid, ref.text.strip())] = lane
        index.lane_list[pid] = lanes
        for sub in process.iter(f"{{{BPMN_NS['bpmn']}}}subProcess"):
            index.embedded[sub.get("id")] = sub.getparent().get("id")


def _translate_dmn(root, index: ModelIndex) -> None:
    """Turn the FEEL cells of a decision table into the Python SpiffWorkflow evaluates (``engine.workflow.feel``)."""
    q = lambda tag: f"{{{DMN_NS}}}{tag}"  # noqa: E731
    language = root.get("expressionLanguage") or feel.DEFAULT_FEEL
    if language not in feel.FEEL_URIS:
        raise feel.FeelError(f"decision tables must be written in FEEL, not {language}")
    for decision in root.iter(q("decision")):
        table = decision.find(q("decisionTable"))
        index.hit_policies[decision.get("id")] = table.get("hitPolicy", "UNIQUE")
        domain = []
        for column in table.findall(q("input")):
            text = column.find(f"{q('inputExpression')}/{q('text')}")
            label_path = text.text
            text.text = feel.path(text.text)
            values = column.find(f"{q('inputValues')}/{q('text')}")
            domain.append((column.get("label"), label_path,
                           feel.allowed_values(values.text) if values is not None else None))
        index.input_domains[decision.get("id")] = domain
        for entry in table.iter(q("inputEntry")):
            text = entry.find(q("text"))
            condition = feel.unary_tests(text.text)
            text.text = "-" if condition is None else condition
        for entry in table.iter(q("outputEntry")):
            text = entry.find(q("text"))
            text.text = feel.output_entry(text.text)


def _parse(sources: dict[str, bytes]):
    parser = SpiffBpmnParser(validator=VALIDATOR)
    index = ModelIndex()
    for name, content in sources.items():
        root = etree.fromstring(content)
        if name.endswith(".dmn"):
            _translate_dmn(root, index)
            parser.add_dmn_xml(root, filename=name)
        else:
            _index_bpmn(root, index, name)
            parser.add_bpmn_xml(root, filename=name)
    specs = {pid: (parser.get_spec(pid), parser.get_subprocess_specs(pid)) for pid in parser.get_process_ids()}
    decisions = {}
    for decision_id, dmn in parser.dmn_parsers.items():
        dmn.parse()
        decisions[decision_id] = dmn.decision.decisionTables[0]
    return specs, decisions, index


# --- service tasks: the engine's side of the model -----------------------------------------------------
# A unit of work that steps a workflow sets the services it offers the model's service tasks (e.g. the
# orders in force of the case) and collects what the model asks the engine to do (e.g. raise a chase).
step_context: contextvars.ContextVar = contextvars.ContextVar("guardloop_step_context", default=None)


@dataclass
class StepContext:
    services: dict = field(default_factory=dict)   # operation name -> callable(task, params) -> JSON-able
    outbox: list = field(default_factory=list)     # what the model asked for: (operation, task, params)


class GuardLoopScriptEngine(PythonScriptEngine):
    """The restricted environment plus the model's service tasks (``spiffworkflow:serviceTaskOperator``)."""

    def call_service(self, task, operation_name, operation_params):
        context = step_context.get()
        if context is None:
            raise WorkflowException(f"service task {operation_name} ran outside a unit of work", task_spec=task.task_spec)
        params = {name: spec["value"] for name, spec in operation_params.items()}
        provider = context.services.get(operation_name)
        if provider is None:
            context.outbox.append((operation_name, task, params))
            return json.dumps(None)
        return json.dumps(provider(task, params))


def _new_script_engine() -> GuardLoopScriptEngine:
    return GuardLoopScriptEngine(environment=RestrictedEnvironment())


class WorkflowRuntime:
    _cache: dict[str, "WorkflowRuntime"] = {}

    def __init__(self, sources: dict[str, bytes]):
        self.sources = dict(sources)
        self.version = model_version(self.sources)
        self.specs, self.decisions, self.index = _parse(self.sources)
        registry = BpmnWorkflowSerializer.configure(_compact_config(self))
        self.serializer = BpmnWorkflowSerializer(registry)
        self.script_engine = _new_script_engine()
        self._task_specs: dict | None = None

    @classmethod
    def for_sources(cls, sources: dict[str, bytes]) -> "WorkflowRuntime":
        version = model_version(sources)
        if version not in cls._cache:
            cls._cache[version] = cls(sources)
        return cls._cache[version]

    @classmethod
    def from_directory(cls, directory) -> "WorkflowRuntime":
        return cls.for_sources(read_model_sources(directory))

    # --- instances -------------------------------------------------------------------------------
    def new_workflow(self, process_id: str, data: dict | None = None) -> BpmnWorkflow:
        spec, subprocess_specs = self.specs[process_id]
        workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=self.script_engine)
        workflow.task_tree.data.update(data or {})
        for task in workflow.get_tasks(state=TaskState.READY):
            task.data.update(data or {})
        workflow.do_engine_steps()
        return workflow

    def dump(self, workflow: BpmnWorkflow) -> str:
        return self.serializer.serialize_json(workflow)

    def load(self, state: str) -> BpmnWorkflow:
        workflow = self.serializer.deserialize_json(state)
        workflow.script_engine = self.script_engine
        return workflow

    # --- what the models say about tasks -----------------------------------------------------------
    def task_specs(self) -> dict:
        """Every user and receive task of every process: element id → spec (ids are unique across files)."""
        if self._task_specs is None:
            found = {}
            for spec, subprocesses in self.specs.values():
                for process in [spec, *subprocesses.values()]:
                    for task_spec in process.task_specs.values():
                        if is_work(task_spec):
                            found[task_spec.name] = task_spec
            self._task_specs = found
        return self._task_specs

    def lane(self, task_spec) -> Lane | None:
        """The lane a task sits in; a task inside an embedded sub-process sits in the sub-process's lane."""
        process, element = task_spec._wf_spec.name, task_spec.bpmn_id or task_spec.name
        while (process, element) not in self.index.lanes and process in self.index.embedded:
            process, element = self.index.embedded[process], process
        return self.index.lanes.get((process, element))

    def owner_agency(self, task) -> str | None:
        """The agency that owns a task: its lane's ``agency``, or the value its ``agency_from`` path names
        in the task's data."""
        lane = self.lane(task.task_spec)
        if lane is None:
            return None
        if lane.agency:
            return lane.agency
        value = task.data
        for part in (lane.agency_from or "").split("."):
            value = value.get(part) if isinstance(value, dict) else None
        return value if isinstance(value, str) else None

    def specs_for(self, agency: str, role: str) -> tuple[str, ...]:
        """The tasks (element ids) a user of ``agency`` with ``role`` may complete, from their lanes and
        ``roles`` properties (a lane whose agency comes from the data may be any agency's)."""
        names = []
        for name, spec in self.task_specs().items():
            lane = self.lane(spec)
            if lane is not None and lane.agency not in (None, agency):
                continue
            if role_allowed(task_roles(spec), agency, role):
                names.append(name)
        return tuple(sorted(names))

    def decide(self, decision_id: str, data: dict) -> dict:
        """Evaluate one DMN table outside a workflow (with the same restricted script engine)."""
        holder = SimpleNamespace(data=dict(data), workflow=SimpleNamespace(script_engine=self.script_engine))
        return DMNEngine(self.decisions[decision_id]).result(holder)

    # --- stepping --------------------------------------------------------------------------------
    @staticmethod
    def ready_user_tasks(workflow: BpmnWorkflow):
        return workflow.get_tasks(state=TaskState.READY, manual=True)

    @staticmethod
    def waiting_receive_tasks(workflow: BpmnWorkflow):
        return [t for t in workflow.get_tasks(state=TaskState.WAITING) if isinstance(t.task_spec, ReceiveTask)]

    @staticmethod
    def complete(workflow: BpmnWorkflow, task, data: dict | None = None) -> None:
        task.data.update(data or {})
        task.run()
        workflow.do_engine_steps()

    @staticmethod
    def send_message(workflow: BpmnWorkflow, name: str, payload: dict) -> bool:
        """Deliver a message (e.g. ``visit_recorded``) to the task waiting for it; False if none waits."""
        try:
            workflow.send_event(BpmnEvent(MessageEventDefinition(name), payload))
        except WorkflowException:
            return False
        workflow.do_engine_steps()
        return True

    @staticmethod
    def fire_timers(workflow: BpmnWorkflow) -> None:
        workflow.refresh_timers()
        workflow.do_engine_steps()

    @staticmethod
    def next_timer_at(workflow: BpmnWorkflow) -> datetime | None:
        moments = [timer_moment(event.value) for event in workflow.waiting_events() if event.event_type in TIMERS]
        moments = [m for m in moments if m is not None]
        return min(moments) if moments else None

    @staticmethod
    def scan(workflow: BpmnWorkflow, since: float | None = None):
        """One pass over every task: the open work (READY user tasks and WAITING receive tasks), the work
        that left that state after ``since`` (a ``time.time()``), and the first moment of each waiting
        boundary timer keyed by (parent task id, the spec name of the task it is attached to)."""
        open_work, left, deadlines = {}, set(), {}
        tables = [workflow.tasks] + [sp.tasks for sp in workflow.subprocesses.values()]
        for table in tables:
            for task in table.values():
                spec, state = task.task_spec, task.state
                if is_work(spec):
                    if state == (TaskState.WAITING if isinstance(spec, ReceiveTask) else TaskState.READY):
                        open_work[str(task.id)] = task
                    elif since is not None and task.last_state_change >= since:
                        left.add(str(task.id))
                elif state == TaskState.WAITING and task.parent is not None \
                        and task.parent.task_spec.name.endswith(".BoundaryEventSplit"):
                    moment = timer_moment(task._get_internal_data("event_value"))
                    if moment is not None:
                        key = (task.parent.id, task.parent.task_spec.name.removesuffix(".BoundaryEventSplit"))
                        deadlines[key] = min(moment, deadlines.get(key, moment))
        return open_work, left, deadlines

    @staticmethod
    def latest_data(workflow: BpmnWorkflow, spec_name: str) -> dict | None:
        """The data of the most recently completed task of ``spec_name`` (e.g. a business rule task)."""
        done = [t for t in workflow.get_tasks(state=TaskState.COMPLETED) if t.task_spec.name == spec_name]
        return max(done, key=lambda t: t.last_state_change).data if done else None

    @staticmethod
    def reached_end(workflow: BpmnWorkflow, end_ids) -> str | None:
        for task in workflow.get_tasks(state=TaskState.COMPLETED):
            if task.task_spec.name in end_ids:
                return task.task_spec.name
        return None


TIMERS = ("DurationTimerEventDefinition", "TimeDateEventDefinition", "CycleTimerEventDefinition")
FINISHED = (TaskState.COMPLETED, TaskState.CANCELLED, TaskState.ERROR)
BEGUN = (TaskState.READY, TaskState.STARTED, TaskState.WAITING, TaskState.COMPLETED)


def step_progress(workflow) -> dict[str, tuple[bool, bool]]:
    """Per step of the round (the ``step`` property of its call activities): (begun, still open). A step is
    over when it has begun and none of its call activities is still open or yet to come."""
    progress: dict[str, tuple[bool, bool]] = {}
    for task in workflow.tasks.values():
        step = task_properties(task.task_spec).get("step")
        if not step or getattr(task.task_spec, "manual", False):
            continue
        begun, still_open = progress.get(step, (False, False))
        progress[step] = (begun or task.state in BEGUN, still_open or task.state not in FINISHED)
    return progress


def is_work(task_spec) -> bool:
    """A task people do: a user task, or a receive task waiting for a record people make (a visit, a
    guidance session) — both show in inboxes."""
    return bool(getattr(task_spec, "manual", False)) or isinstance(task_spec, ReceiveTask)


def task_properties(task_spec) -> dict:
    return getattr(task_spec, "extensions", {}).get("properties", {})


def task_roles(task_spec) -> list[str]:
    """The ``roles`` property: ``caseworker`` (any agency owning the task) or ``court:judge`` (only for the
    court)."""
    return [r.strip() for r in task_properties(task_spec).get("roles", "").split(",") if r.strip()]


def timer_moment(value) -> datetime | None:
    """When a waiting timer fires next: duration and date timers keep an ISO moment, cycle timers a dict
    with the next one (none left when its cycles ran out)."""
    if isinstance(value, dict):
        value = value.get("next") if value.get("cycles") != 0 else None
    if not isinstance(value, str):
        return None
    return TimerEventDefinition.get_datetime(value)


def days_of(duration: str) -> int:
    """The days an ISO 8601 duration of the models (``P30D``, ``P6M``) spans, as a form shows it."""
    start = timer_moment("2026-01-01T00:00:00+00:00")
    return (timer_moment(moment_after_from(start, duration)) - start).days


def _in_load_order(workflow, top):
    for task in workflow.tasks.values():
        sub = top.subprocesses.get(task.id)
        if sub is not None:
            yield task.id, sub
            yield from _in_load_order(sub, top)


def _compact_config(runtime: WorkflowRuntime) -> dict:
    class CompactWorkflowConverter(BpmnWorkflowConverter):
        """Stores the process id instead of the whole spec; specs come from the runtime's cache."""

        def to_dict(self, workflow):
            dct = WorkflowConverter.to_dict(self, workflow)
            dct["spec"] = workflow.spec.name
            dct["model_version"] = runtime.version
            # in the order loading restores them (each parent before its children): one canonical form
            dct["subprocesses"] = self.mapping_to_dict(dict(_in_load_order(workflow, workflow)))
            dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
            return dct

        def from_dict(self, dct):
            if dct.pop("model_version", runtime.version) != runtime.version:
                raise ValueError("workflow state belongs to another model version")
            spec, subprocess_specs = runtime.specs[dct.pop("spec")]
            workflow = self.target_class(spec, subprocess_specs, deserializing=True)
            workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
            workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
            self.set_default_attributes(workflow, dct)
            self.subprocesses_from_dict(dct["subprocesses"], workflow)
            workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
            return workflow

    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = CompactWorkflowConverter
    return config


__all__ = ["WorkflowRuntime", "model_version", "read_model_sources", "step_context", "StepContext", "is_work",
           "step_progress",
           "task_properties", "task_roles", "role_allowed", "timer_moment"]
