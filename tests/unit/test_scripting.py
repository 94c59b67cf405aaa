"""Model expressions run compile-restricted: escapes are refused at compile time, in models too."""
import pytest
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException

from engine.workflow.runtime import WorkflowRuntime
from engine.workflow.scripting import RestrictedEnvironment, ScriptRefused

ESCAPE = "().__class__.__base__.__subclasses__()"


@pytest.mark.parametrize("source", [ESCAPE, "__import__('os').system('true')", "open('/etc/passwd').read()",
                                    "x.__dict__", "getattr(x, '__class__')"])
def test_escapes_are_refused(source):
    with pytest.raises((ScriptRefused, NameError)):
        RestrictedEnvironment().evaluate(source, {"x": 1})


def test_ordinary_expressions_work():
    env = RestrictedEnvironment()
    assert env.evaluate('"red" in risk_factors or total_score >= 24', {"risk_factors": ["red"], "total_score": 1})
    assert env.evaluate("sorted(set(a) & {2, 3})", {"a": [1, 2, 3]}) == [2, 3]
    context = {"n": 2}
    env.execute("m = n * 3", context)
    assert context == {"n": 2, "m": 6}


MODEL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="hostile" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="evil"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>leak = {escape}</bpmn:script></bpmn:scriptTask>
    <bpmn:endEvent id="e"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="evil"/>
    <bpmn:sequenceFlow id="f2" sourceRef="evil" targetRef="e"/>
  </bpmn:process>
</bpmn:definitions>"""


def test_a_model_whose_script_tries_to_escape_is_refused():
    runtime = WorkflowRuntime.for_sources({"hostile.bpmn": MODEL.format(escape=ESCAPE).encode()})
    with pytest.raises(WorkflowTaskException) as caught:
        runtime.new_workflow("hostile")
    assert caught.value.error_type == "ScriptRefused"
    assert '"__class__" is an invalid attribute name' in str(caught.value)


def test_the_restricted_engine_survives_a_serializer_round_trip():
    runtime = WorkflowRuntime.for_sources({"hostile.bpmn": MODEL.format(escape="1 + 1").encode()})
    workflow = runtime.new_workflow("hostile")
    assert workflow.is_completed() and workflow.data.get("leak", workflow.last_task.data.get("leak")) == 2
    restored = runtime.load(runtime.dump(workflow))
    assert isinstance(restored.script_engine.environment, RestrictedEnvironment)
