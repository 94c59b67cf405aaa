"""The server-side SVG of the round's BPMN diagrams (web/diagram.py), drawn here from the guidance process: lanes,
an embedded sub-process, a receive task, a service task, interrupting and non-interrupting boundary timers."""
import re
import time
from pathlib import Path

import pytest
from lxml import etree

from web.diagram import STATE_LABELS, render_round_svg

MODEL = Path(__file__).resolve().parents[2] / "workflows" / "guide.bpmn"
ROUND = Path(__file__).resolve().parents[2] / "workflows" / "intervention_round.bpmn"
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SVG = "http://www.w3.org/2000/svg"
NS = {"s": SVG, "bpmn": BPMN}
FLOW_NODE_KINDS = {"task", "userTask", "businessRuleTask", "serviceTask", "scriptTask", "manualTask", "sendTask",
                   "receiveTask", "callActivity", "subProcess", "exclusiveGateway", "parallelGateway",
                   "inclusiveGateway", "eventBasedGateway", "complexGateway", "startEvent", "endEvent",
                   "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"}


@pytest.fixture(scope="module")
def model() -> bytes:
    return MODEL.read_bytes()


@pytest.fixture(scope="module")
def tree(model):
    return etree.fromstring(model)


def _flow_nodes(tree):
    return [el for el in tree.iter() if isinstance(el.tag, str) and etree.QName(el).namespace == BPMN
            and etree.QName(el).localname in FLOW_NODE_KINDS]


def _sequence_flows(tree):
    return tree.findall(".//bpmn:sequenceFlow", NS)


def _svg(text: str):
    return etree.fromstring(text.encode())


def _groups(svg):
    return {g.get("data-id"): g for g in svg.iter(f"{{{SVG}}}g") if g.get("data-id")}


def _first(tree, kind):
    return tree.find(f".//bpmn:{kind}", NS).get("id")


def test_output_is_one_svg_element(model):
    text = render_round_svg(model, {}, title="第1轮 Round 1")
    svg = _svg(text)
    assert svg.tag == f"{{{SVG}}}svg"
    assert text.startswith("<svg") and text.endswith("</svg>")
    assert svg.get("role") == "img" and svg.get("width") == "100%"
    labelled = svg.get("aria-labelledby").split()
    ids = {el.get("id"): el for el in svg.iter() if el.get("id")}
    assert [etree.QName(ids[i]).localname for i in labelled] == ["title", "desc"]
    assert ids[labelled[0]].text == "第1轮 Round 1"
    assert svg.find("s:style", NS) is None   # its rules come from /diagram.css: the CSP ignores an inline <style>
    assert svg.find("s:defs/s:marker", NS) is not None


def test_every_flow_node_appears_exactly_once(model, tree):
    svg = _svg(render_round_svg(model, {}))
    data_ids = [g.get("data-id") for g in svg.iter(f"{{{SVG}}}g") if g.get("data-id")]
    nodes = [el.get("id") for el in _flow_nodes(tree)]
    inner = [el.get("id") for el in tree.findall(".//bpmn:subProcess/*", NS)
             if etree.QName(el).localname in FLOW_NODE_KINDS]
    assert inner, "the model has a sub-process with inner elements"
    assert len(nodes) >= 15
    for node in nodes:
        assert data_ids.count(node) == 1, node
    for flow in _sequence_flows(tree):
        assert data_ids.count(flow.get("id")) == 1, flow.get("id")


def test_element_kinds_are_drawn_generically(model, tree):
    svg = _svg(render_round_svg(model, {}))
    groups = _groups(svg)
    for node in _flow_nodes(tree):
        group = groups[node.get("id")]
        kind = etree.QName(node).localname
        assert group.get("data-kind") == kind
        if kind.endswith("Gateway"):
            assert group.find("s:polygon", NS) is not None  # diamond
        elif kind.endswith("Event"):
            assert group.find("s:circle", NS) is not None
        else:
            assert group.find("s:rect", NS).get("rx") is not None  # rounded rect
    # terminate end events have a filled inner circle, timers a clock
    round_model = ROUND.read_bytes()
    terminate = etree.fromstring(round_model).find(".//bpmn:terminateEventDefinition/..", NS).get("id")
    assert _groups(_svg(render_round_svg(round_model, {})))[terminate].find(
        "s:circle[@class='glyph fill solid']", NS) is not None
    timer = tree.find(".//bpmn:timerEventDefinition/..", NS).get("id")
    assert groups[timer].find("s:g[@class='glyph timer']", NS) is not None
    # non-interrupting boundary events are dashed
    non_interrupting = tree.find(".//bpmn:boundaryEvent[@cancelActivity='false']", NS)
    if non_interrupting is not None:
        assert "dashed" in groups[non_interrupting.get("id")].find("s:circle", NS).get("class")
    # names are written; flows are polylines with an arrowhead
    task = tree.find(".//bpmn:userTask", NS)
    assert task.get("name") in "".join(groups[task.get("id")].itertext())
    flow = groups[_sequence_flows(tree)[0].get("id")]
    assert flow.find("s:path", NS).get("marker-end").startswith("url(#")


