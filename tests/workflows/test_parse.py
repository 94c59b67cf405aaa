"""The models parse with SpiffWorkflow's validating parser, keep the contract (workflows/README.md),
carry diagram interchange for every element, are what tools/build_models.py generates, and pass bpmnlint."""
import os
import re
import shutil
import subprocess
import sys

import pytest
from lxml import etree
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from .conftest import AGENCIES, LANES, OUTCOME_ENDS, ROOT, WORKFLOWS

BPMN_FILES = sorted(WORKFLOWS.glob("*.bpmn"))
DMN_FILES = sorted(WORKFLOWS.glob("*.dmn"))
NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
    "spiff": "http://spiffworkflow.org/bpmn/schema/1.0/core",
}
ROLES = {"caseworker", "prosecutor", "judge", "counsellor", "supervisor"}
STEPS = {"assess", "handle", "guide", "follow_up", "review"}
ISO_DURATION = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$")
FLOW_NODES = ("startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
              "task", "userTask", "businessRuleTask", "scriptTask", "serviceTask", "manualTask", "sendTask",
              "receiveTask", "callActivity", "subProcess", "exclusiveGateway", "inclusiveGateway",
              "parallelGateway", "eventBasedGateway")

# the contract: workflows/README.md — task: (owning agency, roles, step); tasks in SUPERVISED sit in the
# supervisor lane and name their agency in the ``agency`` property
SUPERVISED = {"approve_procuratorate_order", "approve_court_order", "approve_rigid_procuratorate_order",
              "approve_rigid_court_order", "approve_downgrade", "approve_closure", "approve_escalation"}
USER_TASKS = {
    "social_investigation": ("womens_federation", "caseworker", "assess"),
    "scored_assessment": ("womens_federation", "caseworker", "assess"),
    "decide_handling": ("womens_federation", "caseworker", "handle"),
    "notify_guardian": ("womens_federation", "caseworker", "handle"),
    "admonish_guardian": ("womens_federation", "caseworker", "handle"),
    "reprimand_guardian": ("police", "caseworker", "handle"),
    "issue_procuratorate_order": ("procuratorate", "prosecutor", "handle"),
    "approve_procuratorate_order": ("procuratorate", "supervisor", "handle"),
    "deliver_procuratorate_order": ("procuratorate", "prosecutor,caseworker", "handle"),
    "chase_deliver_procuratorate_order": ("procuratorate", "supervisor", "handle"),
    "issue_court_order": ("court", "judge", "handle"),
    "approve_court_order": ("court", "supervisor", "handle"),
    "deliver_court_order": ("court", "judge,caseworker", "handle"),
    "chase_deliver_court_order": ("court", "supervisor", "handle"),
    "refer_civil_affairs": ("civil_affairs", "caseworker", "handle"),
    "draft_guidance_plan": ("womens_federation", "caseworker", "handle"),
    "record_guidance_session": ("womens_federation", "counsellor,caseworker", "guide"),
    "chase_overdue_session": ("womens_federation", "supervisor", "guide"),
    "record_followup_visit": ("womens_federation", "caseworker", "follow_up"),
    "chase_overdue_visit": ("procuratorate", "prosecutor,supervisor", "follow_up"),
    "reassess": ("womens_federation", "caseworker", "review"),
    "decide_outcome": ("womens_federation", "caseworker", "review"),
    "approve_downgrade": ("womens_federation", "supervisor", "review"),
    "approve_closure": ("womens_federation", "supervisor", "review"),
    "approve_escalation": ("womens_federation", "supervisor", "review"),
    "joint_meeting": ("procuratorate", "prosecutor,supervisor", "review"),
    "issue_rigid_court_order": ("court", "judge", "review"),
    "approve_rigid_court_order": ("court", "supervisor", "review"),
    "deliver_rigid_court_order": ("court", "judge,caseworker", "review"),
    "chase_deliver_rigid_court_order": ("court", "supervisor", "review"),
    "issue_rigid_procuratorate_order": ("procuratorate", "prosecutor", "review"),
    "approve_rigid_procuratorate_order": ("procuratorate", "supervisor", "review"),
    "deliver_rigid_procuratorate_order": ("procuratorate", "prosecutor,caseworker", "review"),
    "chase_deliver_rigid_procuratorate_order": ("procuratorate", "supervisor", "review"),
    "arrange_temporary_guardianship": ("civil_affairs", "caseworker", "review"),
}
RULE_TASKS = {
    "decide_risk_code": "risk_code_decision",
    "apply_code_floor": "code_floor",
    "plan_followup": "followup_schedule",
    "recommend_measures": "handling_measures",
    "decide_reassessed_code": "risk_code_decision",
    "check_downgrade": "downgrade_eligibility",
}
TIMERS = {"guidance_period_ended": "guidance_period", "wait_visit_due": "visit_interval",
          "visit_overdue": "visit_grace", "session_overdue": "session_chase_after",
          **{f"deliver_{o}_overdue": "delivery_chase_after" for o in (
              "procuratorate_order", "court_order", "rigid_procuratorate_order", "rigid_court_order")}}
