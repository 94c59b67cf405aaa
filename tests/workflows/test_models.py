"""The models keep the contract (workflows/README.md): they parse with SpiffWorkflow's validating parser, name
the agency of each lane in a property and the roles, step and due date of each task; every wait has a way out
and no chase holds anything open; the diagrams read well (tools/check_models.py) and pass bpmnlint."""
import os
import re
import shutil
import subprocess

import pytest
from lxml import etree
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from engine.workflow.runtime import WorkflowRuntime, read_model_sources, task_properties
from tools import check_models

from .conftest import AGENCIES, ROOT, WORKFLOWS

BPMN_FILES = sorted(WORKFLOWS.glob("*.bpmn"))
DMN_FILES = sorted(WORKFLOWS.glob("*.dmn"))
NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL", "spiff": "http://spiffworkflow.org/bpmn/schema/1.0/core",
      "dmn": "https://www.omg.org/spec/DMN/20191111/MODEL/"}
ROLES = {"caseworker", "prosecutor", "judge", "counsellor", "supervisor"}
STEPS = {"assess", "handle", "guide", "follow_up", "review"}
ISO_DURATION = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$")
PATH = re.compile(r"^[a-z_]+(\.[a-z_]+)*$")
FEEL = "https://www.omg.org/spec/DMN/20191111/FEEL/"


def trees():
    return {path.name: etree.parse(str(path)) for path in BPMN_FILES}


def flows_of(tree):
    out, into = {}, {}
    for f in tree.iterfind(".//bpmn:sequenceFlow", NS):
        out.setdefault(f.get("sourceRef"), []).append(f)
        into.setdefault(f.get("targetRef"), []).append(f)
    return out, into


def element(tree, element_id):
    found = tree.xpath(f"//*[@id='{element_id}']")
    assert found, element_id
    return found[0]


def test_there_are_models_and_the_round_calls_every_step():
    assert {p.name for p in BPMN_FILES} >= {"intervention_round.bpmn", "assess.bpmn", "handle.bpmn", "guide.bpmn",
                                            "follow_up.bpmn", "review.bpmn", "referral.bpmn", "order.bpmn"}
    called = {c.get("calledElement") for t in trees().values() for c in t.iterfind(".//bpmn:callActivity", NS)}
    processes = {p.get("id") for t in trees().values() for p in t.iterfind(".//bpmn:process", NS)}
    assert called <= processes, called - processes
    assert processes - called == {"intervention_round"}, "every process but the round is called from somewhere"


@pytest.mark.parametrize("path", BPMN_FILES, ids=lambda p: p.name)
def test_each_bpmn_parses_alone_with_the_validator(path):
    parser = SpiffBpmnParser(validator=VALIDATOR)
    parser.add_bpmn_file(str(path))
    assert parser.get_process_ids()


def test_every_task_people_do_names_its_agency_roles_step_and_due_date(runtime):
    specs = runtime.task_specs()
    assert len(specs) >= 30
    for name, spec in specs.items():
        lane = runtime.lane(spec)
        assert lane is not None, f"{name} sits in no lane"
        assert (lane.agency in AGENCIES) != bool(lane.agency_from), f"{name}: lane {lane.label} names one agency source"
        assert lane.agency_from is None or PATH.match(lane.agency_from), lane.agency_from
        props = task_properties(spec)
        roles = [r.strip() for r in props.get("roles", "").split(",") if r.strip()]
        assert roles, f"{name} names no roles"
        for role in roles:
            agency, _, bare = role.rpartition(":")
            assert bare in ROLES and (not agency or agency in AGENCIES), f"{name}: role {role}"
        assert props.get("step") in STEPS, f"{name}: step {props.get('step')}"
        due = props.get("due_in", "")
        assert ISO_DURATION.match(due) or PATH.match(due), f"{name}: due_in {due!r}"


