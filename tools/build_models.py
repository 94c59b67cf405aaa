#!/usr/bin/env python3
"""Generate the GuardLoop BPMN and DMN models in ``workflows/``.

The models are committed; this script is how they were made.  It describes the
intervention round compactly (nodes with a lane, a row inside the lane and a
grid column; sequence flows with an optional routing hint) and computes the
diagram interchange (BPMNShape bounds for every flow node, lane and the pool;
BPMNEdge waypoints for every sequence flow, orthogonal) so the files open and
read well in bpmn.io / Camunda Modeler.  The DMN tables are written from plain
Python rule lists, with a DMNShape for each decision.

Run:  .venv/bin/python tools/build_models.py          (writes workflows/*.bpmn, *.dmn)
      .venv/bin/python tools/build_models.py --check  (exit 1 if a file would change)

The contract (ids, lanes, variables) is workflows/README.md: do not rename.
Expressions in conditions, timers and DMN cells are Python, evaluated by
SpiffWorkflow in the task data, so they only use operators and literals (no
builtins, no attribute access) to run under a restricted script engine.
"""
from __future__ import annotations

import argparse
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "workflows"

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
DMN = "https://www.omg.org/spec/DMN/20191111/MODEL/"
DMNDI = "https://www.omg.org/spec/DMN/20191111/DMNDI/"
DMN_DC = "http://www.omg.org/spec/DMN/20180521/DC/"

AGENCIES = ["womens_federation", "procuratorate", "court", "police", "civil_affairs"]
SUPERVISOR = "supervisor"  # the supervisor lane: approvals; each task's ``agency`` property names its owner

# --------------------------------------------------------------------------------------
# The round, compactly
# --------------------------------------------------------------------------------------

# lane code -> number of rows in the lane
LANES = [
    ("womens_federation", 3),
    (SUPERVISOR, 3),
    ("procuratorate", 2),
    ("court", 2),
    ("police", 1),
    ("civil_affairs", 1),
]

WF, PRO, CRT, POL, CIV = AGENCIES
SUP = SUPERVISOR


@dataclass
class Node:
    id: str
    kind: str  # start, end, terminate, user, rule, xor, and, timer, boundary, subprocess
    name: str | None
    lane: str | None = None  # None for nodes inside the sub-process
    col: float = 0
    row: int = 0
    roles: str | None = None
    step: str | None = None
    due_in: str | None = None
    decision: str | None = None
    timer: str | None = None  # timeDuration expression
    attached_to: str | None = None
    interrupting: bool = True
    parent: str | None = None  # sub-process id for inner nodes
    default: str | None = None  # default flow id (gateways)
    agency: str | None = None  # owning agency of a task in the supervisor lane
    # geometry (computed)
    x: float = 0
    y: float = 0
    w: float = 0
    h: float = 0

    @property
    def cx(self):
        return self.x + self.w / 2

    @property
    def cy(self):
        return self.y + self.h / 2


@dataclass
class Flow:
    id: str
    source: str
    target: str
    name: str | None = None
    condition: str | None = None
    default: bool = False
    route: tuple | None = None  # ("over", channel) / ("under", channel) / None = automatic
    waypoints: list = field(default_factory=list)


def user(id, name, lane, col, row, roles, step, due_in, parent=None):
    return Node(id, "user", name, lane, col, row, roles=roles, step=step, due_in=due_in, parent=parent)


def approval(id, name, agency, col, row, step, due_in="P3D"):
    """An approval in the supervisor lane, owned by ``agency``'s supervisors."""
    return Node(id, "user", name, SUP, col, row, roles="supervisor", step=step, due_in=due_in, agency=agency)


def rule(id, name, lane, col, decision, row=0):
    return Node(id, "rule", name, lane, col, row, decision=decision)


# Optional measures are modelled without inclusive gateways (bpmnlint:recommended rejects them): a
# parallel split gives every measure a branch; on the branch an exclusive gateway "chosen?" either runs
# the measure's tasks (conditional flow) or skips them (default flow); an exclusive merge closes the
# branch; a parallel join waits for every branch.  No gateway both joins and forks.

def choice(branch, name, lane, row, col, merge_col):
    """The branch's decision gateway ``<branch>_chosen`` and its merge ``<branch>_merged``."""
    return [Node(f"{branch}_chosen", "xor", name, lane, col, row),
            Node(f"{branch}_merged", "xor", None, lane, merge_col, row)]


def branch_flows(split, join, branch, flow_id, condition, tasks, leaving):
    """Flows of one optional-measure branch: split -> chosen? -(是)-> tasks... -> merged -> join, and the
    default flow chosen? -(否)-> merged that skips the tasks.  ``leaving[i]`` is the id of the flow out of
    ``tasks[i]``."""
    chosen, merged = f"{branch}_chosen", f"{branch}_merged"
    flows = [F(f"{flow_id}_branch", split, chosen),
             F(flow_id, chosen, tasks[0], "是", condition),
             F(f"{flow_id}_skip", chosen, merged, "否", default=True, route=("under", 52))]
    for fid, a, b in zip(leaving, tasks, tasks[1:] + [merged]):
        flows.append(F(fid, a, b))
    flows.append(F(f"{flow_id}_merged", merged, join))
    return flows


def order_nodes(prefix, lane, issue, approve, deliver, names, col, sup_row, agency, step, chase_name):
    """An order drafted by its officer (``issue``), approved in the supervisor lane (``approve``) and then
    delivered (``deliver``); returned drafts go back to the officer.  A delivery long overdue raises a chase
    for the issuing agency's supervisors (row 1 of its lane).  ``col`` may be a half column, so that two
    orders side by side never share a vertical line."""
    issue_name, approve_name, deliver_name = names
    roles = "prosecutor" if lane == PRO else "judge"
    return [
        Node(f"{prefix}_drafting", "xor", None, lane, col),
        user(issue, issue_name, lane, col + 1, 0, roles, step, "P5D"),
        approval(approve, approve_name, agency, col + 2, sup_row, step),
        Node(f"{prefix}_approved", "xor", "批准签发？", SUP, col + 3, sup_row),
        user(deliver, deliver_name, lane, col + 4, 0, f"{roles},caseworker", step, "P3D"),
        Node(f"{deliver}_overdue", "boundary", "送达逾期", lane, col + 4, timer="delivery_chase_after",
             attached_to=deliver, interrupting=False),
        user(f"chase_{deliver}", chase_name, lane, col + 4, 1, "supervisor", step, "P3D"),
        Node(f"chase_{deliver}_done", "end", "督办完成", lane, col + 5, row=1),
    ]