DMN_NAMES = {"risk_code.dmn", "handling_measures.dmn", "followup_schedule.dmn", "downgrade_eligibility.dmn",
             "code_floor.dmn"}


def parser():
    p = SpiffBpmnParser(validator=VALIDATOR)
    p.add_bpmn_files([str(f) for f in BPMN_FILES])
    p.add_dmn_files([str(f) for f in DMN_FILES])
    return p


def all_specs(p):
    specs = []
    for pid in p.get_process_ids():
        specs.append(p.get_spec(pid))
        specs.extend(p.get_subprocess_specs(pid).values())
    return specs


def task_specs(p, kind):
    """Task specs by BPMN id whose class is named ``kind`` (SpiffWorkflow's spiff.specs.defaults classes)."""
    return {ts.bpmn_id: ts for spec in all_specs(p) for ts in spec.task_specs.values()
            if type(ts).__name__ == kind}


def test_there_are_models():
    assert [f.name for f in BPMN_FILES] == ["intervention_round.bpmn"]
    assert {f.name for f in DMN_FILES} == DMN_NAMES


@pytest.mark.parametrize("path", BPMN_FILES, ids=lambda p: p.name)
def test_each_bpmn_parses_alone_with_the_validator(path):
    p = SpiffBpmnParser(validator=VALIDATOR)
    p.add_bpmn_file(str(path))
    p.add_dmn_files([str(f) for f in DMN_FILES])
    for pid in p.get_process_ids():
        assert p.get_spec(pid) is not None


def test_executable_process_in_a_collaboration():
    tree = etree.parse(str(WORKFLOWS / "intervention_round.bpmn"))
    processes = tree.findall("bpmn:process", NS)
    assert [(e.get("id"), e.get("isExecutable")) for e in processes] == [("intervention_round", "true")]
    participants = tree.findall("bpmn:collaboration/bpmn:participant", NS)
    assert [e.get("processRef") for e in participants] == ["intervention_round"]
    lanes = tree.findall(".//bpmn:laneSet/bpmn:lane", NS)
    assert [e.get("name") for e in lanes] == list(LANES)


def test_user_tasks_have_lanes_and_properties():
    found = task_specs(parser(), "UserTask")
    assert set(found) == set(USER_TASKS)
    for bpmn_id, spec in found.items():
        agency, roles, step = USER_TASKS[bpmn_id]
        props = spec.extensions.get("properties", {})
        if bpmn_id in SUPERVISED:
            assert spec.lane == "supervisor" and props["agency"] == agency, bpmn_id
        else:
            assert spec.lane == agency and "agency" not in props, bpmn_id
        assert agency in AGENCIES, bpmn_id
        assert set(props) >= {"roles", "step", "due_in"}, bpmn_id
        assert props["roles"] == roles, bpmn_id
        assert set(props["roles"].split(",")) <= ROLES, bpmn_id
        assert props["step"] == step and step in STEPS, bpmn_id
        assert ISO_DURATION.match(props["due_in"]), (bpmn_id, props["due_in"])


def test_business_rule_tasks_call_existing_decisions():
    p = parser()
    found = task_specs(p, "BusinessRuleTask")
    assert set(found) == set(RULE_TASKS)
    decisions = set(p.dmn_parsers)
    assert decisions == {"risk_code_decision", "code_floor", "handling_measures", "followup_schedule",
                         "downgrade_eligibility"}
    for bpmn_id, spec in found.items():
        assert spec.extensions["calledDecisionId"] == RULE_TASKS[bpmn_id]
        assert spec.extensions["calledDecisionId"] in decisions
        assert spec.lane in AGENCIES


