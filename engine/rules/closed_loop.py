"""The closed-loop checklist (闭环审查) of every intervention round, computed from the records, never ticked.

Six items, each ``met``, ``missing``, ``pending`` (the round has not reached that step or is still in it) or
``not_required``; a round is closed-loop complete when no item is missing or pending.

What counts as evidence is written once, as conditions over the columns of the round facts
(``evidence_rules``), so the cockpit can count complete rounds in the database; whether an unmet item is
still pending or already missing depends on where the round stands, which ``evaluate`` decides in Python.
Pure: the facts are loaded, and the conditions put into SQL, by ``engine.reads.checklists``.
"""
from dataclasses import dataclass
from datetime import datetime

from engine.reference import STEPS

MET, MISSING, PENDING, NOT_REQUIRED = "met", "missing", "pending", "not_required"
STATUSES = (MET, MISSING, PENDING, NOT_REQUIRED)

ITEMS = {  # key: (Chinese, English), in the order of the procedure
    "assessment": ("评估", "Assessment"),
    "handling": ("处置", "Handling"),
    "guidance": ("指导", "Guidance"),
    "follow_up": ("回访", "Follow-up"),
    "reassessment": ("复评", "Re-assessment"),
    "approval": ("审批", "Approval"),
}
ITEM_STEP = {"assessment": "assess", "handling": "handle", "guidance": "guide", "follow_up": "follow_up",
             "reassessment": "review", "approval": "review"}
APPROVAL_KINDS = {"downgrade": ("降级", "downgrade"), "closure": ("结案", "closure"),
                  "escalation": ("提请联席会商", "escalation")}


def evidence_rules(f) -> dict:
    """Per item, the condition "the round's records hold the evidence", over the columns of
    ``round_facts.facts`` (``f``); written with column operators only, so this module needs no SQL library."""
    watched = f.risk_code == "watch"  # a watched (关注) round is followed up only: no handling, no guidance
    return {
        "assessment": (f.initial > 0) & (f.reports >= 1),
        "handling": watched | ((f.handling_decided > 0) & (f.undelivered == 0) & (f.handling_chases_open == 0)),
        "guidance": watched | (f.plan_sessions.is_not(None) & (f.qualifying >= f.plan_sessions)
                               & (f.guidance_chases_open == 0) & (f.courses_met >= f.courses_required)),
        "follow_up": (f.visits_required.is_not(None) & (f.visits >= f.visits_required)
                      & (f.follow_up_chases_open == 0)),
        # the n-th assessment report documents the n-th assessment of the round
        "reassessment": (f.reassessments > 0) & (f.reports >= f.initial + f.reassessments),
        "approval": f.approval_needed.is_(None) | (f.approved > 0),
    }


@dataclass(frozen=True)
class RoundFacts:
    round_id: int
    case_id: int
    number: int
    status: str
    outcome: str | None
    risk_code: str | None
    started_at: datetime
    ended_at: datetime | None
    steps: dict | None
    initial: int
    reassessments: int
    reports: int
    served: int
    undelivered: int
    handling_decided: int
    handling_chases_explained: int
    handling_chases_open: int
    guidance_chases_explained: int
    guidance_chases_open: int
    follow_up_chases_explained: int
    follow_up_chases_open: int
    plan_sessions: int | None
    plan_min_minutes: int | None
    plan_period_days: int | None
    plan_drafted_at: datetime | None
    sessions: int
    minutes: int
    attended: int
    qualifying: int
    visits: int
    visits_required: int | None
    approval_needed: str | None
    approved: int
    approvals_pending: int
    ok: dict | None = None     # item → the evidence rule holds
    courses_required: int = 0  # parent-school course requirements of the plan (guardians to attend) …
    courses_met: int = 0       # … and how many have attended the hours required


@dataclass(frozen=True)
class Item:
    key: str
    status: str
    label: tuple[str, str]
    detail: tuple[str, str]


@dataclass(frozen=True)
class Checklist:
    round_id: int
    case_id: int
    number: int
    round_status: str
    outcome: str | None
    risk_code: str | None
    items: tuple[Item, ...]
    note: tuple[str, str] | None = None

    @property
    def complete(self) -> bool:
        return all(item.status in (MET, NOT_REQUIRED) for item in self.items)

    @property
    def ended(self) -> bool:
        return self.round_status != "running"

    def counts(self) -> dict[str, int]:
        return {status: sum(1 for i in self.items if i.status == status) for status in STATUSES}


# --- where a running round stands ------------------------------------------------------------------

def step_over(f: RoundFacts, step: str, now: datetime) -> bool:
    """The round has finished ``step`` (an ended round has finished them all). Steps run side by side, so
    this is what the round's own step times say, not the order of the steps."""
    if f.status != "running":
        return True
    times = (f.steps or {}).get(step)
    return bool(times and times.get("ended"))


def current_step(f: RoundFacts, now: datetime) -> str | None:
    """The first step of the procedure a running round has not finished (None once it has ended)."""
    if f.status != "running":
        return None
    for step in STEPS:
        if not step_over(f, step, now):
            return step
    return "review"


# --- the six items -----------------------------------------------------------------------------------

def _status(f: RoundFacts, key: str, now: datetime, ok: bool | None = None) -> str:
    ok = f.ok[key] if ok is None else ok
    if ok:
        return MET
    if f.status == "interrupted":
        return NOT_REQUIRED
    if not step_over(f, ITEM_STEP[key], now):
        return PENDING
    return MISSING


def _assessment(f, now):
    if f.ok["assessment"]:
        return _status(f, "assessment", now), ("初次评估及评估报告已在案", "Initial assessment and its report on record")
    lacking = _lacking(((f.initial == 0, ("初次评估", "the initial assessment")),
                        (f.reports == 0, ("评估报告", "the assessment report"))))
    return _status(f, "assessment", now), lacking