def order_branch_flows(split, join, prefix, flow_id, condition, issue, approve, deliver, approved_var, out_id,
                       return_gap=10):
    """The optional-measure branch of an order (see ``branch_flows``), with its drafting loop: the officer
    drafts, the supervisor approves (then it is delivered) or returns it for correction (退回补正)."""
    chosen, merged, drafting, approved = (f"{prefix}_chosen", f"{prefix}_merged", f"{prefix}_drafting",
                                          f"{prefix}_approved")
    return [
        F(f"{flow_id}_branch", split, chosen),
        F(flow_id, chosen, drafting, "是", condition),
        F(f"{flow_id}_skip", chosen, merged, "否", default=True, route=("under", 52)),
        F(f"f_{prefix}_draft", drafting, issue),
        F(f"f_{prefix}_drafted", issue, approve),
        F(f"f_{prefix}_reviewed", approve, approved),
        F(f"f_{prefix}_signed", approved, deliver, "批准", f"{approved_var} == True"),
        F(f"f_{prefix}_returned", approved, drafting, "退回补正", default=True, route=("over", return_gap)),
        F(out_id, deliver, merged),
        F(f"{flow_id}_merged", merged, join),
        F(f"f_{deliver}_late", f"{deliver}_overdue", f"chase_{deliver}"),
        F(f"f_chase_{deliver}", f"chase_{deliver}", f"chase_{deliver}_done"),
    ]


NODES = [
    # 1. assess
    Node("round_start", "start", "轮次开始", WF, 0),
    user("social_investigation", "社会调查", WF, 1, 0, "caseworker", "assess", "P7D"),
    user("scored_assessment", "评估打分", WF, 2, 0, "caseworker", "assess", "P7D"),
    rule("decide_risk_code", "赋码决策", WF, 3, "risk_code_decision"),
    rule("apply_code_floor", "不低于现行风险码", WF, 4, "code_floor"),
    rule("plan_followup", "确定回访频次", WF, 5, "followup_schedule"),
    rule("recommend_measures", "处置措施建议", WF, 6, "handling_measures"),
    # 2. handle
    user("decide_handling", "处置决定", WF, 7, 0, "caseworker", "handle", "P5D"),
    Node("measures_split", "and", "处置措施", WF, 8),
    *choice("notify", "告知？", WF, 0, 9, 15),
    *choice("admonish", "劝诫？", WF, 1, 9, 15),
    *choice("procuratorate_order", "督促监护令？", PRO, 0, 9, 15),
    *choice("court_order", "指导令？", CRT, 0, 9, 15),
    *choice("reprimand", "训诫？", POL, 0, 9, 15),
    *choice("civil_affairs", "转介民政？", CIV, 0, 9, 15),
    user("notify_guardian", "告知监护人", WF, 11, 0, "caseworker", "handle", "P5D"),
    user("admonish_guardian", "劝诫监护人", WF, 11, 1, "caseworker", "handle", "P5D"),
    *order_nodes("procuratorate_order", PRO, "issue_procuratorate_order", "approve_procuratorate_order",
                 "deliver_procuratorate_order", ("拟制督促监护令", "审批督促监护令", "送达督促监护令"), 10, 0,
                 PRO, "handle", "督办逾期送达"),
    *order_nodes("court_order", CRT, "issue_court_order", "approve_court_order", "deliver_court_order",
                 ("拟制家庭教育指导令", "审批家庭教育指导令", "送达家庭教育指导令"), 10.5, 1, CRT, "handle", "督办逾期送达"),
    user("reprimand_guardian", "训诫监护人", POL, 11, 0, "caseworker", "handle", "P5D"),
    user("refer_civil_affairs", "转介民政部门", CIV, 11, 0, "caseworker", "handle", "P5D"),
    Node("measures_join", "and", None, WF, 16),
    user("draft_guidance_plan", "制定家庭教育指导方案", WF, 17, 0, "caseworker", "handle", "P5D"),
    # 3. guide (embedded sub-process; inner nodes are laid out on the sub-process's own grid)
    Node("guidance", "subprocess", "家庭教育指导", WF, 18),
    Node("guidance_start", "start", "指导开始", parent="guidance", col=0),
    Node("guidance_merge", "xor", None, parent="guidance", col=1),
    user("record_guidance_session", "记录指导情况", None, 2, 0, "counsellor,caseworker", "guide", "P30D",
         parent="guidance"),
    Node("guidance_sessions_met", "xor", "指导次数已满？", parent="guidance", col=3),
    Node("guidance_done", "end", "指导完成", parent="guidance", col=4),
    Node("session_overdue", "boundary", "指导逾期", parent="guidance", timer="session_chase_after",
         attached_to="record_guidance_session", interrupting=False),
    user("chase_overdue_session", "督办逾期指导", None, 2, 1, "supervisor", "guide", "P3D", parent="guidance"),
    Node("chase_session_done", "end", "督办完成", parent="guidance", col=3, row=1),
    Node("guidance_period_ended", "boundary", "指导期限届满", WF, 18, timer="guidance_period",
         attached_to="guidance"),
    # 4. follow up
    Node("followup_merge", "xor", None, WF, 19),
    Node("wait_visit_due", "timer", "等待回访到期", WF, 20, timer="visit_interval"),
    user("record_followup_visit", "记录回访", WF, 21, 0, "caseworker", "follow_up", "P5D"),
    Node("visit_overdue", "boundary", "回访逾期", WF, 21, timer="visit_grace",
         attached_to="record_followup_visit", interrupting=False),
    user("chase_overdue_visit", "督促逾期回访（法律监督）", PRO, 21, 1, "prosecutor,supervisor", "follow_up", "P5D"),
    Node("chase_done", "end", "督促完成", PRO, 22, row=1),
    Node("visits_complete", "xor", "回访已满？", WF, 22),
    # 5. review
    user("reassess", "再评估", WF, 23, 0, "caseworker", "review", "P7D"),
    rule("decide_reassessed_code", "重新赋码", WF, 24, "risk_code_decision"),
    rule("check_downgrade", "降级条件审查", WF, 25, "downgrade_eligibility"),
    Node("outcome_merge", "xor", None, WF, 26),
    user("decide_outcome", "决定轮次结果", WF, 27, 0, "caseworker", "review", "P5D"),
    Node("outcome_split", "xor", "轮次结果", WF, 28),
    Node("round_continues", "terminate", "进入下一轮干预", WF, 29, row=1),
    Node("returned_merge", "xor", "退回补正", SUP, 27, 0),
    approval("approve_downgrade", "审批降级", WF, 29, 0, "review"),
    Node("downgrade_approved", "xor", "批准降级？", SUP, 30, 0),
    Node("round_downgraded", "terminate", "降级处置", SUP, 31, 0),
    approval("approve_closure", "审批结案", WF, 29, 1, "review"),
    Node("closure_approved", "xor", "批准结案？", SUP, 30, 1),
    Node("case_closed", "terminate", "结案", SUP, 31, 1),
    approval("approve_escalation", "审批提请联席会商", WF, 29, 2, "review"),
    Node("escalation_approved", "xor", "批准提请？", SUP, 30, 2),
    user("joint_meeting", "多部门联席会商", PRO, 31, 0, "prosecutor,supervisor", "review", "P7D"),
    Node("rigid_measures_split", "and", "刚性措施", PRO, 32),
    *choice("rigid_procuratorate_order", "督促令？", PRO, 0, 33, 39),
    *choice("rigid_court_order", "责令指导？", CRT, 0, 33, 39),
    *choice("temporary_guardianship", "临时监护？", CIV, 0, 33, 39),
    *order_nodes("rigid_procuratorate_order", PRO, "issue_rigid_procuratorate_order",
                 "approve_rigid_procuratorate_order", "deliver_rigid_procuratorate_order",
                 ("拟制刚性督促监护令", "审批刚性督促监护令", "送达刚性督促监护令"), 34, 0, PRO, "review", "督办逾期送达"),
    *order_nodes("rigid_court_order", CRT, "issue_rigid_court_order", "approve_rigid_court_order",
                 "deliver_rigid_court_order", ("拟制责令接受家庭教育指导令", "审批责令接受家庭教育指导令",
                                               "送达刚性家庭教育指导令"), 34.5, 1, CRT, "review", "督办逾期送达"),
    user("arrange_temporary_guardianship", "安排临时监护（未保法第92条）", CIV, 35, 0, "caseworker", "review", "P3D"),
    Node("rigid_measures_join", "and", None, PRO, 40),
    Node("round_escalated", "terminate", "升级处置", PRO, 41),
]