def test_end_events_timers_and_subprocess():
    tree = etree.parse(str(WORKFLOWS / "intervention_round.bpmn"))
    process = tree.find("bpmn:process", NS)
    terminate = {e.get("id") for e in process.findall("bpmn:endEvent", NS)
                 if e.find("bpmn:terminateEventDefinition", NS) is not None}
    assert terminate == set(OUTCOME_ENDS)
    for event_id, expression in TIMERS.items():
        (event,) = process.xpath(f".//*[@id='{event_id}']")
        assert event.findtext("bpmn:timerEventDefinition/bpmn:timeDuration", namespaces=NS) == expression
    overdue = process.find("bpmn:boundaryEvent[@id='visit_overdue']", NS)
    assert overdue.get("cancelActivity") == "false" and overdue.get("attachedToRef") == "record_followup_visit"
    (late,) = process.xpath(".//bpmn:boundaryEvent[@id='session_overdue']", namespaces=NS)
    assert late.get("cancelActivity") == "false" and late.get("attachedToRef") == "record_guidance_session"
    period = process.find("bpmn:boundaryEvent[@id='guidance_period_ended']", NS)
    assert period.get("cancelActivity", "true") == "true" and period.get("attachedToRef") == "guidance"
    assert process.find("bpmn:subProcess[@id='guidance']", NS) is not None
    assert process.find("bpmn:intermediateCatchEvent[@id='wait_visit_due']", NS) is not None
    assert not process.xpath(".//bpmn:scriptTask", namespaces=NS), "keep the model free of script tasks"


def test_gateways_are_plain_splits_and_joins():
    """No inclusive gateways (bpmnlint:recommended); no gateway both joins and forks; forking decisions are
    named; every optional measure has its chosen?/merged pair between the parallel split and join."""
    tree = etree.parse(str(WORKFLOWS / "intervention_round.bpmn"))
    assert not tree.xpath("//bpmn:inclusiveGateway | //bpmn:complexGateway", namespaces=NS)
    gateways = tree.xpath("//bpmn:exclusiveGateway | //bpmn:parallelGateway", namespaces=NS)
    for gw in gateways:
        ins, outs = len(gw.findall("bpmn:incoming", NS)), len(gw.findall("bpmn:outgoing", NS))
        assert not (ins > 1 and outs > 1), f"{gw.get('id')} both joins and forks"
        if outs > 1:
            assert (gw.get("name") or "").strip(), f"{gw.get('id')} forks but has no name"
    kinds = {gw.get("id"): etree.QName(gw).localname for gw in gateways}
    for split, join, branches in (
            ("measures_split", "measures_join", ["notify", "admonish", "procuratorate_order", "court_order",
                                                 "reprimand", "civil_affairs"]),
            ("rigid_measures_split", "rigid_measures_join", ["rigid_procuratorate_order", "rigid_court_order",
                                                             "temporary_guardianship"])):
        assert kinds[split] == kinds[join] == "parallelGateway"
        for b in branches:
            assert kinds[f"{b}_chosen"] == kinds[f"{b}_merged"] == "exclusiveGateway", b
            (chosen,) = tree.xpath(f"//bpmn:exclusiveGateway[@id='{b}_chosen']", namespaces=NS)
            (skip,) = tree.xpath(f"//bpmn:sequenceFlow[@id='{chosen.get('default')}']", namespaces=NS)
            assert skip.get("targetRef") == f"{b}_merged", b


# every order is drafted, approved by a supervisor of the issuing agency, then delivered (送达):
# draft -> approval -> approved? -(批准)-> delivery -> the branch's merge; -(退回补正)-> back to the draft
ORDER_DELIVERY = {
    "issue_procuratorate_order": ("approve_procuratorate_order", "deliver_procuratorate_order",
                                  "procuratorate_order", "handle"),
    "issue_court_order": ("approve_court_order", "deliver_court_order", "court_order", "handle"),
    "issue_rigid_procuratorate_order": ("approve_rigid_procuratorate_order", "deliver_rigid_procuratorate_order",
                                        "rigid_procuratorate_order", "review"),
    "issue_rigid_court_order": ("approve_rigid_court_order", "deliver_rigid_court_order", "rigid_court_order",
                                "review"),
}


def test_every_order_is_approved_then_delivered():
    p = parser()
    found = task_specs(p, "UserTask")
    tree = etree.parse(str(WORKFLOWS / "intervention_round.bpmn"))
    targets = {}
    for f in tree.iterfind(".//bpmn:sequenceFlow", NS):
        targets.setdefault(f.get("sourceRef"), []).append(f.get("targetRef"))
    for issue, (approve, deliver, branch, step) in ORDER_DELIVERY.items():
        assert targets[issue] == [approve], issue
        assert targets[approve] == [f"{branch}_approved"], approve
        assert set(targets[f"{branch}_approved"]) == {deliver, f"{branch}_drafting"}, branch
        assert targets[f"{branch}_drafting"] == [issue], branch
        assert targets[deliver] == [f"{branch}_merged"], deliver
        assert found[deliver].lane == found[issue].lane, deliver
        assert found[approve].extensions["properties"]["agency"] == found[issue].lane, approve
        props = found[deliver].extensions["properties"]
        assert (props["step"], props["due_in"]) == (step, "P3D"), deliver


