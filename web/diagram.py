"""Server-side SVG rendering of a BPMN diagram, with the progress of one intervention round on it.

``render_round_svg(bpmn_xml, states)`` draws the model from its own diagram interchange (DI): the
``BPMNShape`` bounds and ``BPMNEdge`` waypoints of the first ``BPMNDiagram``.  Nothing is laid out
here and nothing is special-cased by element id: tasks are drawn by task kind, gateways by their
marker, events by their event definition, so a regenerated model renders without code changes.

Each flow node is one ``<g class="el STATE" data-id=".." data-state="..">`` with a ``<title>``
tooltip; sequence flows are ``<g class="flow [taken]" data-id="..">``.  The state is shown by
colour *and* by a badge shape (a check mark for completed, a dot for current), and a legend with
text labels is part of the image, so colour is never the only signal.

Parsing is cached per distinct model (``functools.lru_cache`` on the bytes); a render then only
assembles strings (a few milliseconds for the intervention round).  Pure Python + lxml + markupsafe:
no Flask, nothing from ``web``.
"""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from functools import lru_cache

from lxml import etree
from markupsafe import escape

__all__ = ["render_round_svg", "STATES", "STATE_LABELS"]

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
SVG_NS = "http://www.w3.org/2000/svg"

STATES = ("completed", "current", "waiting")
STATE_LABELS = {"completed": "已完成 Completed", "current": "进行中 Current", "waiting": "未开始 Waiting"}
TAKEN_LABEL = "已走路径 Path taken"
FONT_FAMILY = '"Noto Sans CJK SC", "Microsoft YaHei", sans-serif'
FONT_SIZE = 12.0
LINE_HEIGHT = 15.0
MARGIN = 24.0
LEGEND_HEIGHT = 40.0

TASKS = {"task", "userTask", "businessRuleTask", "serviceTask", "scriptTask", "manualTask", "sendTask",
         "receiveTask", "callActivity"}
SUB_PROCESSES = {"subProcess", "transaction", "adHocSubProcess"}
GATEWAYS = {"exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway"}
EVENTS = {"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"}
THROWING = {"endEvent", "intermediateThrowEvent"}

KIND_LABELS = {
    "task": "任务 task", "userTask": "用户任务 user task", "businessRuleTask": "业务规则任务 business rule task",
    "serviceTask": "服务任务 service task", "scriptTask": "脚本任务 script task",
    "manualTask": "人工任务 manual task", "sendTask": "发送任务 send task", "receiveTask": "接收任务 receive task",
    "callActivity": "调用活动 call activity", "subProcess": "子流程 sub-process",
    "transaction": "事务 transaction", "adHocSubProcess": "自由子流程 ad-hoc sub-process",
    "exclusiveGateway": "排他网关 exclusive gateway", "parallelGateway": "并行网关 parallel gateway",
    "inclusiveGateway": "包容网关 inclusive gateway", "eventBasedGateway": "事件网关 event-based gateway",
    "complexGateway": "复杂网关 complex gateway", "startEvent": "开始事件 start event",
    "endEvent": "结束事件 end event", "intermediateCatchEvent": "中间事件 intermediate event",
    "intermediateThrowEvent": "中间事件 intermediate event", "boundaryEvent": "边界事件 boundary event",
}

# --------------------------------------------------------------------------------------
# Text measuring and wrapping (an estimate: no font metrics on the server)
# --------------------------------------------------------------------------------------

_CLOSING = set("，。、；：？！）》」』】〉〕’”,.;:?!)]}%")
_OPENING = set("（《「『【〈〔‘“([{")
_NARROW = set("iljtfI.,:;'|!()[] ")


def _is_wide(char: str) -> bool:
    code = ord(char)
    return code >= 0x2E80 or 0x1100 <= code <= 0x115F


def _text_width(text: str, size: float = FONT_SIZE) -> float:
    width = 0.0
    for char in text:
        if _is_wide(char):
            width += 1.0
        elif char in _NARROW:
            width += 0.32
        elif char.isupper() or char in "mwMW@%&":
            width += 0.7
        else:
            width += 0.57
    return width * size


def _tokens(text: str) -> list[str]:
    """Break opportunities: between wide characters, at spaces; punctuation stays with its neighbour."""
    raw: list[str] = []
    word = ""
    for char in text:
        if char.isspace():
            if word:
                raw.append(word)
                word = ""
            raw.append(" ")
        elif _is_wide(char):
            if word:
                raw.append(word)
                word = ""
            raw.append(char)
        else:
            word += char
    if word:
        raw.append(word)
    tokens: list[str] = []
    pending_open = ""
    for token in raw:
        if token in _OPENING or (len(token) == 1 and token in _OPENING):
            pending_open += token
            continue
        if tokens and token[0] in _CLOSING and not pending_open:
            tokens[-1] += token
            continue
        tokens.append(pending_open + token)
        pending_open = ""
    if pending_open:
        tokens.append(pending_open)
    return tokens


def _wrap(text: str, width: float, max_lines: int = 99, size: float = FONT_SIZE) -> list[str]:
    text = " ".join((text or "").split())
    if not text:
        return []
    lines: list[str] = []
    line = ""
    for token in _tokens(text):
        if token == " ":
            if line:
                line += " "
            continue
        candidate = line + token
        if not line or _text_width(candidate.rstrip(), size) <= width:
            line = candidate
            continue
        lines.append(line.rstrip())
        line = token
    if line.strip():
        lines.append(line.rstrip())
    # hard-break anything still too wide (a long latin word)
    broken: list[str] = []
    for line in lines:
        while _text_width(line, size) > width and len(line) > 1:
            cut = len(line) - 1
            while cut > 1 and _text_width(line[:cut], size) > width:
                cut -= 1
            broken.append(line[:cut])
            line = line[cut:]
        broken.append(line)
    if len(broken) > max_lines:
        broken = broken[:max_lines]
        last = broken[-1]
        while last and _text_width(last + "…", size) > width:
            last = last[:-1]
        broken[-1] = last + "…"
    return broken


def _fit(text: str, width: float, size: float) -> str:
    """One line, shortened with an ellipsis if too wide."""
    if _text_width(text, size) <= width:
        return text
    while text and _text_width(text + "…", size) > width:
        text = text[:-1]
    return text + "…"


# --------------------------------------------------------------------------------------
# Geometry, parsed once per model
# --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2