def F(id, source, target, name=None, condition=None, default=False, route=None):
    return Flow(id, source, target, name, condition, default, route)


FLOWS = [
    F("f_start", "round_start", "social_investigation"),
    F("f_investigated", "social_investigation", "scored_assessment"),
    F("f_scored", "scored_assessment", "decide_risk_code"),
    F("f_coded", "decide_risk_code", "apply_code_floor"),
    F("f_floored", "apply_code_floor", "plan_followup"),
    F("f_planned", "plan_followup", "recommend_measures"),
    F("f_recommended", "recommend_measures", "decide_handling"),
    F("f_decided", "decide_handling", "measures_split"),
    *branch_flows("measures_split", "measures_join", "notify", "f_m_notify", "measure_notify == True",
                  ["notify_guardian"], ["f_notified"]),
    *branch_flows("measures_split", "measures_join", "admonish", "f_m_admonish", "measure_admonish == True",
                  ["admonish_guardian"], ["f_admonished"]),
    *order_branch_flows("measures_split", "measures_join", "procuratorate_order", "f_m_procuratorate",
                        "measure_procuratorate_order == True", "issue_procuratorate_order",
                        "approve_procuratorate_order", "deliver_procuratorate_order", "procuratorate_order_approved",
                        "f_pro_delivered"),
    *order_branch_flows("measures_split", "measures_join", "court_order", "f_m_court", "measure_court_order == True",
                        "issue_court_order", "approve_court_order", "deliver_court_order", "court_order_approved",
                        "f_court_delivered", return_gap=24),
    *branch_flows("measures_split", "measures_join", "reprimand", "f_m_reprimand", "measure_reprimand == True",
                  ["reprimand_guardian"], ["f_reprimanded"]),
    *branch_flows("measures_split", "measures_join", "civil_affairs", "f_m_civil", "measure_civil_affairs == True",
                  ["refer_civil_affairs"], ["f_referred"]),
    F("f_handled", "measures_join", "draft_guidance_plan"),
    F("f_plan_drafted", "draft_guidance_plan", "guidance"),
    # inside the guidance sub-process
    F("f_g_start", "guidance_start", "guidance_merge"),
    F("f_g_next", "guidance_merge", "record_guidance_session"),
    F("f_g_recorded", "record_guidance_session", "guidance_sessions_met"),
    F("f_g_met", "guidance_sessions_met", "guidance_done", "是", "sessions_done >= sessions_required"),
    F("f_g_more", "guidance_sessions_met", "guidance_merge", "否", default=True, route=("above", 28)),
    F("f_g_late", "session_overdue", "chase_overdue_session"),
    F("f_g_chased", "chase_overdue_session", "chase_session_done"),
    # guidance ends (normally or by the period timer) -> follow up
    F("f_guided", "guidance", "followup_merge"),
    F("f_period_ended", "guidance_period_ended", "followup_merge", route=("under", 36)),
    F("f_f_next", "followup_merge", "wait_visit_due"),
    F("f_visit_due", "wait_visit_due", "record_followup_visit"),
    F("f_visited", "record_followup_visit", "visits_complete"),
    F("f_overdue", "visit_overdue", "chase_overdue_visit"),
    F("f_chased", "chase_overdue_visit", "chase_done"),
    F("f_visits_done", "visits_complete", "reassess", "是", "visits_done >= visits_required"),
    F("f_visits_more", "visits_complete", "followup_merge", "否", default=True, route=("over", 22)),
    # review
    F("f_reassessed", "reassess", "decide_reassessed_code"),
    F("f_recoded", "decide_reassessed_code", "check_downgrade"),
    F("f_checked", "check_downgrade", "outcome_merge"),
    F("f_o_next", "outcome_merge", "decide_outcome"),
    F("f_outcome", "decide_outcome", "outcome_split"),
    F("f_o_downgrade", "outcome_split", "approve_downgrade", "降级",
      'outcome == "downgrade" and recommendation == "downgrade"'),
    F("f_o_close", "outcome_split", "approve_closure", "结案", 'outcome == "close" and recommendation == "close"'),
    F("f_o_escalate", "outcome_split", "approve_escalation", "升级处置", 'outcome == "escalate"'),
    F("f_o_another", "outcome_split", "round_continues", "另起一轮", default=True),
    F("f_dg_reviewed", "approve_downgrade", "downgrade_approved"),
    F("f_dg_approved", "downgrade_approved", "round_downgraded", "批准", "approved == True"),
    F("f_dg_returned", "downgrade_approved", "returned_merge", "退回", default=True, route=("under", 52)),
    F("f_cl_reviewed", "approve_closure", "closure_approved"),
    F("f_cl_approved", "closure_approved", "case_closed", "批准", "approved == True"),
    F("f_cl_returned", "closure_approved", "returned_merge", "退回", default=True, route=("under", 52)),
    F("f_es_reviewed", "approve_escalation", "escalation_approved"),
    F("f_es_approved", "escalation_approved", "joint_meeting", "批准", "approved == True"),
    F("f_es_returned", "escalation_approved", "returned_merge", "退回", default=True, route=("under", 52)),
    F("f_returned", "returned_merge", "outcome_merge", route=("over", 10)),
    F("f_met", "joint_meeting", "rigid_measures_split"),
    *order_branch_flows("rigid_measures_split", "rigid_measures_join", "rigid_procuratorate_order",
                        "f_r_procuratorate", "rigid_procuratorate_order == True", "issue_rigid_procuratorate_order",
                        "approve_rigid_procuratorate_order", "deliver_rigid_procuratorate_order",
                        "rigid_procuratorate_order_approved", "f_r_pro_delivered"),
    *order_branch_flows("rigid_measures_split", "rigid_measures_join", "rigid_court_order", "f_r_court",
                        "rigid_court_order == True", "issue_rigid_court_order", "approve_rigid_court_order",
                        "deliver_rigid_court_order", "rigid_court_order_approved", "f_r_court_delivered",
                        return_gap=24),
    *branch_flows("rigid_measures_split", "rigid_measures_join", "temporary_guardianship", "f_r_guardianship",
                  "temporary_guardianship == True", ["arrange_temporary_guardianship"],
                  ["f_r_guardianship_done"]),
    F("f_escalated", "rigid_measures_join", "round_escalated"),
]