def test_lane_labels_are_for_people_renaming_one_changes_nothing(runtime):
    """The engine reads a lane's agency from its property, never from its label."""
    sources = read_model_sources(WORKFLOWS)
    renamed = {name: re.sub(rb'(<bpmn:lane id="[^"]+" name=")[^"]*(")', rb"\1renamed \2", content)
               if name.endswith(".bpmn") else content for name, content in sources.items()}
    assert renamed != sources
    other = WorkflowRuntime(renamed)
    for name, spec in runtime.task_specs().items():
        a, b = runtime.lane(spec), other.lane(other.task_specs()[name])
        assert (a.agency, a.agency_from) == (b.agency, b.agency_from), name
        assert runtime.specs_for("court", "judge") == other.specs_for("court", "judge")


def test_business_rule_tasks_call_existing_decisions(runtime):
    for tree in trees().values():
        for task in tree.iterfind(".//bpmn:businessRuleTask", NS):
            decision = task.findtext("bpmn:extensionElements/spiff:calledDecisionId", namespaces=NS)
            assert decision in runtime.decisions, (task.get("id"), decision)


@pytest.mark.parametrize("path", DMN_FILES, ids=lambda p: p.name)
def test_every_table_declares_feel_and_the_values_of_its_inputs(path):
    root = etree.parse(str(path)).getroot()
    assert root.get("expressionLanguage") == FEEL and root.get("typeLanguage") == FEEL
    for column in root.iterfind(".//dmn:input", NS):
        assert column.findtext("dmn:inputValues/dmn:text", namespaces=NS), f"{path.name}: {column.get('label')}"


def test_gateways_are_plain_splits_and_joins():
    """No inclusive gateways (bpmnlint:recommended); no gateway both joins and forks; a forking decision is
    named, and so is every flow out of it that carries a condition."""
    for name, tree in trees().items():
        assert not tree.xpath("//bpmn:inclusiveGateway | //bpmn:complexGateway", namespaces=NS), name
        out, into = flows_of(tree)
        for gw in tree.xpath("//bpmn:exclusiveGateway | //bpmn:parallelGateway", namespaces=NS):
            gid = gw.get("id")
            assert not (len(into.get(gid, [])) > 1 and len(out.get(gid, [])) > 1), f"{name}: {gid} joins and forks"
            if len(out.get(gid, [])) > 1 and etree.QName(gw).localname == "exclusiveGateway":
                assert (gw.get("name") or "").strip(), f"{name}: {gid} forks but has no name"
                for flow in out[gid]:
                    assert (flow.get("name") or "").strip(), f"{name}: {flow.get('id')} has no label"


def _chase_paths(tree):
    """Non-interrupting cycle timers on tasks, with what follows each."""
    out, _ = flows_of(tree)
    for boundary in tree.iterfind(".//bpmn:boundaryEvent", NS):
        if boundary.get("cancelActivity") == "false":
            yield boundary, [f.get("targetRef") for f in out.get(boundary.get("id"), [])]


def test_every_chase_raises_a_record_and_ends_at_once():
    """A chase repeats (cycle timer) and only asks the engine to raise a chase: no task, nothing held open."""
    for name, tree in trees().items():
        out, _ = flows_of(tree)
        for boundary, targets in _chase_paths(tree):
            assert boundary.find("bpmn:timerEventDefinition/bpmn:timeCycle", NS) is not None, boundary.get("id")
            (service_id,) = targets
            service = element(tree, service_id)
            assert etree.QName(service).localname == "serviceTask", service_id
            operator = service.find("bpmn:extensionElements/spiff:serviceTaskOperator", NS)
            assert operator.get("id") == "raise_chase", service_id
            (end_id,) = [f.get("targetRef") for f in out[service_id]]
            assert etree.QName(element(tree, end_id)).localname == "endEvent", end_id


