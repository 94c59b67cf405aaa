#!/usr/bin/env python3
"""Check the diagrams in ``workflows/`` as a process owner would read them. Checks only: it never writes.

For every .bpmn file: every element and flow has diagram interchange; flows are drawn orthogonally and never
run through a shape; shapes do not overlap; labels sit clear of shapes and of lane borders; every node lies in
its lane; a lane's label is for people (never its agency key); the diagram fits one screen (1,800 × 1,000 px).

Run:  .venv/bin/python tools/check_models.py [files…]      (exit 1 and a list of problems if any)
"""
import sys
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL", "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
      "dc": "http://www.omg.org/spec/DD/20100524/DC", "di": "http://www.omg.org/spec/DD/20100524/DI",
      "spiff": "http://spiffworkflow.org/bpmn/schema/1.0/core"}
FLOW_NODES = ("startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent", "task",
              "userTask", "businessRuleTask", "scriptTask", "serviceTask", "manualTask", "sendTask", "receiveTask",
              "callActivity", "subProcess", "exclusiveGateway", "inclusiveGateway", "parallelGateway",
              "eventBasedGateway")
MAX_WIDTH, MAX_HEIGHT = 1800, 1000
AGENCY_KEYS = {"womens_federation", "procuratorate", "court", "police", "civil_affairs", "education", "community"}


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    def overlaps(self, other: "Box", margin: float = 0) -> bool:
        return (self.x < other.x + other.w - margin and other.x < self.x + self.w - margin
                and self.y < other.y + other.h - margin and other.y < self.y + self.h - margin)

    def contains(self, other: "Box") -> bool:
        return (self.x <= other.x and self.y <= other.y and other.x + other.w <= self.x + self.w
                and other.y + other.h <= self.y + self.h)

    def crosses_segment(self, a, b, margin: float = 1) -> bool:
        """An axis-parallel segment runs through the inside of the box (touching its edge does not count)."""
        (x1, y1), (x2, y2) = a, b
        left, right, top, bottom = self.x + margin, self.x + self.w - margin, self.y + margin, self.y + self.h - margin
        if y1 == y2:
            return top < y1 < bottom and min(x1, x2) < right and max(x1, x2) > left
        if x1 == x2:
            return left < x1 < right and min(y1, y2) < bottom and max(y1, y2) > top
        return False


def _box(element) -> Box | None:
    bounds = element.find("dc:Bounds", NS)
    if bounds is None:
        return None
    return Box(*(float(bounds.get(k)) for k in ("x", "y", "width", "height")))


def check_file(path: Path) -> list[str]:
    tree = etree.parse(str(path))
    problems = []
    say = lambda text: problems.append(f"{path.name}: {text}")  # noqa: E731
    shapes = {s.get("bpmnElement"): s for s in tree.iterfind(".//bpmndi:BPMNShape", NS)}
    edges = {e.get("bpmnElement"): e for e in tree.iterfind(".//bpmndi:BPMNEdge", NS)}
    nodes = [e for tag in FLOW_NODES for e in tree.iterfind(f".//bpmn:{tag}", NS)]
    lanes = list(tree.iterfind(".//bpmn:lane", NS))
    boxes = {}
    for node in nodes + lanes + list(tree.iterfind(".//bpmn:participant", NS)):
        shape = shapes.get(node.get("id"))
        box = _box(shape) if shape is not None else None
        if box is None or box.w <= 0 or box.h <= 0:
            say(f"{node.get('id')} has no diagram shape")
            continue
        boxes[node.get("id")] = box
    attached = {e.get("id"): e.get("attachedToRef") for e in tree.iterfind(".//bpmn:boundaryEvent", NS)}
    subprocesses = {s.get("id") for s in tree.iterfind(".//bpmn:subProcess", NS)}
    parent = {n.get("id"): n.getparent().get("id") for n in nodes}
    node_ids = [n.get("id") for n in nodes if n.get("id") in boxes]

    # the diagram fits one screen
    if boxes:
        right = max(b.x + b.w for b in boxes.values())
        bottom = max(b.y + b.h for b in boxes.values())
        if right > MAX_WIDTH or bottom > MAX_HEIGHT:
            say(f"the diagram is {right:.0f} × {bottom:.0f} px; keep it within {MAX_WIDTH} × {MAX_HEIGHT}")

    # shapes do not overlap (a boundary event sits on its activity; a sub-process holds its content)
    for i, a in enumerate(node_ids):
        for b in node_ids[i + 1:]:
            if attached.get(a) == b or attached.get(b) == a or parent.get(a) == b or parent.get(b) == a:
                continue
            if boxes[a].overlaps(boxes[b]):
                say(f"{a} overlaps {b}")

    # flows: drawn, orthogonal, and never through a shape other than their own ends
    for flow in tree.iterfind(".//bpmn:sequenceFlow", NS):
        fid, source, target = flow.get("id"), flow.get("sourceRef"), flow.get("targetRef")
        edge = edges.get(fid)
        if edge is None:
            say(f"{fid} has no diagram edge")
            continue
        points = [(float(w.get("x")), float(w.get("y"))) for w in edge.findall("di:waypoint", NS)]
        if len(points) < 2:
            say(f"{fid} has fewer than two waypoints")
            continue
        for a, b in zip(points, points[1:]):
            if a[0] != b[0] and a[1] != b[1]:
                say(f"{fid} has a slanted segment")
            for other in node_ids:
                ends = {source, target, attached.get(source), attached.get(target)}
                if other in ends or other in subprocesses:
                    continue
                if boxes[other].crosses_segment(a, b):
                    say(f"{fid} runs through {other}")

    # labels: clear of shapes and of lane borders
    lane_boxes = [boxes[l.get("id")] for l in lanes if l.get("id") in boxes]
    for element in list(shapes.values()) + list(edges.values()):
        label = element.find("bpmndi:BPMNLabel", NS)
        box = _box(label) if label is not None else None
        if box is None:
            continue
        own = element.get("bpmnElement")
        for other in node_ids:
            if other in (own, attached.get(own)) or other in subprocesses:
                continue
            if box.overlaps(boxes[other], margin=2):
                say(f"the label of {own} lies on {other}")
        for lane in lane_boxes:
            top, bottom = lane.y, lane.y + lane.h
            if box.y < top < box.y + box.h or box.y < bottom < box.y + box.h:
                say(f"the label of {own} lies on a lane border")
                break

    # lanes: labelled for people, holding their nodes
    for lane in lanes:
        name = (lane.get("name") or "").strip()
        if not name or name in AGENCY_KEYS:
            say(f"lane {lane.get('id')} is labelled {name!r}: give it a name people read; the agency key goes in "
                "its properties")
        lane_box = boxes.get(lane.get("id"))
        for ref in lane.findall("bpmn:flowNodeRef", NS):
            node = ref.text.strip()
            if lane_box is not None and node in boxes and node not in attached and not lane_box.contains(boxes[node]):
                say(f"{node} lies outside its lane {name}")
    return problems


def main(argv=None) -> int:
    paths = [Path(p) for p in (argv if argv is not None else sys.argv[1:])] or sorted((ROOT / "workflows").glob("*.bpmn"))
    problems = [p for path in paths for p in check_file(path)]
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