# --------------------------------------------------------------------------------------
# Layout
# --------------------------------------------------------------------------------------

SIZES = {
    "start": (36, 36), "end": (36, 36), "terminate": (36, 36), "timer": (36, 36), "boundary": (36, 36),
    "user": (100, 80), "rule": (100, 80), "xor": (50, 50), "and": (50, 50),
}
POOL_X, POOL_Y = 150, 80
POOL_HEADER = 30  # the pool's vertical name band
LANE_HEADER = 30  # the lane's vertical name band (bpmn.io draws lanes with their own band)
LANE_PAD_TOP = 44  # room above the first row for loop-back edges
LANE_PAD_BOTTOM = 16
ROW_H = 130
COL_GAP = 56
SUB_PAD = 24  # padding inside the sub-process
SUB_COL_GAP = 44
SUB_ABOVE = 66  # sub-process top edge above the row centre line
SUB_BELOW = 92  # sub-process bottom edge below the row centre line
SUB_ROW_H = 120  # inner rows of the sub-process (a chase below the task it chases)
FIRST_COL_X = POOL_X + POOL_HEADER + LANE_HEADER + 30


def layout(nodes, flows):
    by_id = {n.id: n for n in nodes}
    for n in nodes:
        if n.kind != "subprocess":
            n.w, n.h = SIZES[n.kind]

    # the sub-process's size comes from its inner grid
    subs = [n for n in nodes if n.kind == "subprocess"]
    inner_cols = {}
    for sub in subs:
        inner = [n for n in nodes if n.parent == sub.id and n.kind != "boundary"]
        cols = {c: max(n.w for n in inner if n.col == c) for c in sorted({n.col for n in inner})}
        inner_cols[sub.id] = cols
        width = SUB_PAD * 2 + sum(cols.values()) + SUB_COL_GAP * (len(cols) - 1)
        sub.w, sub.h = width, SUB_ABOVE + SUB_BELOW + SUB_ROW_H * max(n.row for n in inner)

    # column widths from the widest top-level node in each column
    top = [n for n in nodes if n.parent is None and n.kind != "boundary"]
    cols = sorted({n.col for n in top})
    col_x = {}
    x = FIRST_COL_X
    for c in cols:
        width = max(n.w for n in top if n.col == c)
        col_x[c] = (x, width)
        x += width + COL_GAP
    pool_right = x - COL_GAP + 40

    # lanes
    lane_geo = {}
    y = POOL_Y
    for code, rows in LANES:
        height = LANE_PAD_TOP + rows * ROW_H + LANE_PAD_BOTTOM
        lane_geo[code] = (y, height)
        y += height
    pool_bottom = y

    def row_cy(lane, row):
        lane_top, _ = lane_geo[lane]
        return lane_top + LANE_PAD_TOP + row * ROW_H + ROW_H / 2

    for n in top:
        cx0, cw = col_x[n.col]
        cx = cx0 + cw / 2
        cy = row_cy(n.lane, n.row)
        if n.kind == "subprocess":
            n.x, n.y = cx - n.w / 2, cy - SUB_ABOVE
        else:
            n.x, n.y = cx - n.w / 2, cy - n.h / 2

    for sub in subs:
        x = sub.x + SUB_PAD
        col_cx = {}
        for c, width in inner_cols[sub.id].items():
            col_cx[c] = x + width / 2
            x += width + SUB_COL_GAP
        for n in nodes:
            if n.parent == sub.id and n.kind != "boundary":
                cy = sub.y + SUB_ABOVE + n.row * SUB_ROW_H
                n.x, n.y = col_cx[n.col] - n.w / 2, cy - n.h / 2

    for n in nodes:
        if n.kind == "boundary":
            host = by_id[n.attached_to]
            if host.kind == "subprocess":
                bx = host.x + host.w - 60
            else:
                bx = host.cx
            n.x, n.y = bx - n.w / 2, host.y + host.h - n.h / 2

    fan_out = {}
    for f in flows:
        fan_out[f.source] = fan_out.get(f.source, 0) + 1
    forks = {n.id for n in nodes if is_gateway(n) and fan_out.get(n.id, 0) > 1}
    for f in flows:
        f.waypoints = route(by_id[f.source], by_id[f.target], f, lane_geo, forks)

    geo = {
        "pool": (POOL_X, POOL_Y, pool_right - POOL_X, pool_bottom - POOL_Y),
        "lanes": {code: (POOL_X + POOL_HEADER, top_, pool_right - POOL_X - POOL_HEADER, h)
                  for code, (top_, h) in lane_geo.items()},
    }
    return geo