def test_every_wait_has_a_reminder_and_a_way_out():
    """Every task people do has a due date and a repeating chase, or an interrupting timer around it; the long
    waits of a round (follow-up, supervision of orders, guidance) end at the latest when the review falls due."""
    chased = {boundary.get("attachedToRef") for tree in trees().values() for boundary, _ in _chase_paths(tree)}
    for tree in trees().values():
        for receive in tree.iterfind(".//bpmn:receiveTask", NS):
            assert receive.get("id") in chased, f"{receive.get('id')} waits for a record without a chase"
    round_ = trees()["intervention_round.bpmn"]
    interrupting = {b.get("attachedToRef"): b for b in round_.iterfind(".//bpmn:boundaryEvent", NS)
                    if b.get("cancelActivity") != "false"}
    for waiting in ("follow_up", "watch", "supervise"):
        timer = interrupting[waiting].find("bpmn:timerEventDefinition/bpmn:timeDate", NS)
        assert timer is not None and timer.text == "review_at", waiting
    guide = trees()["guide.bpmn"]
    (period,) = [b for b in guide.iterfind(".//bpmn:boundaryEvent", NS) if b.get("attachedToRef") == "guidance"]
    assert period.get("cancelActivity") != "false"
    for name in ("decide_referral", "approve_order", "deliver_order", "compliance_check", "safety_contact",
                 "await_visit", "await_session"):
        assert name in chased, f"{name} is never chased"


def test_every_approval_can_approve_return_or_refuse():
    order = trees()["order.bpmn"]
    out, _ = flows_of(order)
    conditions = {f.findtext("bpmn:conditionExpression", namespaces=NS) for f in out["approval_decided"]}
    assert conditions == {'approval == "approved"', 'approval == "returned"', 'approval == "refused"'}
    targets = {f.get("targetRef") for f in out["approval_decided"]}
    assert targets == {"deliver_order", "draft_merge", "order_refused"}
    withdraw = {f.findtext("bpmn:conditionExpression", namespaces=NS) for f in out["drafted"]}
    assert 'draft_action == "withdraw"' in withdraw, "the officer may withdraw a measure"


def test_no_path_lowers_the_code_or_closes_the_case_without_an_approval():
    """The review ends with a downgrade, closure or escalation only through its approval's "approved" flow."""
    review = trees()["review.bpmn"]
    out, into = flows_of(review)
    into_decided = {f.get("id"): f for f in into["rv_decided"]}
    assert set(into_decided) == {"f_rv_another", "f_rv_approved"}
    assert into_decided["f_rv_approved"].findtext("bpmn:conditionExpression", namespaces=NS) == 'approval == "approved"'
    assert {f.get("sourceRef") for f in into["approval_merge"]} == {"approve_downgrade", "approve_closure",
                                                                    "approve_escalation"}
    assert into_decided["f_rv_another"].findtext("bpmn:conditionExpression", namespaces=NS) == \
        'outcome == "another_round"'


def test_the_diagrams_read_well():
    assert check_models.main([str(p) for p in BPMN_FILES]) == 0


def test_no_program_writes_the_models():
    """The XML a modeler saves is the source: nothing in the repository generates it."""
    for path in (ROOT / "tools").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "write_text" not in text and ".write(" not in text, f"{path.name} writes files"


@pytest.mark.parametrize("path", BPMN_FILES, ids=lambda p: p.name)
def test_bpmnlint(path):
    local = ROOT / "node_modules" / ".bin" / "bpmnlint"
    if not local.exists():
        if os.environ.get("CI"):
            pytest.fail("node_modules/.bin/bpmnlint is missing: run `npm ci` before the tests")
        pytest.skip("bpmnlint is not installed (run `npm ci`); CI fails here instead")
    npx = shutil.which("npx")
    assert npx, "npx not found"
    result = subprocess.run([npx, "--no-install", "bpmnlint", str(path.relative_to(ROOT))], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    assert "warning" not in result.stdout and "error" not in result.stdout, report