def _handling(f, now):
    if f.risk_code == "watch":
        return NOT_REQUIRED, ("关注个案无须处置", "A watched case needs no handling")
    # Before the step is over more documents may still be issued: only then can "all delivered" be met.
    ok = f.ok["handling"] and step_over(f, "handle", now)
    delivered = f.served - f.undelivered
    decided = ("处置决定已作出", "handling decided") if f.handling_decided else ("尚无处置决定", "no handling decision")
    served = ((f"送达文书 {delivered}/{f.served} 份已送达", f"{delivered} of {f.served} served documents delivered")
              if f.served else ("无须送达的文书", "no documents to serve"))
    detail = ((f"{decided[0]}；{served[0]}", f"{decided[1].capitalize()}; {served[1]}") if f.handling_decided
              else (decided[0], decided[1].capitalize()))
    return _chased(f, "handling", _status(f, "handling", now, ok), detail)


def _guidance(f, now):
    if f.risk_code == "watch":
        return NOT_REQUIRED, ("关注个案无须指导", "A watched case needs no guidance")
    if f.plan_sessions is None:
        return _status(f, "guidance", now), ("尚无指导方案", "No guidance plan yet")
    rate = round(100 * f.attended / f.sessions) if f.sessions else 0
    detail = (f"指导 {f.qualifying}/{f.plan_sessions} 次达标，共 {f.minutes} 分钟，监护人到场率 {rate}%",
              f"{f.qualifying} of {f.plan_sessions} qualifying sessions, {f.minutes} minutes in all, "
              f"guardian attended {rate}%")
    if f.courses_required:
        detail = (detail[0] + f"；家长学校课程 {f.courses_met}/{f.courses_required} 名监护人达到要求学时",
                  detail[1] + f"; parent-school courses: {f.courses_met} of {f.courses_required} guardian(s) "
                  "reached the hours required")
    return _chased(f, "guidance", _status(f, "guidance", now), detail)


def _follow_up(f, now):
    if f.visits_required is None:
        return _status(f, "follow_up", now), ("尚未赋码，回访次数未定", "Not coded yet: visits required unknown")
    detail = (f"回访 {f.visits}/{f.visits_required} 次", f"{f.visits} of {f.visits_required} visits")
    return _chased(f, "follow_up", _status(f, "follow_up", now), detail)


def _chased(f, key: str, status: str, detail: tuple[str, str]) -> tuple[str, tuple[str, str]]:
    """The item's chases in its detail; a chase no supervisor has answered makes a running round's item
    missing now (the lateness is unexplained)."""
    zh, en = detail
    explained, unanswered = getattr(f, f"{key}_chases_explained"), getattr(f, f"{key}_chases_open")
    if explained:
        zh, en = zh + f"；督办 {explained} 件已答复", en + f"; {explained} chase(s) answered"
    if unanswered:
        zh, en = zh + f"；督办 {unanswered} 件未答复", en + f"; {unanswered} chase(s) unanswered"
        if f.status == "running":
            return MISSING, (zh, en)
    return status, (zh, en)


def _reassessment(f, now):
    if f.ok["reassessment"]:
        return _status(f, "reassessment", now), ("复评及评估报告已在案", "Re-assessment and its report on record")
    lacking = _lacking(((f.reassessments == 0, ("复评", "the re-assessment")),
                        (f.reports < f.initial + f.reassessments or f.reassessments == 0,
                         ("复评报告", "its report"))))
    return _status(f, "reassessment", now), lacking


def _approval(f, now):
    if f.status == "running":
        return PENDING, ("轮次尚未结束", "The round has not ended")
    if f.status == "interrupted":
        return NOT_REQUIRED, ("本轮因新情况升级而中止", "Stopped by a new incident")
    if f.approval_needed is None:
        return NOT_REQUIRED, ("本轮结果无需审批", "This outcome needs no approval")
    kind = APPROVAL_KINDS.get(f.approval_needed, (f.approval_needed, f.approval_needed))
    if f.ok["approval"]:
        return MET, (f"{kind[0]}审批已批准", f"{kind[1].capitalize()} approved")
    waiting = ("（有待审批的申请）", " (a request is waiting)") if f.approvals_pending else ("", "")
    return MISSING, (f"缺少已批准的{kind[0]}审批{waiting[0]}", f"No approved {kind[1]} on record{waiting[1]}")


def _lacking(checks) -> tuple[str, str]:
    names = [name for absent, name in checks if absent]
    if not names:
        return ("证据已在案", "Evidence on record")
    return ("未在案：" + "、".join(n[0] for n in names), "Not on record: " + ", ".join(n[1] for n in names))


RULES = {"assessment": _assessment, "handling": _handling, "guidance": _guidance, "follow_up": _follow_up,
         "reassessment": _reassessment, "approval": _approval}


def evaluate(f: RoundFacts, now: datetime) -> Checklist:
    """The checklist of one round from its facts (pure: no database)."""
    items = []
    for key, rule in RULES.items():
        status, detail = rule(f, now)
        if f.status == "interrupted" and key != "approval" and status != MET:
            status, detail = NOT_REQUIRED, (f"本轮中止，不再要求（{detail[0]}）", f"No longer required ({detail[1]})")
        items.append(Item(key, status, ITEMS[key], detail))
    note = (("本轮因新情况升级而中止：未完成的项目不再要求。",
             "This round was stopped by a new incident (upgrade): unmet items are no longer required.")
            if f.status == "interrupted" else None)
    return Checklist(f.round_id, f.case_id, f.number, f.status, f.outcome, f.risk_code, tuple(items), note)