def is_gateway(n):
    return n.kind in ("xor", "and")


def route(s, t, flow, lane_geo, forks):
    """Orthogonal waypoints from s to t (``forks``: ids of the gateways with more than one outgoing flow)."""
    if flow.route:
        how, gap = flow.route
        if how == "above":  # up from the source's top to `gap` above both, across, down into the target
            channel = min(s.y, t.y) - gap
            return [(s.cx, s.y), (s.cx, channel), (t.cx, channel), (t.cx, t.y)]
        if how == "over":  # up from the source's top, along a channel near the lane's top, into the target
            channel = lane_geo[s.lane][0] + gap
            end = (t.cx, t.y) if t.y > channel else (t.cx, t.y + t.h)  # a target above is entered from below
            return [(s.cx, s.y), (s.cx, channel), (t.cx, channel), end]
        # "under": down from the source's bottom to a channel `gap` below the source's centre, up into the target
        channel = s.cy + gap
        return [(s.cx, s.y + s.h), (s.cx, channel), (t.cx, channel), (t.cx, t.y + t.h)]

    if s.kind == "boundary":
        start = (s.cx, s.y + s.h)
        if abs(s.cx - t.cx) < 1:
            return [start, (t.cx, t.y)]
        return [start, (s.cx, t.cy), (t.x, t.cy)]

    if abs(s.cy - t.cy) < 1:
        return [(s.x + s.w, s.cy), (t.x, t.cy)]

    if s.id in forks:  # fork: leave through the bottom (or top) corner, then go right
        sy = s.y + s.h if t.cy > s.cy else s.y
        return [(s.cx, sy), (s.cx, t.cy), (t.x, t.cy)]

    if is_gateway(t):  # join: go right, then into the bottom (or top) corner
        ty = t.y + t.h if s.cy > t.cy else t.y
        return [(s.x + s.w, s.cy), (t.cx, s.cy), (t.cx, ty)]

    if s.y <= t.cy <= s.y + s.h:  # target centre within the source's height: straight across
        return [(s.x + s.w, t.cy), (t.x, t.cy)]
    if t.y <= s.cy <= t.y + t.h:
        return [(s.x + s.w, s.cy), (t.x, s.cy)]

    mid = (s.x + s.w + t.x) / 2
    return [(s.x + s.w, s.cy), (mid, s.cy), (mid, t.cy), (t.x, t.cy)]


def text_width(text):
    return 12 * len(text) + 4  # bpmn.io draws labels in 12px; CJK glyphs are about 12px wide


LABEL_H = 14


def flow_label(f):
    """Bounds for a named sequence flow's label: above the segment that reaches the target."""
    w = text_width(f.name)
    pts = f.waypoints
    if f.route:
        channel = pts[1][1]  # on the channel, just beside the source's riser
        x = pts[1][0] - w - 6 if pts[2][0] < pts[1][0] else pts[1][0] + 6
        return (x, channel - LABEL_H - 3 if f.route[0] in ("over", "above") else channel + 3, w, LABEL_H)
    (x1, y1), (x2, y2) = pts[-2], pts[-1]
    if y1 == y2:  # horizontal last segment: just after the bend (or the source)
        return (x1 + 6, y1 - LABEL_H - 3, w, LABEL_H)
    return (x1 + 6, (y1 + y2) / 2 - LABEL_H / 2, w, LABEL_H)


def node_label(n, flows):
    """Bounds for gateway and boundary-event labels, where bpmn.io's default spot (below) is taken by edges."""
    w = text_width(n.name)
    if n.kind == "boundary":
        return (n.cx + 20, n.cy + 4, w, LABEL_H)
    leaves_top = any(f.source == n.id and f.waypoints[0][1] == n.y for f in flows)
    if leaves_top:
        return (n.cx + 10, n.y - LABEL_H - 2, w, LABEL_H)
    return (n.cx - w / 2, n.y - LABEL_H - 4, w, LABEL_H)