@dataclass(frozen=True)
class Shape:
    id: str
    kind: str  # BPMN local name
    name: str
    box: Box
    label: Box | None
    body: str  # SVG of the shape, state-independent
    badge_at: tuple[float, float]
    text_box: Box  # extent of drawn label text (for the viewBox)
    layer: int  # 0 pools/lanes, 1 sub-processes, 3 nodes, 4 boundary events


@dataclass(frozen=True)
class Edge:
    id: str
    kind: str
    name: str
    source: str
    target: str
    points: tuple[tuple[float, float], ...]
    body: str  # decorations + label, state-independent (the path itself is drawn at render time)
    path: str
    text_box: Box | None


@dataclass(frozen=True)
class Geometry:
    digest: str
    process_name: str
    shapes: tuple[Shape, ...]  # flow nodes, in drawing order
    others: tuple[Shape, ...]  # annotations, data objects, ...
    edges: tuple[Edge, ...]
    lanes: tuple[tuple[str, str, Box, bool], ...]  # (id, name, box, horizontal)
    pools: tuple[tuple[str, str, Box, bool, bool], ...]  # (id, name, box, horizontal, has_lanes)
    bounds: Box


def _n(value: float) -> str:
    """A compact number for SVG attributes."""
    rounded = round(value, 1)
    if rounded == int(rounded):
        return str(int(rounded))
    return f"{rounded:.1f}"


def _e(text: str) -> str:
    return str(escape(text))


def _local(element) -> str:
    return etree.QName(element).localname


def _bounds(element) -> Box | None:
    node = element.find(f"{{{DC}}}Bounds")
    if node is None:
        return None
    return Box(float(node.get("x", 0)), float(node.get("y", 0)), float(node.get("width", 0)),
               float(node.get("height", 0)))


def _text_lines(lines: list[str], cx: float, first_baseline: float, cls: str = "name",
                anchor: str = "middle") -> str:
    if not lines:
        return ""
    spans = "".join(
        f'<tspan x="{_n(cx)}" y="{_n(first_baseline + i * LINE_HEIGHT)}">{_e(line)}</tspan>'
        for i, line in enumerate(lines))
    return f'<text class="{cls}" text-anchor="{anchor}">{spans}</text>'


def _centered_text(lines: list[str], cx: float, cy: float, cls: str = "name") -> str:
    # baseline offset so the CJK em box is centred on cy
    first = cy - len(lines) * LINE_HEIGHT / 2 + LINE_HEIGHT / 2 + 0.36 * FONT_SIZE
    return _text_lines(lines, cx, first, cls)


def _external_label(name: str, label: Box | None, fallback: Box, below: bool = True) -> tuple[str, Box]:
    """A label outside its shape: inside the DI label bounds, else centred under the shape."""
    if not name:
        return "", fallback
    if label is not None and label.w > 0:
        width = max(label.w * 1.15 + 6, 3 * FONT_SIZE)
        lines = _wrap(name, width, 4)
        cx, top = label.cx, label.y
    else:
        lines = _wrap(name, max(fallback.w + 40, 90), 4)
        cx = fallback.cx
        top = fallback.y + fallback.h + 4 if below else fallback.y - 4 - len(lines) * LINE_HEIGHT
    text_w = max((_text_width(line) for line in lines), default=0)
    text_box = Box(cx - text_w / 2, top, text_w, len(lines) * LINE_HEIGHT)
    first_baseline = top + LINE_HEIGHT / 2 + 0.36 * FONT_SIZE
    return _text_lines(lines, cx, first_baseline, "label"), text_box


# ---- glyphs --------------------------------------------------------------------------

def _user_icon(x: float, y: float) -> str:
    return (f'<g class="icon" transform="translate({_n(x)} {_n(y)})">'
            '<circle cx="7" cy="4.5" r="3.5"/><path d="M0.5 15 C0.5 9.5 3.5 8.5 7 8.5 C10.5 8.5 13.5 9.5 13.5 15 Z"/>'
            '</g>')


def _rule_icon(x: float, y: float) -> str:
    return (f'<g class="icon" transform="translate({_n(x)} {_n(y)})">'
            '<rect x="0.5" y="1.5" width="15" height="11"/><path d="M0.5 5 H15.5 M5 5 V12.5 M0.5 8.75 H15.5"/>'
            '<rect class="fill" x="0.5" y="1.5" width="15" height="3.5"/></g>')


def _envelope(x: float, y: float, w: float, h: float, filled: bool = False) -> str:
    cls = "glyph fill" if filled else "glyph"
    return (f'<g class="{cls}"><rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}"/>'
            f'<path class="fold" d="M{_n(x)} {_n(y)} L{_n(x + w / 2)} {_n(y + h * 0.55)} L{_n(x + w)} {_n(y)}"/></g>')


def _gear_icon(x: float, y: float) -> str:
    teeth = []
    for i in range(8):
        angle = i * math.pi / 4
        teeth.append(f"M{_n(x + 8 + 5 * math.cos(angle))} {_n(y + 8 + 5 * math.sin(angle))} "
                     f"L{_n(x + 8 + 7.5 * math.cos(angle))} {_n(y + 8 + 7.5 * math.sin(angle))}")
    return (f'<g class="icon"><circle cx="{_n(x + 8)}" cy="{_n(y + 8)}" r="5"/><circle cx="{_n(x + 8)}" '
            f'cy="{_n(y + 8)}" r="2"/><path d="{" ".join(teeth)}" stroke-width="2.5"/></g>')


def _letter_icon(x: float, y: float, letter: str) -> str:
    return f'<text class="marker" x="{_n(x + 1)}" y="{_n(y + 12)}">{_e(letter)}</text>'


def _task_icon(kind: str, box: Box) -> str:
    x, y = box.x + 6, box.y + 5
    if kind == "userTask":
        return _user_icon(x, y)
    if kind == "businessRuleTask":
        return _rule_icon(x, y)
    if kind == "serviceTask":
        return _gear_icon(x, y)
    if kind == "sendTask":
        return _envelope(x, y + 2, 16, 11, filled=True)
    if kind == "receiveTask":
        return _envelope(x, y + 2, 16, 11)
    if kind == "scriptTask":
        return _letter_icon(x, y, "S")
    if kind == "manualTask":
        return _letter_icon(x, y, "M")
    return ""