def test_no_path_lowers_the_code_or_ends_the_case_without_an_approval():
    """The downgrade and closure ends are reached only through the approval task's "approved" flow, and the
    joint meeting only through an approved escalation."""
    tree = etree.parse(str(WORKFLOWS / "intervention_round.bpmn"))
    into = {}
    for f in tree.iterfind(".//bpmn:sequenceFlow", NS):
        into.setdefault(f.get("targetRef"), []).append(f)
    for end, gateway, approval in (("round_downgraded", "downgrade_approved", "approve_downgrade"),
                                   ("case_closed", "closure_approved", "approve_closure"),
                                   ("joint_meeting", "escalation_approved", "approve_escalation")):
        (flow,) = into[end]
        assert flow.get("sourceRef") == gateway
        assert flow.findtext("bpmn:conditionExpression", namespaces=NS) == "approved == True"
        assert [f.get("sourceRef") for f in into[gateway]] == [approval]


def test_every_element_has_diagram_interchange():
    for path in BPMN_FILES:
        tree = etree.parse(str(path))
        shapes = {s.get("bpmnElement"): s for s in tree.iterfind(".//bpmndi:BPMNShape", NS)}
        edges = {e.get("bpmnElement"): e for e in tree.iterfind(".//bpmndi:BPMNEdge", NS)}
        nodes = [e for tag in FLOW_NODES for e in tree.iterfind(f".//bpmn:{tag}", NS)]
        nodes += list(tree.iterfind(".//bpmn:lane", NS)) + list(tree.iterfind(".//bpmn:participant", NS))
        assert nodes
        for node in nodes:
            shape = shapes.get(node.get("id"))
            assert shape is not None, f"{path.name}: no BPMNShape for {node.get('id')}"
            bounds = shape.find("dc:Bounds", NS)
            assert float(bounds.get("width")) > 0 and float(bounds.get("height")) > 0, node.get("id")
        flows = list(tree.iterfind(".//bpmn:sequenceFlow", NS))
        assert flows
        for flow in flows:
            edge = edges.get(flow.get("id"))
            assert edge is not None, f"{path.name}: no BPMNEdge for {flow.get('id')}"
            points = [(float(w.get("x")), float(w.get("y"))) for w in edge.findall("di:waypoint", NS)]
            assert len(points) >= 2, flow.get("id")
            for (x1, y1), (x2, y2) in zip(points, points[1:]):
                assert x1 == x2 or y1 == y2, f"{flow.get('id')}: edges are orthogonal"


def test_shapes_do_not_overlap():
    tree = etree.parse(str(WORKFLOWS / "intervention_round.bpmn"))
    process = tree.find("bpmn:process", NS)
    boxes = {}
    for shape in tree.iterfind(".//bpmndi:BPMNShape", NS):
        b = shape.find("dc:Bounds", NS)
        boxes[shape.get("bpmnElement")] = tuple(float(b.get(k)) for k in ("x", "y", "width", "height"))

    def overlap(a, b):
        ax, ay, aw, ah = boxes[a]
        bx, by, bw, bh = boxes[b]
        return ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah

    def inside(a, b):
        ax, ay, aw, ah = boxes[a]
        bx, by, bw, bh = boxes[b]
        return bx <= ax and by <= ay and ax + aw <= bx + bw and ay + ah <= by + bh

    attached = {e.get("id"): e.get("attachedToRef") for e in tree.iterfind(".//bpmn:boundaryEvent", NS)}
    for container in [process] + list(process.iterfind(".//bpmn:subProcess", NS)):
        ids = [e.get("id") for tag in FLOW_NODES for e in container.findall(f"bpmn:{tag}", NS)]
        for i, a in enumerate(ids):
            if container is not process:
                assert inside(a, container.get("id")), f"{a} is outside its sub-process"
            for b in ids[i + 1:]:
                if attached.get(a) == b or attached.get(b) == a:
                    continue
                assert not overlap(a, b), f"{a} overlaps {b}"
    lanes = {lane.get("name"): lane for lane in tree.iterfind(".//bpmn:lane", NS)}
    for code, lane in lanes.items():
        for ref in lane.findall("bpmn:flowNodeRef", NS):
            assert inside(ref.text, f"lane_{code}") or ref.text in attached, f"{ref.text} is outside lane {code}"


def test_generated_files_are_up_to_date():
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "build_models.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr or result.stdout


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