# --------------------------------------------------------------------------------------
# BPMN writer
# --------------------------------------------------------------------------------------

def q(ns, tag):
    return f"{{{ns}}}{tag}"


def fmt(v):
    v = round(v, 1)
    return str(int(v)) if v == int(v) else str(v)


def build_bpmn(nodes, flows, geo):
    for prefix, ns in (("bpmn", BPMN), ("bpmndi", BPMNDI), ("dc", DC), ("di", DI), ("xsi", XSI),
                       ("spiffworkflow", SPIFF)):
        ET.register_namespace(prefix, ns)
    by_id = {n.id: n for n in nodes}
    incoming = {n.id: [] for n in nodes}
    outgoing = {n.id: [] for n in nodes}
    for f in flows:
        outgoing[f.source].append(f.id)
        incoming[f.target].append(f.id)
        if f.default:
            by_id[f.source].default = f.id

    defs = ET.Element(q(BPMN, "definitions"), {
        "id": "guardloop_definitions",
        "targetNamespace": "http://guardloop.example/bpmn",
        "exporter": "GuardLoop tools/build_models.py",
        "exporterVersion": "1",
    })
    collab = ET.SubElement(defs, q(BPMN, "collaboration"), {"id": "intervention_round_collaboration"})
    ET.SubElement(collab, q(BPMN, "participant"), {
        "id": "intervention_round_participant", "name": "干预轮次（四步工作法）", "processRef": "intervention_round"})
    process = ET.SubElement(defs, q(BPMN, "process"), {
        "id": "intervention_round", "name": "干预轮次", "isExecutable": "true"})
    lane_set = ET.SubElement(process, q(BPMN, "laneSet"), {"id": "intervention_round_lanes"})
    for code, _ in LANES:
        lane = ET.SubElement(lane_set, q(BPMN, "lane"), {"id": f"lane_{code}", "name": code})
        for n in nodes:
            if n.parent is None and n.lane == code:
                ET.SubElement(lane, q(BPMN, "flowNodeRef")).text = n.id

    containers = {None: process}

    def add_node(parent_el, n):
        tags = {"start": "startEvent", "end": "endEvent", "terminate": "endEvent", "user": "userTask",
                "rule": "businessRuleTask", "xor": "exclusiveGateway", "and": "parallelGateway",
                "timer": "intermediateCatchEvent", "boundary": "boundaryEvent", "subprocess": "subProcess"}
        attrs = {"id": n.id}
        if n.name:
            attrs["name"] = n.name
        if n.kind == "boundary":
            attrs["attachedToRef"] = n.attached_to
            if not n.interrupting:
                attrs["cancelActivity"] = "false"
        if n.default:
            attrs["default"] = n.default
        el = ET.SubElement(parent_el, q(BPMN, tags[n.kind]), attrs)
        if n.kind == "user":
            ext = ET.SubElement(el, q(BPMN, "extensionElements"))
            props = ET.SubElement(ext, q(SPIFF, "properties"))
            for key, value in (("roles", n.roles), ("step", n.step), ("due_in", n.due_in), ("agency", n.agency)):
                if value is not None:
                    ET.SubElement(props, q(SPIFF, "property"), {"name": key, "value": value})
        elif n.kind == "rule":
            ext = ET.SubElement(el, q(BPMN, "extensionElements"))
            ET.SubElement(ext, q(SPIFF, "calledDecisionId")).text = n.decision
        for fid in incoming[n.id]:
            ET.SubElement(el, q(BPMN, "incoming")).text = fid
        for fid in outgoing[n.id]:
            ET.SubElement(el, q(BPMN, "outgoing")).text = fid
        if n.kind == "terminate":
            ET.SubElement(el, q(BPMN, "terminateEventDefinition"), {"id": f"{n.id}_terminate"})
        if n.timer:
            timer = ET.SubElement(el, q(BPMN, "timerEventDefinition"), {"id": f"{n.id}_timer"})
            dur = ET.SubElement(timer, q(BPMN, "timeDuration"), {q(XSI, "type"): "bpmn:tFormalExpression"})
            dur.text = n.timer
        return el

    # nodes in document order: top-level nodes, a sub-process with its content
    for n in nodes:
        if n.parent is None:
            el = add_node(process, n)
            if n.kind == "subprocess":
                containers[n.id] = el
    for n in nodes:
        if n.parent is not None:
            add_node(containers[n.parent], n)

    for f in flows:
        container = containers[by_id[f.source].parent]
        attrs = {"id": f.id, "sourceRef": f.source, "targetRef": f.target}
        if f.name:
            attrs["name"] = f.name
        el = ET.SubElement(container, q(BPMN, "sequenceFlow"), attrs)
        if f.condition:
            cond = ET.SubElement(el, q(BPMN, "conditionExpression"), {q(XSI, "type"): "bpmn:tFormalExpression"})
            cond.text = f.condition

    # diagram interchange
    diagram = ET.SubElement(defs, q(BPMNDI, "BPMNDiagram"), {"id": "intervention_round_diagram"})
    plane = ET.SubElement(diagram, q(BPMNDI, "BPMNPlane"), {
        "id": "intervention_round_plane", "bpmnElement": "intervention_round_collaboration"})

    def bounds(parent, x, y, w, h):
        ET.SubElement(parent, q(DC, "Bounds"), {"x": fmt(x), "y": fmt(y), "width": fmt(w), "height": fmt(h)})

    def shape(element_id, x, y, w, h, label=None, **extra):
        attrs = {"id": f"{element_id}_di", "bpmnElement": element_id}
        attrs.update(extra)
        s = ET.SubElement(plane, q(BPMNDI, "BPMNShape"), attrs)
        bounds(s, x, y, w, h)
        if label:
            bounds(ET.SubElement(s, q(BPMNDI, "BPMNLabel")), *label)

    px, py, pw, ph = geo["pool"]
    shape("intervention_round_participant", px, py, pw, ph, isHorizontal="true")
    for code, _ in LANES:
        lx, ly, lw, lh = geo["lanes"][code]
        shape(f"lane_{code}", lx, ly, lw, lh, isHorizontal="true")
    ordered = [n for n in nodes if n.kind not in ("boundary",)] + [n for n in nodes if n.kind == "boundary"]
    for n in ordered:
        extra = {"isExpanded": "true"} if n.kind == "subprocess" else {}
        label = node_label(n, flows) if n.name and (n.kind == "boundary" or is_gateway(n)) else None
        shape(n.id, n.x, n.y, n.w, n.h, label=label, **extra)
    for f in flows:
        e = ET.SubElement(plane, q(BPMNDI, "BPMNEdge"), {"id": f"{f.id}_di", "bpmnElement": f.id})
        for (x, y) in f.waypoints:
            ET.SubElement(e, q(DI, "waypoint"), {"x": fmt(x), "y": fmt(y)})
        if f.name:
            bounds(ET.SubElement(e, q(BPMNDI, "BPMNLabel")), *flow_label(f))
    return defs


