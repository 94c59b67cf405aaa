"""The workflow runtime: parsed specs per model version, a compact serializer, restricted scripts.

One ``WorkflowRuntime`` holds one immutable model version (the content hash of every .bpmn and .dmn
file). Specs are parsed once per process and cached by that hash; a serialized workflow stores the
process id instead of its spec (≈15 KB a round instead of ≈37 KB), and the script engine is set again on
every load so a workflow never falls back to SpiffWorkflow's unrestricted default.
"""
import hashlib
from datetime import datetime
from pathlib import Path
from uuid import UUID

from types import SimpleNamespace

from lxml import etree
from SpiffWorkflow.dmn.engine.DMNEngine import DMNEngine
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

from . import clock as _clock  # noqa: F401  (installs the injectable clock into SpiffWorkflow's timers)
from .scripting import restricted_script_engine

MODEL_SUFFIXES = (".bpmn", ".dmn")


def model_version(sources: dict[str, bytes]) -> str:
    digest = hashlib.sha256()
    for name in sorted(sources):
        digest.update(name.encode() + b"\0" + sources[name] + b"\0")
    return digest.hexdigest()[:16]


def read_model_sources(directory) -> dict[str, bytes]:
    folder = Path(directory)
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.suffix in MODEL_SUFFIXES}


def _parse(sources: dict[str, bytes]):
    parser = SpiffBpmnParser(validator=VALIDATOR)
    for name, content in sources.items():
        root = etree.fromstring(content)
        if name.endswith(".dmn"):
            parser.add_dmn_xml(root, filename=name)
        else:
            parser.add_bpmn_xml(root, filename=name)
    specs = {pid: (parser.get_spec(pid), parser.get_subprocess_specs(pid)) for pid in parser.get_process_ids()}
    decisions = {}
    for decision_id, dmn in parser.dmn_parsers.items():
        dmn.parse()
        decisions[decision_id] = dmn.decision.decisionTables[0]
    return specs, decisions


class WorkflowRuntime:
    _cache: dict[str, "WorkflowRuntime"] = {}

    def __init__(self, sources: dict[str, bytes]):
        self.sources = dict(sources)
        self.version = model_version(self.sources)
        self.specs, self.decisions = _parse(self.sources)
        registry = BpmnWorkflowSerializer.configure(_compact_config(self))
        self.serializer = BpmnWorkflowSerializer(registry)
        self.script_engine = restricted_script_engine()

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

    def specs_for_role(self, role: str) -> tuple[str, ...]:
        """The user tasks (spec names) a role may complete, from the ``roles`` property of each."""
        if not hasattr(self, "_roles_of"):
            roles_of = {}
            for spec, subprocesses in self.specs.values():
                for process in [spec, *subprocesses.values()]:
                    for task_spec in process.task_specs.values():
                        if getattr(task_spec, "manual", False):
                            names = task_spec.extensions.get("properties", {}).get("roles", "")
                            roles_of[task_spec.name] = {r.strip() for r in names.split(",") if r.strip()}
            self._roles_of = roles_of
        return tuple(sorted(name for name, roles in self._roles_of.items() if role in roles))

    def decide(self, decision_id: str, data: dict) -> dict:
        """Evaluate one DMN table outside a workflow (with the same restricted script engine)."""
        holder = SimpleNamespace(data=dict(data), workflow=SimpleNamespace(script_engine=self.script_engine))
        return DMNEngine(self.decisions[decision_id]).result(holder)

    # --- stepping --------------------------------------------------------------------------------
    @staticmethod
    def ready_user_tasks(workflow: BpmnWorkflow):
        return workflow.get_tasks(state=TaskState.READY, manual=True)

    @staticmethod
    def complete(workflow: BpmnWorkflow, task, data: dict | None = None) -> None:
        task.data.update(data or {})
        task.run()
        workflow.do_engine_steps()

    @staticmethod
    def fire_timers(workflow: BpmnWorkflow) -> None:
        workflow.refresh_timers()
        workflow.do_engine_steps()

    @staticmethod
    def next_timer_at(workflow: BpmnWorkflow) -> datetime | None:
        moments = [
            TimerEventDefinition.get_datetime(event.value)
            for event in workflow.waiting_events()
            if event.event_type == "DurationTimerEventDefinition" and event.value
        ]
        return min(moments) if moments else None

    @staticmethod
    def scan(workflow: BpmnWorkflow, since: float | None = None):
        """One pass over every task: the READY user tasks, the user tasks that left READY after
        ``since`` (a ``time.time()``), and the deadlines of waiting boundary timers keyed by
        (parent task id, the spec name of the task they are attached to): a task's real due date."""
        ready, left, deadlines = {}, set(), {}
        tables = [workflow.tasks] + [sp.tasks for sp in workflow.subprocesses.values()]
        for table in tables:
            for task in table.values():
                spec, state = task.task_spec, task.state
                if spec.manual:
                    if state == TaskState.READY:
                        ready[str(task.id)] = task
                    elif since is not None and task.last_state_change >= since:
                        left.add(str(task.id))
                elif state == TaskState.WAITING and getattr(spec, "attached_to", None) is not None:
                    value = task._get_internal_data("event_value")
                    if isinstance(value, str):
                        key = (task.parent.id, spec.attached_to.name)
                        moment = TimerEventDefinition.get_datetime(value)
                        deadlines[key] = min(moment, deadlines.get(key, moment))
        return ready, left, deadlines

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


def _compact_config(runtime: WorkflowRuntime) -> dict:
    class CompactWorkflowConverter(BpmnWorkflowConverter):
        """Stores the process id instead of the whole spec; specs come from the runtime's cache."""

        def to_dict(self, workflow):
            dct = WorkflowConverter.to_dict(self, workflow)
            dct["spec"] = workflow.spec.name
            dct["model_version"] = runtime.version
            dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
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


__all__ = ["WorkflowRuntime", "model_version", "read_model_sources"]