def _loop_marker(element, box: Box, extra_left: float = 0) -> str:
    cx, bottom = box.cx + extra_left, box.y + box.h - 6
    multi = element.find(f"{{{BPMN}}}multiInstanceLoopCharacteristics")
    if multi is not None:
        if multi.get("isSequential") == "true":
            return "".join(f'<path class="glyph" d="M{_n(cx - 6)} {_n(bottom - 10 + i * 4)} h12"/>' for i in range(3))
        return "".join(f'<path class="glyph" d="M{_n(cx - 4 + i * 4)} {_n(bottom - 11)} v11"/>' for i in range(3))
    if element.find(f"{{{BPMN}}}standardLoopCharacteristics") is not None:
        return (f'<path class="glyph" d="M{_n(cx - 3)} {_n(bottom)} A5 5 0 1 1 {_n(cx + 3)} {_n(bottom)}'
                f' M{_n(cx - 3)} {_n(bottom)} l-3 -1 M{_n(cx - 3)} {_n(bottom)} l0.5 -3"/>')
    return ""


def _event_glyph(definition: str, cx: float, cy: float, r: float, filled: bool) -> str:
    fill = " fill" if filled else ""
    if definition == "timerEventDefinition":
        rr = r * 0.62
        ticks = " ".join(
            f"M{_n(cx + rr * 0.78 * math.cos(a))} {_n(cy + rr * 0.78 * math.sin(a))} "
            f"L{_n(cx + rr * math.cos(a))} {_n(cy + rr * math.sin(a))}"
            for a in (i * math.pi / 6 for i in range(12)))
        return (f'<g class="glyph timer"><circle cx="{_n(cx)}" cy="{_n(cy)}" r="{_n(rr)}"/>'
                f'<path d="{ticks}" stroke-width="1"/>'
                f'<path d="M{_n(cx)} {_n(cy)} L{_n(cx)} {_n(cy - rr * 0.7)} M{_n(cx)} {_n(cy)} '
                f'L{_n(cx + rr * 0.5)} {_n(cy + rr * 0.1)}" stroke-width="1.5"/></g>')
    if definition == "terminateEventDefinition":
        return f'<circle class="glyph fill solid" cx="{_n(cx)}" cy="{_n(cy)}" r="{_n(r * 0.58)}"/>'
    if definition == "messageEventDefinition":
        w, h = r * 0.95, r * 0.65
        return _envelope(cx - w / 2, cy - h / 2, w, h, filled)
    if definition == "signalEventDefinition":
        s = r * 0.55
        return (f'<path class="glyph{fill}" d="M{_n(cx)} {_n(cy - s)} L{_n(cx + s * 0.9)} {_n(cy + s * 0.55)} '
                f'L{_n(cx - s * 0.9)} {_n(cy + s * 0.55)} Z"/>')
    if definition == "errorEventDefinition":
        s = r * 0.5
        return (f'<path class="glyph{fill}" d="M{_n(cx - s)} {_n(cy + s)} L{_n(cx - s * 0.4)} {_n(cy - s)} '
                f'L{_n(cx + s * 0.2)} {_n(cy + s * 0.2)} L{_n(cx + s)} {_n(cy - s)} L{_n(cx + s * 0.4)} '
                f'{_n(cy + s)} L{_n(cx - s * 0.2)} {_n(cy - s * 0.2)} Z"/>')
    if definition == "escalationEventDefinition":
        s = r * 0.55
        return (f'<path class="glyph{fill}" d="M{_n(cx)} {_n(cy - s)} L{_n(cx + s * 0.7)} {_n(cy + s)} '
                f'L{_n(cx)} {_n(cy + s * 0.3)} L{_n(cx - s * 0.7)} {_n(cy + s)} Z"/>')
    if definition == "conditionalEventDefinition":
        w, h = r * 0.8, r * 1.0
        lines = " ".join(f"M{_n(cx - w / 2 + 2)} {_n(cy - h / 2 + h * k / 5)} h{_n(w - 4)}" for k in range(1, 5))
        return (f'<g class="glyph"><rect x="{_n(cx - w / 2)}" y="{_n(cy - h / 2)}" width="{_n(w)}" '
                f'height="{_n(h)}"/><path d="{lines}" stroke-width="1"/></g>')
    if definition == "cancelEventDefinition":
        s = r * 0.4
        return (f'<path class="glyph" stroke-width="3" d="M{_n(cx - s)} {_n(cy - s)} L{_n(cx + s)} {_n(cy + s)} '
                f'M{_n(cx + s)} {_n(cy - s)} L{_n(cx - s)} {_n(cy + s)}"/>')
    if definition == "linkEventDefinition":
        s = r * 0.5
        return (f'<path class="glyph{fill}" d="M{_n(cx - s)} {_n(cy - s * 0.35)} h{_n(s)} v{_n(-s * 0.45)} '
                f'L{_n(cx + s)} {_n(cy)} L{_n(cx)} {_n(cy + s * 0.8)} v{_n(-s * 0.45)} h{_n(-s)} Z"/>')
    if definition == "compensateEventDefinition":
        s = r * 0.45
        return (f'<path class="glyph{fill}" d="M{_n(cx - s)} {_n(cy)} L{_n(cx)} {_n(cy - s * 0.7)} '
                f'V{_n(cy + s * 0.7)} Z '
                f'M{_n(cx)} {_n(cy)} L{_n(cx + s)} {_n(cy - s * 0.7)} V{_n(cy + s * 0.7)} Z"/>')
    return ""


# ---- shapes --------------------------------------------------------------------------

def _badge_corner(box: Box, label_box: Box | None) -> tuple[float, float]:
    """Top-right corner, or bottom-right when the label sits above the shape."""
    if label_box is not None and label_box.h > 0 and label_box.cy < box.y:
        return box.x + box.w - 1, box.y + box.h - 1
    return box.x + box.w - 1, box.y + 1