# --------------------------------------------------------------------------------------
# DMN tables (cells are Python; "-" matches anything; "?" stands for the input value)
# --------------------------------------------------------------------------------------

def any_of(codes):
    return " or ".join(f'"{c}" in risk_factors' for c in codes)


DANGER = ["immediate_danger", "violence_abuse", "no_carer", "guardian_absent", "guardian_incarcerated",
          "guardian_in_rehab", "guardian_severely_ill"]
SERIOUS = ["serious_failure", "criminal_suspect", "criminal_victim", "guardian_uncooperative"]
CONCERN = ["inadequate_guardianship", "bad_behaviour", "truancy", "mental_health_alert"]
# "special_family" (special family type under watch) maps to nothing by itself: blue unless the score says more

CRIMINAL = '? in ("minor_suspect", "minor_victim")'

DMN_TABLES = {
    "risk_code": {
        "id": "risk_code_decision", "name": "风险赋码",
        "inputs": [
            ("danger", "红码情形（紧急危险、暴力虐待、无人照料、监护人缺位）", "boolean", any_of(DANGER)),
            ("serious", "橙码情形（严重监护失职、涉案、监护人不配合）", "boolean", any_of(SERIOUS)),
            ("concern", "黄码情形（监护不足、不良行为、逃学、心理预警）", "boolean", any_of(CONCERN)),
            ("score", "评估总分", "integer", "total_score"),
        ],
        "outputs": [("assessed_code", "评估风险码", "string")],
        "rules": [
            (["True", "-", "-", "-"], ['"red"'], "紧急危险或监护缺失"),
            (["False", "True", "-", "-"], ['"orange"'], "严重监护失职、涉案或不配合"),
            (["False", "False", "-", "? >= 24"], ['"orange"'], "总分达到橙码线"),
            (["False", "False", "-", "12 <= ? < 24"], ['"yellow"'], "总分达到黄码线"),
            (["False", "False", "True", "? < 12"], ['"yellow"'], "有黄码情形"),
            (["False", "False", "False", "? < 12"], ['"blue"'], "低风险"),
        ],
    },
    "code_floor": {
        # A code goes down only by an approved downgrade: a later round's assessment below the case's
        # current code keeps the current code (风险等级降级须经审批).
        "id": "code_floor", "name": "不低于现行风险码",
        "inputs": [
            ("current", "现行风险码（首轮为空）", "string", "current_code"),
            ("assessed", "评估风险码", "string", "assessed_code"),
        ],
        "outputs": [("risk_code", "本轮风险码", "string"), ("code_held", "维持现行风险码", "boolean")],
        "rules": [
            (['? in ("", "blue")', "-"], ["assessed_code", "False"], "首轮或现为蓝码：按评估赋码"),
            (['"yellow"', '? in ("yellow", "orange", "red")'], ["assessed_code", "False"], "不低于黄码"),
            (['"yellow"', '"blue"'], ['"yellow"', "True"], "降级须经审批：维持黄码"),
            (['"orange"', '? in ("orange", "red")'], ["assessed_code", "False"], "不低于橙码"),
            (['"orange"', '? in ("yellow", "blue")'], ['"orange"', "True"], "降级须经审批：维持橙码"),
            (['"red"', '"red"'], ['"red"', "False"], "红码"),
            (['"red"', '? in ("orange", "yellow", "blue")'], ['"red"', "True"], "降级须经审批：维持红码"),
        ],
    },
    "handling_measures": {
        "id": "handling_measures", "name": "处置措施建议",
        "inputs": [
            ("code", "风险码", "string", "risk_code"),
            ("case_type", "案件类型", "string", "case_type"),
        ],
        "outputs": [
            ("suggest_notify", "告知", "boolean"),
            ("suggest_admonish", "劝诫", "boolean"),
            ("suggest_reprimand", "训诫", "boolean"),
            ("suggest_procuratorate_order", "督促监护令", "boolean"),
            ("suggest_court_order", "家庭教育指导令", "boolean"),
            ("suggest_civil_affairs", "转介民政", "boolean"),
        ],
        "rules": [
            (['"red"', CRIMINAL], ["True", "False", "True", "True", "False", "True"], "红码·涉案"),
            (['"red"', '? in ("family_case", "general")'], ["True", "False", "True", "False", "True", "True"],
             "红码·家事及一般"),
            (['"orange"', CRIMINAL], ["True", "False", "False", "True", "False", "False"], "橙码·涉案"),
            (['"orange"', '"family_case"'], ["True", "False", "False", "False", "True", "False"], "橙码·家事"),
            (['"orange"', '"general"'], ["True", "False", "True", "False", "False", "False"], "橙码·一般"),
            (['"yellow"', "-"], ["True", "True", "False", "False", "False", "False"], "黄码"),
            (['"blue"', "-"], ["True", "False", "False", "False", "False", "False"], "蓝码"),
        ],
    },
    "followup_schedule": {
        "id": "followup_schedule", "name": "回访频次",
        "inputs": [("code", "风险码", "string", "risk_code")],
        "outputs": [
            ("visit_interval", "回访间隔", "string"),
            ("visit_grace", "逾期宽限", "string"),
            ("visits_required", "本轮回访次数", "integer"),
            ("review_days", "复评期限（天）", "integer"),
            ("session_chase_after", "指导逾期督办（自上次指导起）", "string"),
            ("delivery_chase_after", "送达逾期督办（自签发起）", "string"),
        ],
        "rules": [
            (['"red"'], ['"P7D"', '"P3D"', "4", "30", '"P37D"', '"P5D"'], "每周"),
            (['"orange"'], ['"P14D"', '"P5D"', "4", "60", '"P40D"', '"P7D"'], "每两周"),
            (['"yellow"'], ['"P30D"', '"P7D"', "3", "90", '"P44D"', '"P10D"'], "每月"),
            (['"blue"'], ['"P90D"', '"P14D"', "2", "180", '"P44D"', '"P10D"'], "每季度"),
        ],
    },
    "downgrade_eligibility": {
        "id": "downgrade_eligibility", "name": "降级条件审查",
        "inputs": [
            ("evidence", "证据齐全（指导达标且回访按期）", "boolean", "plan_met and visits_on_schedule"),
            ("round_code", "本轮风险码", "string", "round_code"),
            ("assessed_code", "再评估风险码", "string", "assessed_code"),
        ],
        "outputs": [("recommendation", "建议结果", "string")],
        "rules": [
            (["False", "-", '? in ("red", "orange")'], ['"escalate"'], "无证据且风险高：升级处置"),
            (["False", "-", '? in ("yellow", "blue")'], ['"another_round"'], "无证据：另起一轮"),
            (["True", '"red"', '? in ("orange", "yellow", "blue")'], ['"downgrade"'], "风险下降"),
            (["True", '"orange"', '? in ("yellow", "blue")'], ['"downgrade"'], "风险下降"),
            (["True", '"yellow"', '"blue"'], ['"downgrade"'], "风险下降"),
            (["True", '"blue"', '"blue"'], ['"close"'], "蓝码稳定：结案"),
            (["True", '"red"', '"red"'], ['"escalate"'], "红码未降：升级处置"),
            (["True", '"orange"', '? in ("orange", "red")'], ['"another_round"'], "风险未降"),
            (["True", '"yellow"', '? in ("yellow", "orange", "red")'], ['"another_round"'], "风险未降"),
            (["True", '"blue"', '? in ("yellow", "orange", "red")'], ['"another_round"'], "风险上升"),
        ],
    },
}