def test_inclusive_gateway_gets_a_circle_marker(model, tree):
    gateway = _first(tree, "exclusiveGateway")
    text = model.decode()
    start = text.index(f'<bpmn:exclusiveGateway id="{gateway}"')
    end = text.index("</bpmn:exclusiveGateway>", start)
    modified = (text[:start] + text[start:end].replace("bpmn:exclusiveGateway", "bpmn:inclusiveGateway")
                + "</bpmn:inclusiveGateway>" + text[end + len("</bpmn:exclusiveGateway>"):])
    groups = _groups(_svg(render_round_svg(modified.encode(), {})))
    assert groups[gateway].get("data-kind") == "inclusiveGateway"
    assert groups[gateway].find("s:circle[@class='glyph gw']", NS) is not None


def test_lanes_with_labels(model, tree):
    (lane_name,) = [lane.get("name") for lane in tree.findall(".//bpmn:lane", NS)]
    svg = _svg(render_round_svg(model, {}, lane_labels={lane_name: "Women's federation"}))
    lanes = {g.get("data-lane"): "".join(g.itertext()) for g in svg.iter(f"{{{SVG}}}g") if g.get("data-lane")}
    assert set(lanes) == {lane_name}
    assert "Women's federation" in lanes[lane_name]
    assert lane_name in render_round_svg(model, {})  # default: the lane label itself
    assert any(g.get("class") == "pool-group" for g in svg.iter(f"{{{SVG}}}g"))


def test_states_are_applied(model, tree):
    completed = "draft_guidance_plan"
    current = "await_session"
    svg = _svg(render_round_svg(model, {completed: "completed", current: "current", "guidance": "current",
                                        "no_such_element": "completed"}))
    groups = _groups(svg)
    assert groups[completed].get("class") == "el completed"
    assert groups[completed].get("data-state") == "completed"
    assert groups[current].get("class") == "el current"
    assert groups["guidance"].get("data-state") == "current"
    assert groups["sessions_met"].get("class") == "el waiting"
    assert groups["sessions_met"].get("data-state") == "waiting"
    # state is not conveyed by colour alone: a badge and a tooltip
    assert groups[completed].find("s:g[@class='badge']/s:path", NS) is not None
    assert groups[current].find("s:g[@class='badge']/s:circle[@class='dot']", NS) is not None
    assert groups["sessions_met"].find("s:g[@class='badge']", NS) is None
    assert STATE_LABELS["completed"] in groups[completed].find("s:title", NS).text
    assert "制定家庭教育指导方案" in groups[completed].find("s:title", NS).text
    assert STATE_LABELS["waiting"] in groups["sessions_met"].find("s:title", NS).text
    for node in _flow_nodes(tree):
        assert groups[node.get("id")].get("data-state") in ("completed", "current", "waiting")


def test_unknown_state_values_are_waiting(model):
    groups = _groups(_svg(render_round_svg(model, {"draft_guidance_plan": "bogus"})))
    assert groups["draft_guidance_plan"].get("data-state") == "waiting"


def test_taken_flows(model, tree):
    flows = {f.get("id"): (f.get("sourceRef"), f.get("targetRef")) for f in _sequence_flows(tree)}
    states = {"guide_start": "completed", "plan_guidance": "completed", "draft_guidance_plan": "current"}
    groups = _groups(_svg(render_round_svg(model, states)))
    taken = {fid for fid, g in groups.items() if fid in flows and "taken" in g.get("class").split()}
    expected = {fid for fid, (s, t) in flows.items()
                if states.get(s) == "completed" and states.get(t) in ("completed", "current")}
    assert len(expected) == 2
    assert taken == expected
    for fid in taken:
        assert groups[fid].get("data-state") == "taken"
        assert "arrow-taken" in groups[fid].find("s:path", NS).get("marker-end")
    # completed source, waiting target: not taken
    after = next(fid for fid, (s, _) in flows.items() if s == "draft_guidance_plan")
    assert groups[after].get("class") == "flow"