def _task_shape(element, kind: str, name: str, box: Box) -> tuple[str, Box]:
    parts = [f'<rect class="shape{" call" if kind == "callActivity" else ""}" x="{_n(box.x)}" y="{_n(box.y)}" '
             f'width="{_n(box.w)}" height="{_n(box.h)}" rx="10"/>']
    parts.append(_task_icon(kind, box))
    icon_room = 16 if kind != "task" else 0
    max_lines = max(1, int((box.h - 8) // LINE_HEIGHT))
    lines = _wrap(name, box.w - 14, max_lines)
    # keep the text clear of the kind icon when there is room below it
    cy = box.cy
    if lines and icon_room and len(lines) * LINE_HEIGHT / 2 > box.h / 2 - icon_room - 2:
        cy = min(box.cy + 4, box.y + box.h - len(lines) * LINE_HEIGHT / 2 - 4)
    parts.append(_centered_text(lines, box.cx, cy))
    parts.append(_loop_marker(element, box))
    return "".join(parts), box


def _collapsed_sub_process(element, kind: str, name: str, box: Box) -> tuple[str, Box]:
    body, text_box = _task_shape(element, "task", name, box)
    cx, bottom = box.cx, box.y + box.h - 4
    plus = (f'<rect class="glyph" x="{_n(cx - 7)}" y="{_n(bottom - 14)}" width="14" height="14"/>'
            f'<path class="glyph" d="M{_n(cx)} {_n(bottom - 11)} v8 M{_n(cx - 4)} {_n(bottom - 7)} h8"/>')
    return body + plus, text_box


def _expanded_sub_process(element, kind: str, name: str, box: Box) -> tuple[str, Box]:
    double = kind == "transaction"
    dashed = element.get("triggeredByEvent") == "true"
    cls = "shape sub" + (" dashed" if dashed else "")
    parts = [f'<rect class="{cls}" x="{_n(box.x)}" y="{_n(box.y)}" width="{_n(box.w)}" height="{_n(box.h)}" rx="12"/>']
    if double:
        parts.append(f'<rect class="glyph" x="{_n(box.x + 3)}" y="{_n(box.y + 3)}" width="{_n(box.w - 6)}" '
                     f'height="{_n(box.h - 6)}" rx="9"/>')
    if name:
        text = _fit(name, box.w - 30, FONT_SIZE)
        parts.append(f'<text class="name sub-name" x="{_n(box.x + 10)}" y="{_n(box.y + 17)}">{_e(text)}</text>')
    parts.append(_loop_marker(element, box))
    return "".join(parts), box


def _gateway_shape(element, kind: str, name: str, box: Box, label: Box | None) -> tuple[str, Box]:
    cx, cy, hw, hh = box.cx, box.cy, box.w / 2, box.h / 2
    parts = [f'<polygon class="shape" points="{_n(cx)},{_n(box.y)} {_n(box.x + box.w)},{_n(cy)} '
             f'{_n(cx)},{_n(box.y + box.h)} {_n(box.x)},{_n(cy)}"/>']
    s = min(hw, hh)
    if kind == "exclusiveGateway":
        d = s * 0.36
        parts.append(f'<path class="glyph gw" d="M{_n(cx - d)} {_n(cy - d)} L{_n(cx + d)} {_n(cy + d)} '
                     f'M{_n(cx + d)} {_n(cy - d)} L{_n(cx - d)} {_n(cy + d)}"/>')
    elif kind == "parallelGateway":
        d = s * 0.5
        parts.append(f'<path class="glyph gw" d="M{_n(cx)} {_n(cy - d)} V{_n(cy + d)} '
                     f'M{_n(cx - d)} {_n(cy)} H{_n(cx + d)}"/>')
    elif kind == "inclusiveGateway":
        parts.append(f'<circle class="glyph gw" cx="{_n(cx)}" cy="{_n(cy)}" r="{_n(s * 0.45)}"/>')
    elif kind == "complexGateway":
        d, q = s * 0.5, s * 0.36
        parts.append(f'<path class="glyph gw" d="M{_n(cx)} {_n(cy - d)} V{_n(cy + d)} '
                     f'M{_n(cx - d)} {_n(cy)} H{_n(cx + d)} '
                     f'M{_n(cx - q)} {_n(cy - q)} L{_n(cx + q)} {_n(cy + q)} M{_n(cx + q)} {_n(cy - q)} '
                     f'L{_n(cx - q)} {_n(cy + q)}"/>')
    elif kind == "eventBasedGateway":
        r = s * 0.5
        pent = " ".join(f"{_n(cx + r * 0.55 * math.cos(-math.pi / 2 + k * 2 * math.pi / 5))},"
                        f"{_n(cy + r * 0.55 * math.sin(-math.pi / 2 + k * 2 * math.pi / 5))}" for k in range(5))
        parts.append(f'<circle class="glyph" cx="{_n(cx)}" cy="{_n(cy)}" r="{_n(r)}"/>'
                     f'<circle class="glyph" cx="{_n(cx)}" cy="{_n(cy)}" r="{_n(r * 0.8)}"/>'
                     f'<polygon class="glyph" points="{pent}"/>')
    text, text_box = _external_label(name, label, box, below=False)
    parts.append(text)
    return "".join(parts), text_box


def _event_shape(element, kind: str, name: str, box: Box, label: Box | None) -> tuple[str, Box]:
    cx, cy, r = box.cx, box.cy, min(box.w, box.h) / 2
    definitions = [_local(child) for child in element if isinstance(child.tag, str)
                   and _local(child).endswith("EventDefinition")]
    cls = {"startEvent": "start", "endEvent": "end"}.get(kind, "intermediate")
    if kind == "boundaryEvent" and element.get("cancelActivity") == "false":
        cls += " dashed"
    if kind == "startEvent" and element.get("isInterrupting") == "false":
        cls += " dashed"
    parts = [f'<circle class="shape event {cls}" cx="{_n(cx)}" cy="{_n(cy)}" r="{_n(r)}"/>']
    if cls.startswith("intermediate"):
        parts.append(f'<circle class="inner{" dashed" if "dashed" in cls else ""}" cx="{_n(cx)}" cy="{_n(cy)}" '
                     f'r="{_n(r - 3)}"/>')
    if len(definitions) == 1:
        parts.append(_event_glyph(definitions[0], cx, cy, r, kind in THROWING))
    elif len(definitions) > 1:  # multiple: pentagon
        s = r * 0.5
        pent = " ".join(f"{_n(cx + s * math.cos(-math.pi / 2 + k * 2 * math.pi / 5))},"
                        f"{_n(cy + s * math.sin(-math.pi / 2 + k * 2 * math.pi / 5))}" for k in range(5))
        parts.append(f'<polygon class="glyph{" fill" if kind in THROWING else ""}" points="{pent}"/>')
    text, text_box = _external_label(name, label, box, below=True)
    parts.append(text)
    return "".join(parts), text_box


def _other_shape(element, kind: str, name: str, box: Box, label: Box | None) -> tuple[str, Box]:
    if kind == "textAnnotation":
        text_node = element.find(f"{{{BPMN}}}text")
        text = (text_node.text or "") if text_node is not None else ""
        lines = _wrap(text, box.w - 8, max(1, int(box.h // LINE_HEIGHT)))
        return (f'<path class="annotation" d="M{_n(box.x + 10)} {_n(box.y)} H{_n(box.x)} V{_n(box.y + box.h)} '
                f'H{_n(box.x + 10)}"/>' + _text_lines(lines, box.x + 5, box.y + 12, "label", "start")), box
    if kind in ("dataObjectReference", "dataStoreReference", "dataInputReference", "dataOutputReference"):
        fold = min(10, box.w / 3)
        body = (f'<path class="shape data" d="M{_n(box.x)} {_n(box.y)} H{_n(box.x + box.w - fold)} '
                f'L{_n(box.x + box.w)} {_n(box.y + fold)} V{_n(box.y + box.h)} H{_n(box.x)} Z"/>')
        text, text_box = _external_label(name, label, box, below=True)
        return body + text, text_box
    body = (f'<rect class="shape" x="{_n(box.x)}" y="{_n(box.y)}" width="{_n(box.w)}" height="{_n(box.h)}"/>'
            + _centered_text(_wrap(name, box.w - 8, 3), box.cx, box.cy))
    return body, box


# ---- edges ---------------------------------------------------------------------------

def _edge_label(name: str, label: Box | None, points: tuple[tuple[float, float], ...]) -> tuple[str, Box | None]:
    if not name:
        return "", None
    if label is not None and label.w > 0:
        text, box = _external_label(name, label, label)
        return text, box
    # no DI label: next to the middle of the longest segment
    best, best_len = (points[0], points[-1]), -1.0
    for a, b in zip(points, points[1:]):
        length = math.dist(a, b)
        if length > best_len:
            best, best_len = (a, b), length
    (x1, y1), (x2, y2) = best
    mx, my = (x1 + x2) / 2, (y1 + y2) / 2
    lines = _wrap(name, 90, 3)
    width = max(_text_width(line) for line in lines)
    if abs(y2 - y1) > abs(x2 - x1):  # vertical: to the right
        box = Box(mx + 5, my - len(lines) * LINE_HEIGHT / 2, width, len(lines) * LINE_HEIGHT)
        return _text_lines(lines, box.x, box.y + LINE_HEIGHT / 2 + 0.36 * FONT_SIZE, "label", "start"), box
    box = Box(mx - width / 2, my - 3 - len(lines) * LINE_HEIGHT, width, len(lines) * LINE_HEIGHT)
    return _text_lines(lines, mx, box.y + LINE_HEIGHT / 2 + 0.36 * FONT_SIZE, "label"), box


def _edge_decorations(points, is_default: bool, is_conditional: bool) -> str:
    if len(points) < 2:
        return ""
    (x1, y1), (x2, y2) = points[0], points[1]
    length = math.dist((x1, y1), (x2, y2)) or 1.0
    ux, uy = (x2 - x1) / length, (y2 - y1) / length
    if is_default:
        px, py = x1 + ux * 10, y1 + uy * 10
        # a slash across the line, 45° to it
        dx, dy = (ux - uy) * 5, (uy + ux) * 5
        return f'<path class="slash" d="M{_n(px - dx)} {_n(py - dy)} L{_n(px + dx)} {_n(py + dy)}"/>'
    if is_conditional:
        a = (x1, y1)
        b = (x1 + ux * 8 - uy * 4.5, y1 + uy * 8 + ux * 4.5)
        c = (x1 + ux * 16, y1 + uy * 16)
        d = (x1 + ux * 8 + uy * 4.5, y1 + uy * 8 - ux * 4.5)
        return (f'<polygon class="cond" points="{_n(a[0])},{_n(a[1])} {_n(b[0])},{_n(b[1])} '
                f'{_n(c[0])},{_n(c[1])} {_n(d[0])},{_n(d[1])}"/>')
    return ""


# ---- parsing -------------------------------------------------------------------------

def _union(boxes) -> Box:
    boxes = [b for b in boxes if b is not None and (b.w > 0 or b.h > 0)]
    if not boxes:
        return Box(0, 0, 100, 100)
    x0 = min(b.x for b in boxes)
    y0 = min(b.y for b in boxes)
    x1 = max(b.x + b.w for b in boxes)
    y1 = max(b.y + b.h for b in boxes)
    return Box(x0, y0, x1 - x0, y1 - y0)


def _depth(element) -> int:
    depth = 0
    parent = element.getparent()
    while parent is not None:
        if isinstance(parent.tag, str) and _local(parent) in SUB_PROCESSES:
            depth += 1
        parent = parent.getparent()
    return depth


@lru_cache(maxsize=16)
def _geometry(bpmn_xml: bytes) -> Geometry:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True, huge_tree=False)
    root = etree.fromstring(bpmn_xml, parser)
    by_id = {el.get("id"): el for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    process = root.find(f"{{{BPMN}}}process")
    process_name = (process.get("name") or process.get("id") or "") if process is not None else ""
    defaults = {el.get("default") for el in by_id.values() if el.get("default")}

    diagram = root.find(f"{{{BPMNDI}}}BPMNDiagram")
    plane = diagram.find(f"{{{BPMNDI}}}BPMNPlane") if diagram is not None else None
    if plane is None:
        raise ValueError("the BPMN model has no diagram interchange (BPMNDiagram/BPMNPlane)")

    shapes: list[tuple[tuple[int, int, int], Shape]] = []
    others: list[Shape] = []
    edges: list[Edge] = []
    lanes: list[tuple[str, str, Box, bool]] = []
    pools: list[tuple[str, str, Box, bool, bool]] = []
    extent: list[Box] = []

    for order, di in enumerate(plane):
        if not isinstance(di.tag, str):
            continue
        tag = _local(di)
        ref = di.get("bpmnElement")
        element = by_id.get(ref)
        if element is None:
            continue
        kind = _local(element)
        name = " ".join((element.get("name") or "").split())
        label_node = di.find(f"{{{BPMNDI}}}BPMNLabel")
        label = _bounds(label_node) if label_node is not None else None
        if tag == "BPMNShape":
            box = _bounds(di)
            if box is None:
                continue
            horizontal = di.get("isHorizontal", "true") != "false"
            extent.append(box)
            if kind == "participant":
                process_ref = by_id.get(element.get("processRef"))
                has_lanes = process_ref is not None and process_ref.find(f"{{{BPMN}}}laneSet") is not None
                pools.append((ref, name, box, horizontal, has_lanes))
                continue
            if kind == "lane":
                lanes.append((ref, name, box, horizontal))
                continue
            if kind in TASKS:
                body, text_box = _task_shape(element, kind, name, box)
                layer = 3
            elif kind in SUB_PROCESSES:
                if di.get("isExpanded") == "false" or (
                        di.get("isExpanded") is None and box.w <= 120 and box.h <= 100):
                    body, text_box = _collapsed_sub_process(element, kind, name, box)
                    layer = 3
                else:
                    body, text_box = _expanded_sub_process(element, kind, name, box)
                    layer = 1
            elif kind in GATEWAYS:
                body, text_box = _gateway_shape(element, kind, name, box, label)
                layer = 3
            elif kind in EVENTS:
                body, text_box = _event_shape(element, kind, name, box, label)
                layer = 4 if kind == "boundaryEvent" else 3
            else:
                body, text_box = _other_shape(element, kind, name, box, label)
                extent.append(text_box)
                others.append(Shape(ref, kind, name, box, label, body, (0, 0), text_box, 2))
                continue
            extent.append(text_box)
            shape = Shape(ref, kind, name, box, label, body, _badge_corner(box, text_box if text_box is not box
                                                                             else None), text_box, layer)
            shapes.append(((layer, _depth(element), order), shape))
        elif tag == "BPMNEdge":
            points = tuple((float(p.get("x", 0)), float(p.get("y", 0))) for p in di.findall(f"{{{DI}}}waypoint"))
            if len(points) < 2:
                continue
            source = element.get("sourceRef") or ""
            is_default = ref in defaults
            source_kind = _local(by_id[source]) if source in by_id else ""
            is_conditional = (element.find(f"{{{BPMN}}}conditionExpression") is not None
                              and source_kind not in GATEWAYS and not is_default)
            label_svg, text_box = _edge_label(name, label, points)
            body = _edge_decorations(points, is_default, is_conditional) + label_svg
            path = "M" + " L".join(f"{_n(x)} {_n(y)}" for x, y in points)
            xs, ys = [p[0] for p in points], [p[1] for p in points]
            extent.append(Box(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)))
            if text_box is not None:
                extent.append(text_box)
            edges.append(Edge(ref, kind, name, source, element.get("targetRef") or "", points, body, path, text_box))

    shapes.sort(key=lambda item: item[0])
    return Geometry(
        digest=hashlib.sha1(bpmn_xml).hexdigest(), process_name=process_name,
        shapes=tuple(s for _, s in shapes), others=tuple(others), edges=tuple(edges), lanes=tuple(lanes),
        pools=tuple(pools), bounds=_union(extent))


# --------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------

def stylesheet() -> str:
    """The diagrams' rules, served as a stylesheet of our own origin (``/diagram.css``): the pages' CSP
    (``style-src 'self'``) ignores a ``<style>`` inside an inline SVG, which drew every shape black."""
    return _STYLE


_STYLE = """
.gl-bpmn text{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;font-size:12px;fill:#202124}
.gl-bpmn .pool,.gl-bpmn .lane{fill:none;stroke:#80868b;stroke-width:1.2}
.gl-bpmn .lane-head{fill:#f1f3f4;stroke:#80868b;stroke-width:1.2}
.gl-bpmn .pool-head{fill:#e8eaed;stroke:#80868b;stroke-width:1.2}
.gl-bpmn .lane-label,.gl-bpmn .pool-label{font-size:14px;font-weight:bold;fill:#3c4043}
.gl-bpmn .shape{fill:#fff;stroke:#9aa0a6;stroke-width:1.5}
.gl-bpmn .shape.sub{fill:#fff;fill-opacity:.6}
.gl-bpmn .shape.call{stroke-width:4}
.gl-bpmn .shape.end{stroke-width:4}
.gl-bpmn .dashed{stroke-dasharray:5 3}
.gl-bpmn .inner{fill:none;stroke:#9aa0a6;stroke-width:1.2}
.gl-bpmn .el{color:#80868b}
.gl-bpmn .el text.name{fill:#3c4043}
.gl-bpmn .el text.label,.gl-bpmn .flow text.label{fill:#3c4043;paint-order:stroke;stroke:#fff;stroke-width:3px;
 stroke-linejoin:round}
.gl-bpmn .sub-name{font-weight:bold}
.gl-bpmn .glyph,.gl-bpmn .icon{fill:none;stroke:currentColor;stroke-width:1.3;stroke-linejoin:round;
 stroke-linecap:round}
.gl-bpmn .glyph.gw{stroke-width:3.5;stroke-linecap:butt}
.gl-bpmn .glyph.fill,.gl-bpmn .icon .fill{fill:currentColor}
.gl-bpmn .glyph.fill .fold{stroke:#fff}
.gl-bpmn .glyph.solid{stroke:none}
.gl-bpmn text.marker{font-weight:bold;font-size:13px;fill:currentColor}
.gl-bpmn .el.completed,.gl-bpmn .key.completed{color:#1e7b34}
.gl-bpmn .completed .shape{fill:#e3f4e6;stroke:#1e7b34}
.gl-bpmn .completed .shape.sub{fill:#f0f9f1;fill-opacity:1}
.gl-bpmn .completed .inner{stroke:#1e7b34}
.gl-bpmn .el.current,.gl-bpmn .key.current{color:#b45309}
.gl-bpmn .current .shape{fill:#fff3d6;stroke:#d97706;stroke-width:4}
.gl-bpmn .current .shape.sub{fill:#fffaf0;fill-opacity:1;stroke-width:3.5}
.gl-bpmn .current .shape.end{stroke-width:5}
.gl-bpmn .current .inner{stroke:#d97706}
.gl-bpmn .el.current text.name{font-weight:bold;fill:#202124}
.gl-bpmn .el.waiting text.name{fill:#5f6368}
.gl-bpmn .badge circle{stroke:#fff;stroke-width:1.5}
.gl-bpmn .completed .badge circle{fill:#1e7b34}
.gl-bpmn .current .badge circle{fill:#d97706}
.gl-bpmn .badge path{fill:none;stroke:#fff;stroke-width:2.2;stroke-linecap:round;stroke-linejoin:round}
.gl-bpmn .badge circle.dot{fill:#fff;stroke:none}
.gl-bpmn .flow path.line{fill:none;stroke:#9aa0a6;stroke-width:1.4;stroke-linejoin:round}
.gl-bpmn .flow.taken path.line{stroke:#1e7b34;stroke-width:2.6}
.gl-bpmn .flow.message path.line{stroke-dasharray:8 4}
.gl-bpmn .flow.association path.line{stroke-dasharray:2 3}
.gl-bpmn .flow .slash{stroke:#9aa0a6;stroke-width:1.5}
.gl-bpmn .flow.taken .slash{stroke:#1e7b34}
.gl-bpmn .flow .cond{fill:#fff;stroke:#9aa0a6;stroke-width:1.2}
.gl-bpmn .flow.taken text.label{fill:#1e7b34}
.gl-bpmn .annotation{fill:none;stroke:#9aa0a6}
.gl-bpmn .legend-frame{fill:#fff;stroke:#dadce0}
.gl-bpmn .legend text{font-size:13px}
"""


def _rect(cls: str, x: float, y: float, w: float, h: float) -> str:
    return f'<rect class="{cls}" x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}"/>'


def _badge(state: str, x: float, y: float) -> str:
    if state == "completed":
        return (f'<g class="badge" aria-hidden="true"><circle cx="{_n(x)}" cy="{_n(y)}" r="8"/>'
                f'<path d="M{_n(x - 3.8)} {_n(y + 0.2)} L{_n(x - 1)} {_n(y + 3)} L{_n(x + 4)} {_n(y - 2.8)}"/></g>')
    if state == "current":
        return (f'<g class="badge" aria-hidden="true"><circle cx="{_n(x)}" cy="{_n(y)}" r="8"/>'
                f'<circle class="dot" cx="{_n(x)}" cy="{_n(y)}" r="3.2"/></g>')
    return ""


def _containers(geometry: Geometry, labels: dict[str, str]) -> list[str]:
    out: list[str] = []
    header = 30.0
    for pid, name, box, horizontal, has_lanes in geometry.pools:
        parts = [f'<rect class="pool" x="{_n(box.x)}" y="{_n(box.y)}" width="{_n(box.w)}" height="{_n(box.h)}"/>']
        if horizontal:
            lane_x = min((b.x for _, _, b, h in geometry.lanes if h and b.x >= box.x), default=box.x + header)
            band = max(lane_x - box.x, 0) or header
            parts.append(f'<rect class="pool-head" x="{_n(box.x)}" y="{_n(box.y)}" width="{_n(band)}" '
                         f'height="{_n(box.h)}"/>')
            if name:
                cx, cy = box.x + band / 2, box.cy
                text = _fit(name, box.h - 16, 14)
                parts.append(f'<text class="pool-label" text-anchor="middle" x="{_n(cx)}" y="{_n(cy + 5)}" '
                             f'transform="rotate(-90 {_n(cx)} {_n(cy)})">{_e(text)}</text>')
        else:
            parts.append(_rect("pool-head", box.x, box.y, box.w, header))
            if name:
                parts.append(f'<text class="pool-label" text-anchor="middle" x="{_n(box.cx)}" '
                             f'y="{_n(box.y + 20)}">{_e(_fit(name, box.w - 16, 14))}</text>')
        title = f"<title>{_e(name)}</title>" if name else ""
        out.append(f'<g class="pool-group" data-id="{_e(pid)}">{title}{"".join(parts)}</g>')
    for lid, name, box, horizontal in geometry.lanes:
        label = labels.get(name, name) if name else ""
        parts = [f'<rect class="lane" x="{_n(box.x)}" y="{_n(box.y)}" width="{_n(box.w)}" height="{_n(box.h)}"/>']
        if horizontal:
            parts.append(_rect("lane-head", box.x, box.y, header, box.h))
            if label:
                cx, cy = box.x + header / 2, box.cy
                text = _fit(label, box.h - 12, 14)
                parts.append(f'<text class="lane-label" text-anchor="middle" x="{_n(cx)}" y="{_n(cy + 5)}" '
                             f'transform="rotate(-90 {_n(cx)} {_n(cy)})">{_e(text)}</text>')
        else:
            parts.append(_rect("lane-head", box.x, box.y, box.w, header))
            if label:
                parts.append(f'<text class="lane-label" text-anchor="middle" x="{_n(box.cx)}" '
                             f'y="{_n(box.y + 20)}">{_e(_fit(label, box.w - 12, 14))}</text>')
        title = f"<title>{_e(label)}</title>" if label else ""
        out.append(f'<g class="lane-group" data-id="{_e(lid)}" data-lane="{_e(name)}">{title}{"".join(parts)}</g>')
    return out


def _legend(x: float, y: float, prefix: str) -> str:
    parts = [f'<g class="legend" data-legend="true">']
    cx = x + 12
    cy = y + 15
    for state in STATES:
        parts.append(f'<g class="key {state}" data-key="{state}">'
                     f'<rect class="shape" x="{_n(cx)}" y="{_n(cy - 9)}" width="34" height="18" rx="5"/>')
        parts.append(_badge(state, cx + 33, cy - 8))
        label = STATE_LABELS[state]
        parts.append(f'<text x="{_n(cx + 48)}" y="{_n(cy + 4.5)}">{_e(label)}</text></g>')
        cx += 48 + _text_width(label, 13) + 28
    parts.append(f'<g class="flow taken key"><path class="line" d="M{_n(cx)} {_n(cy)} h34" '
                 f'marker-end="url(#{prefix}-arrow-taken)"/>'
                 f'<text x="{_n(cx + 44)}" y="{_n(cy + 4.5)}">{_e(TAKEN_LABEL)}</text></g>')
    frame_w = cx + 44 + _text_width(TAKEN_LABEL, 13) + 12 - x
    parts.insert(1, f'<rect class="legend-frame" x="{_n(x)}" y="{_n(y)}" width="{_n(frame_w)}" height="30" rx="4"/>')
    parts.append("</g>")
    return "".join(parts)


def _render_id(geometry: Geometry, states: dict[str, str], title: str, labels: dict[str, str]) -> str:
    digest = hashlib.sha1(geometry.digest.encode())
    digest.update(repr((sorted(states.items()), title, sorted(labels.items()))).encode())
    return "gl" + digest.hexdigest()[:10]


def render_round_svg(bpmn_xml: bytes, states: dict[str, str], *, title: str = "",
                     lane_labels: dict[str, str] | None = None) -> str:
    """The SVG for these states (see ``_render_round_svg``). Many rounds stand at the same point of the
    same model: the drawing of each distinct (model, states, labels) is kept, so a case page reuses it."""
    if isinstance(bpmn_xml, str):
        bpmn_xml = bpmn_xml.encode("utf-8")
    return _cached_svg(bpmn_xml, frozenset((states or {}).items()), title, frozenset((lane_labels or {}).items()))


@lru_cache(maxsize=512)
def _cached_svg(bpmn_xml: bytes, states: frozenset, title: str, lane_labels: frozenset) -> str:
    return _render_round_svg(bpmn_xml, dict(states), title=title, lane_labels=dict(lane_labels))


def _render_round_svg(bpmn_xml: bytes, states: dict[str, str], *, title: str = "",
                      lane_labels: dict[str, str] | None = None) -> str:
    """One ``<svg>`` element (a string) drawing the model with each element's state.

    ``states`` maps BPMN element ids to "completed", "current" or "waiting" (missing ids are
    waiting).  A sequence flow is "taken" when its source is completed and its target completed or
    current.  ``lane_labels`` maps lane names (agency codes) to display labels.
    """
    if isinstance(bpmn_xml, str):
        bpmn_xml = bpmn_xml.encode("utf-8")
    geometry = _geometry(bpmn_xml)
    labels = dict(lane_labels or {})
    states = {key: (value if value in STATES else "waiting") for key, value in (states or {}).items()}
    prefix = _render_id(geometry, states, title, labels)

    bounds = geometry.bounds
    x0 = bounds.x - MARGIN
    y0 = bounds.y - MARGIN - LEGEND_HEIGHT
    width = bounds.w + 2 * MARGIN
    width = max(width, 700.0)
    height = bounds.h + 2 * MARGIN + LEGEND_HEIGHT

    heading = title or geometry.process_name or "BPMN"
    counts = {state: 0 for state in STATES}
    current_names: list[str] = []
    for shape in geometry.shapes:
        state = states.get(shape.id, "waiting")
        counts[state] += 1
        if state == "current" and shape.kind not in SUB_PROCESSES:
            current_names.append(shape.name or shape.id)
    description = (f"{STATE_LABELS['completed']}: {counts['completed']}; {STATE_LABELS['current']}: "
                   f"{counts['current']}" + (f" ({'、'.join(current_names)})" if current_names else "")
                   + f"; {STATE_LABELS['waiting']}: {counts['waiting']}")

    out: list[str] = [
        f'<svg xmlns="{SVG_NS}" class="gl-bpmn" id="{prefix}" role="img" '
        f'aria-labelledby="{prefix}-title {prefix}-desc" width="100%" data-width="{_n(width)}" '
        f'data-height="{_n(height)}" viewBox="{_n(x0)} {_n(y0)} {_n(width)} {_n(height)}" '
        f'preserveAspectRatio="xMinYMin meet" '
        f'font-family="{_e(FONT_FAMILY)}" font-size="{_n(FONT_SIZE)}">',
        f'<title id="{prefix}-title">{_e(heading)}</title>',
        f'<desc id="{prefix}-desc">{_e(description)}</desc>',
        "<defs>",
        f'<marker id="{prefix}-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="9" markerHeight="9" '
        f'markerUnits="userSpaceOnUse" orient="auto"><path d="M0 1 L10 5 L0 9 Z" fill="#9aa0a6"/></marker>',
        f'<marker id="{prefix}-arrow-taken" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="11" '
        f'markerHeight="11" markerUnits="userSpaceOnUse" orient="auto"><path d="M0 1 L10 5 L0 9 Z" fill="#1e7b34"/>'
        f"</marker>",
        f'<marker id="{prefix}-arrow-open" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="9" markerHeight="9" '
        f'markerUnits="userSpaceOnUse" orient="auto"><path d="M0 1 L10 5 L0 9" fill="none" stroke="#9aa0a6"/>'
        f"</marker>",
        "</defs>",
        _legend(bounds.x, y0 + 6, prefix),
    ]
    out.extend(_containers(geometry, labels))

    def shape_group(shape: Shape) -> str:
        state = states.get(shape.id, "waiting")
        what = shape.name or KIND_LABELS.get(shape.kind, shape.kind)
        return (f'<g class="el {state}" data-id="{_e(shape.id)}" data-state="{state}" data-kind="{shape.kind}">'
                f"<title>{_e(what)} — {STATE_LABELS[state]}</title>{shape.body}"
                f"{_badge(state, *shape.badge_at)}</g>")

    layered = iter(geometry.shapes)
    pending = next(layered, None)
    while pending is not None and pending.layer <= 1:  # expanded sub-processes below the flows
        out.append(shape_group(pending))
        pending = next(layered, None)
    for other in geometry.others:
        out.append(f'<g class="artifact" data-id="{_e(other.id)}" data-kind="{other.kind}">{other.body}</g>')
    for edge in geometry.edges:
        taken = (edge.kind == "sequenceFlow" and states.get(edge.source) == "completed"
                 and states.get(edge.target) in ("completed", "current"))
        if edge.kind == "sequenceFlow":
            cls = "flow taken" if taken else "flow"
            marker = f"{prefix}-arrow-taken" if taken else f"{prefix}-arrow"
        elif edge.kind == "messageFlow":
            cls, marker = "flow message", f"{prefix}-arrow-open"
        else:
            cls, marker = "flow association", ""
        marker_attr = f' marker-end="url(#{marker})"' if marker else ""
        title = f"<title>{_e(edge.name)}</title>" if edge.name else ""
        out.append(f'<g class="{cls}" data-id="{_e(edge.id)}" data-state="{"taken" if taken else "not-taken"}">'
                   f'{title}<path class="line" d="{edge.path}"{marker_attr}/>{edge.body}</g>')
    while pending is not None:
        out.append(shape_group(pending))
        pending = next(layered, None)
    out.append("</svg>")
    return "".join(out)