def build_dmn(key, table):
    ET.register_namespace("", DMN)
    ET.register_namespace("dmndi", DMNDI)
    ET.register_namespace("dc", DMN_DC)
    defs = ET.Element(q(DMN, "definitions"), {
        "id": f"{key}_definitions", "name": table["name"], "namespace": "http://guardloop.example/dmn",
        "exporter": "GuardLoop tools/build_models.py", "exporterVersion": "1"})
    decision = ET.SubElement(defs, q(DMN, "decision"), {"id": table["id"], "name": table["name"]})
    dt = ET.SubElement(decision, q(DMN, "decisionTable"), {"id": f"{key}_table", "hitPolicy": "UNIQUE"})
    for iid, label, type_ref, expr in table["inputs"]:
        inp = ET.SubElement(dt, q(DMN, "input"), {"id": f"{key}_in_{iid}", "label": label})
        ie = ET.SubElement(inp, q(DMN, "inputExpression"), {"id": f"{key}_in_{iid}_expr", "typeRef": type_ref})
        ET.SubElement(ie, q(DMN, "text")).text = expr
    for name, label, type_ref in table["outputs"]:
        ET.SubElement(dt, q(DMN, "output"), {"id": f"{key}_out_{name}", "label": label, "name": name,
                                             "typeRef": type_ref})
    for i, (ins, outs, note) in enumerate(table["rules"], 1):
        r = ET.SubElement(dt, q(DMN, "rule"), {"id": f"{key}_rule_{i}"})
        ET.SubElement(r, q(DMN, "description")).text = note
        for j, cell in enumerate(ins):
            e = ET.SubElement(r, q(DMN, "inputEntry"), {"id": f"{key}_rule_{i}_in_{j}"})
            ET.SubElement(e, q(DMN, "text")).text = cell
        for j, cell in enumerate(outs):
            e = ET.SubElement(r, q(DMN, "outputEntry"), {"id": f"{key}_rule_{i}_out_{j}"})
            ET.SubElement(e, q(DMN, "text")).text = cell
    dmndi = ET.SubElement(defs, q(DMNDI, "DMNDI"))
    diagram = ET.SubElement(dmndi, q(DMNDI, "DMNDiagram"), {"id": f"{key}_diagram"})
    shape = ET.SubElement(diagram, q(DMNDI, "DMNShape"), {"id": f"{table['id']}_di", "dmnElementRef": table["id"]})
    ET.SubElement(shape, q(DMN_DC, "Bounds"), {"height": "80", "width": "180", "x": "160", "y": "100"})
    return defs


# --------------------------------------------------------------------------------------

def serialise(root):
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def outputs():
    nodes = [Node(**{k: getattr(n, k) for k in n.__dataclass_fields__}) for n in NODES]
    flows = [Flow(**{k: getattr(f, k) for k in f.__dataclass_fields__}) for f in FLOWS]
    geo = layout(nodes, flows)
    files = {"intervention_round.bpmn": serialise(build_bpmn(nodes, flows, geo))}
    for key, table in DMN_TABLES.items():
        files[f"{key}.dmn"] = serialise(build_dmn(key, table))
    return files


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if a generated file differs from the committed one")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    stale = []
    for name, text in outputs().items():
        path = args.out / name
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    if stale:
        print("out of date: " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