def _numbers(text):
    return [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", text)]


def test_viewbox_contains_every_shape(model, tree):
    svg = _svg(render_round_svg(model, {}))
    vx, vy, vw, vh = _numbers(svg.get("viewBox"))
    xs, ys = [], []
    for el in svg.iter():
        tag = etree.QName(el).localname if isinstance(el.tag, str) else ""
        if any(a.get("transform") for a in el.iterancestors()):  # icons drawn in local coordinates
            continue
        if tag == "rect":
            xs += [float(el.get("x")), float(el.get("x")) + float(el.get("width"))]
            ys += [float(el.get("y")), float(el.get("y")) + float(el.get("height"))]
        elif tag == "circle":
            r = float(el.get("r"))
            xs += [float(el.get("cx")) - r, float(el.get("cx")) + r]
            ys += [float(el.get("cy")) - r, float(el.get("cy")) + r]
        elif tag == "polygon":
            values = _numbers(el.get("points"))
            xs += values[0::2]
            ys += values[1::2]
        elif tag == "tspan":
            xs.append(float(el.get("x")))
            ys.append(float(el.get("y")))
    assert len(xs) > 80
    assert vx <= min(xs) and max(xs) <= vx + vw
    assert vy <= min(ys) and max(ys) <= vy + vh
    # and the DI bounds of the model itself
    dc = "{http://www.omg.org/spec/DD/20100524/DC}Bounds"
    for bounds in tree.iter(dc):
        x, y, w, h = (float(bounds.get(k)) for k in ("x", "y", "width", "height"))
        assert vx <= x and x + w <= vx + vw and vy <= y and y + h <= vy + vh


def test_text_is_escaped(model, tree):
    task = tree.find(".//bpmn:userTask", NS)
    name = task.get("name")
    evil = 'x<script>alert("1")</script>&"'
    attribute = evil.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
    modified = model.replace(f'name="{name}"'.encode(), f'name="{attribute}"'.encode(), 1)
    assert modified != model
    text = render_round_svg(modified, {task.get("id"): "current"}, title="<b>&",
                            lane_labels={tree.find(".//bpmn:lane", NS).get("name"): "<i>妇联"})
    assert "<script" not in text and "<b>" not in text and "<i>" not in text
    assert "&lt;script&gt;" in text
    svg = _svg(text)
    assert not [el for el in svg.iter() if isinstance(el.tag, str) and etree.QName(el).localname in
                ("script", "b", "i")]
    groups = _groups(svg)
    assert evil in groups[task.get("id")].find("s:title", NS).text  # the tooltip has the name, unescaped once
    assert "x&lt;script&gt;alert(&#34;1&#34;)&lt;/script&gt;&amp;&#34;" in text
    assert svg.find("s:title", NS).text == "<b>&"


def test_legend(model):
    svg = _svg(render_round_svg(model, {}))
    legend = svg.find(".//s:g[@class='legend']", NS)
    assert legend is not None
    text = "".join(legend.itertext())
    for state in ("completed", "current", "waiting"):
        assert STATE_LABELS[state] in text
        assert legend.find(f"s:g[@data-key='{state}']", NS) is not None
    assert "Completed" in text and "Current" in text and "Waiting" in text
    # the legend is not mistaken for a model element
    assert not [g for g in legend.iter(f"{{{SVG}}}g") if g.get("data-id")]


def test_render_is_fast_after_the_first_call(model):
    states = {"draft_guidance_plan": "completed", "await_session": "current"}
    render_round_svg(model, states)
    copy = bytes(bytearray(model))  # a new bytes object with the same content: still cached
    start = time.perf_counter()
    for _ in range(5):
        render_round_svg(copy, states, title="t")
    assert (time.perf_counter() - start) / 5 < 0.05


def test_deterministic_and_distinct_ids(model):
    a = render_round_svg(model, {"draft_guidance_plan": "completed"}, title="Round 1")
    assert a == render_round_svg(model, {"draft_guidance_plan": "completed"}, title="Round 1")
    b = render_round_svg(model, {"draft_guidance_plan": "current"}, title="Round 2")
    assert _svg(a).get("id") != _svg(b).get("id")  # two rounds on one page do not share marker/title ids
