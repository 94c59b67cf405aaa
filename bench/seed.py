"""Seed a municipality's worth of cases: N realistic cases, with their whole history, through the engine.

    python -m bench.seed --database-url postgresql://postgres@127.0.0.1:5432/guardloop_bench --cases 100000
    python -m bench.seed --cases 2000                  # SQLite in instance/bench.db

How: first a few dozen *template* cases are driven through the real services, as the people who do the
work, with the steps of ``engine.demo.cases`` (Procedure v2: every code, every step of the round, referrals
decided, orders drafted, approved and delivered, compliance checks, sessions and visits recorded as they
happen, chases answered, closures, downgrades with a next round, escalations to a joint meeting with
temporary guardianship, upgrades after a new incident), in district 江北区. Then
``bench.bulk.CaseCopier`` writes N copies spread over the districts of the seeds, each a new child with
new guardians, numbers, ids and dates, in the district's offices and with its people: open cases end
within the last days before now (so their timers and due dates are current), closed cases anywhere in
the last three years. The mix (codes, steps, districts, family types) is in the tables below.

Prints how long each phase took and the rows written; ``--json`` writes the same figures.
"""
import argparse
import json
import random
import re
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select, text  # noqa: E402

from engine import services
from engine.demo import cases as demo
from engine.rules import passwords  # noqa: E402
from engine.infra.bootstrap import DEMO_PASSWORD, DEMO_USERS, init  # noqa: E402
from bench.bulk import CaseCopier, load_template  # noqa: E402
from engine.infra.workers import chain_views  # noqa: E402
from engine.workflow.clock import clock  # noqa: E402
from engine.context import GuardLoop  # noqa: E402
from engine.models import (  # noqa: E402
    Agency, AuditEntry, Case, District, DocumentRecord, Round, TaskRecord, User, WorkItem,
)
from engine.demo.scenario import Driver, scores  # noqa: E402
from engine.services.timers import _fire_isolated as fire_round  # noqa: E402  (one round; tick fires them all)
from engine.infra.settings import Settings  # noqa: E402

WF, COUNSELLOR, SUPERVISOR = "wf_caseworker", "wf_counsellor", "wf_supervisor"

# Assessment total and factors that give each code, the caseworker's proposal (Procedure v2: her own measures,
# the measures referred to the procuratorate, court or police, a request for temporary care by civil affairs),
# the orders those referrals become, and the sessions of the guidance plan.
PROFILE = {
    "red": {"score": 28, "factors": ["violence_abuse"], "case_type": "minor_victim",
            "propose": {"measure_notify": True, "refer_supervision_order": True, "refer_reprimand": True,
                        "reprimand_issuer": "police", "measure_care": True},
            "orders": ("supervision_order", "reprimand"), "sessions": 4},
    "orange": {"score": 18, "factors": ["serious_failure"], "case_type": "family_case",
               "propose": {"measure_notify": True, "refer_guidance_order": True},
               "orders": ("guidance_order",), "sessions": 4},
    "yellow": {"score": 14, "factors": ["truancy"], "case_type": "general",
               "propose": {"measure_notify": True, "measure_admonish": True}, "orders": (), "sessions": 3},
    "blue": {"score": 4, "factors": ["special_family"], "case_type": "general",
             "propose": {"measure_notify": True}, "orders": (), "sessions": 2},
}
LOWER = {"red": 18, "orange": 14, "yellow": 4, "blue": 3}     # a re-assessment one code lower (blue: stable)
CODE_WEIGHTS = {"red": 5, "orange": 15, "yellow": 35, "blue": 45}
# Where an open case stands (template stage) and how often; closed cases are the rest.
OPEN_STAGES = {"assess": 8, "handle": 5, "order_approval": 2, "delivery": 2, "guide": 25, "follow_up": 28,
               "review": 6, "approval": 4, "next_round": 14, "escalated": 3, "upgraded": 3}
CLOSED_SHARE = 0.35
DISTRICT_WEIGHTS = {"JB": 9, "YZ": 7, "GX": 5, "SPB": 9, "WZ": 8, "DDK": 4, "YB": 10, "BN": 7, "JJ": 7, "NC": 4,
                    "DZ": 4, "BS": 4, "TL": 4, "LP": 4, "WL": 2, "CK": 2, "FD": 3, "YY": 5, "XS": 3}
SETTLE_DAYS = 200   # the longest a round waits for its review, in days


# --- templates: cases driven through the services ------------------------------------------------

class Story:
    """One case walked through rounds as the people involved (the steps of ``engine.demo.cases``); ``stop`` names
    where the walk ends."""

    def __init__(self, dr: Driver, code: str, index: int):
        self.dr, self.code, self.p = dr, code, PROFILE[code]
        clue = services.register_clue(dr.gl, dr.actor("teacher"), {
            "source": "school", "reporter_name": "班主任", "mandatory_report": True, "received_at": dr.today(),
            "description": "学生近期状况异常，家长联系困难。", "family_types": ["left_behind"],
            "risk_factors": self.p["factors"], "child_name": f"模板{index:03d}", "child_sex": "F",
            "child_birth_date": "2013-05-01", "child_school": "江北区某小学",
            "guardians": [{"name": "监护人", "relation": "mother", "is_guardian": True},
                          {"name": "祖母", "relation": "grandparent", "is_guardian": False}]})
        self.case = services.open_case(dr.gl, dr.actor(WF), clue, {"case_type": self.p["case_type"]})

    def do(self, who, spec, data, measure=None):
        self.dr.do(who, self.case, spec, data, measure=measure)

    def wait(self, days: float) -> None:
        """Time passes for this case: each of its timers fires at its own due time, as a scheduler running
        all along fires it (one tick at the end, as ``Driver.advance`` does, would fire a repeating chase
        timer's missed turns at once). Only this case's rounds: the other templates' timers would otherwise
        fire all through every later template's story."""
        moment, gl = clock.now() + timedelta(days=days), self.dr.gl
        for _ in range(10_000):
            with gl.reading() as session:
                due = session.execute(select(Round.id, Round.next_timer_at).where(
                    Round.case_id == self.case, Round.status == "running", Round.next_timer_at.is_not(None))
                    .order_by(Round.next_timer_at).limit(1)).first()
            if due is None or due.next_timer_at >= moment:
                break
            clock.set(max(due.next_timer_at + timedelta(seconds=1), clock.now()))  # fired once strictly past due
            if not fire_round(gl, due.id, clock.now()):
                raise RuntimeError(f"case {self.case}: round {due.id} did not fire")
        clock.set(moment)

    def open_specs(self) -> set[str]:
        return {item.task_spec for item in self.dr.open_items(self.case)}

    def assess(self, total=None, factors=None):
        self.do(WF, "social_investigation", {"findings": "入户走访，了解监护状况。", "investigated_on": self.dr.today(),
                                             "sources": "入户走访、学校、社区"})
        self.do(WF, "scored_assessment", {**scores(self.p["score"] if total is None else total),
                                          "risk_factors": self.p["factors"] if factors is None else factors,
                                          "summary": "评估完成。"})
        if "safety_contact" in self.open_specs():   # a red code: the child is seen within the time limit
            self.do(WF, "safety_contact", {"contacted_on": self.dr.today(), "method": "home_visit",
                                           "child_seen": True, "child_safe": True, "findings": "见到儿童，暂时安全。"})

    def order_fields(self, measure: str) -> dict:
        fields = {"duties": "按时接送，接受指导，每月报告。", "deadline": (clock.today() + timedelta(days=60)).isoformat()}
        if measure == "guidance_order":
            fields.update(provider_id=self.dr.provider_id(), content="亲职教育", sessions=4, session_interval_days=14,
                          period_days=60)
        if measure == "reprimand":
            fields.update(reprimanded_on=self.dr.today())
        return fields

    def handle(self, stop):
        if stop == "handle":
            return stop
        self.do(WF, "propose_measures", {**self.p["propose"], "reason": "按风险等级处置。"})
        if stop == "handle_done":
            return stop
        if self.p["propose"].get("measure_notify"):
            demo._notify(self.dr, self.case)
        if self.p["propose"].get("measure_admonish"):
            self.do(WF, "admonish_guardian", {"admonished_on": self.dr.today(), "content": "劝诫监护人。"})
        if self.p["propose"].get("measure_care"):
            self.do("civil_affairs", "decide_care", {"decision": "accept"})
            self.do("civil_affairs", "arrange_temporary_care", {
                "placement": "kinship", "started_on": self.dr.today(), "details": "由祖母照护，民政临时监护。",
                "temporary_guardianship": True, "guardian_ids": [self.dr.guardian_id(self.case, "监护人")]})
        for measure in self.p["orders"]:   # the issuer accepts, drafts; the head approves; the officer delivers
            officer, head = demo.OFFICER[demo.ISSUER[measure]]
            demo._decide(self.dr, self.case, measure)
            self.do(officer, "draft_order", {"action": "submit", "failings": "监护人疏于照料。",
                                             **self.order_fields(measure)}, measure=measure)
            if stop == "order_approval":
                return stop
            self.do(head, "approve_order", {"decision": "approved", "reason": "同意签发。"}, measure=measure)
            if stop == "delivery":
                return stop
            demo._deliver(self.dr, self.case, measure, method="in_person")
        return None

    def guide_and_follow_up(self, stop):
        """The plan, then sessions and visits as they happen, one of each every visit interval (the steps run
        side by side in v2): ``guide`` stops half-way, ``follow_up`` with the last visit outstanding."""
        gl, sessions = self.dr.gl, self.p["sessions"]
        self.do(WF, "draft_guidance_plan", {"provider_id": self.dr.provider_id(), "sessions_required": sessions,
                                            "min_minutes": 40, "period_days": 180, "goals": "提升监护能力。"})
        with gl.reading() as session:
            schedule = gl.runtime(session, gl.current_version(session)).decide("followup_schedule",
                                                                               {"risk_code": self.code})
        interval = int(schedule["visit_interval"].strip('"')[1:-1])
        visits = int(schedule["visits_required"])
        for n in range(max(sessions, visits)):
            self.wait(interval)
            while self.due_work():
                pass
            if n < sessions:
                self.dr.session(COUNSELLOR, self.case, notes="亲子沟通指导。")
            if stop == "follow_up" and n == visits - 1:
                return stop
            if n < visits:
                self.dr.visit(WF, self.case, findings="家庭状况趋于稳定。")
            if stop == "guide" and n == (sessions - 1) // 2:
                return stop
        return None

    def due_work(self) -> bool:
        """One task that came up meanwhile, done as its people would: the court's reconsideration window
        passes without an application, the issuer finds an order complied with when its check falls due.
        False when there is none."""
        for item in self.dr.open_items(self.case):
            measure = self.dr.measure_of(item)
            if item.task_spec == "handle_objection":
                self.do("court_supervisor", "handle_objection", {"applied": False}, measure=measure)
                return True
            if item.task_spec == "compliance_check" and item.due_at and item.due_at <= clock.now():
                demo._check(self.dr, self.case, measure)
                return True
        return False

    def settle(self):
        """Until the review is due: the work that comes up done; then the supervisors answer the round's
        chases (the closed-loop checklist wants them explained)."""
        for _ in range(SETTLE_DAYS):
            if "reassess" in self.open_specs():
                demo._answer_chases(self.dr, self.case)
                return
            if not self.due_work():
                self.wait(1)
        raise RuntimeError(f"case {self.case}: no re-assessment after {SETTLE_DAYS} days: {self.open_specs()}")

    def round(self, stop, outcome):
        """One round; returns the stage it stopped at, or None when it ran to ``outcome``."""
        if stop == "assess":
            return stop
        self.assess()
        for part in (self.handle, self.guide_and_follow_up):
            if part(stop):
                return stop
        self.settle()
        if stop == "review":
            return stop
        lower = outcome in ("downgrade", "close")
        self.do(WF, "reassess", {**scores(LOWER[self.code] if lower else self.p["score"]),
                                 "risk_factors": [] if lower else self.p["factors"], "summary": "复评。"})
        outcome = outcome or "another_round"
        self.do(WF, "decide_outcome", {"outcome": outcome, "reason": "证据完整，申请审批。"})
        if outcome == "another_round":
            return None
        if stop == "approval":
            return stop
        task = {"downgrade": "approve_downgrade", "close": "approve_closure", "escalate": "approve_escalation"}[outcome]
        self.do(SUPERVISOR, task, {"decision": "approved", "reason": "同意。"})
        if outcome == "escalate":
            self.do("prosecutor", "joint_meeting", {"held_on": self.dr.today(), "minutes": "联席会商。",
                                                    "attendees": ["police", "procuratorate", "court"],
                                                    "temporary_guardianship": True})
            self.do("civil_affairs", "arrange_temporary_guardianship", {
                "placement": "institution", "started_on": self.dr.today(), "details": "入住区儿童福利机构。",
                "guardian_ids": [self.dr.guardian_id(self.case, "监护人")]})
        return None


def build_template(dr: Driver, code: str, stage: str, index: int) -> int:
    """A case of ``code`` standing at ``stage`` (or ``closed``), driven through the services."""
    story = Story(dr, code, index)
    if stage == "closed":
        if code != "blue":
            story.round(None, "downgrade")
            story.code = {"red": "orange", "orange": "yellow", "yellow": "blue"}[code]
            story.p = {**PROFILE[story.code], "case_type": PROFILE[code]["case_type"]}
            while story.code != "blue":
                story.round(None, "downgrade")
                story.code = {"orange": "yellow", "yellow": "blue"}[story.code]
                story.p = {**PROFILE[story.code], "case_type": PROFILE[code]["case_type"]}
        story.round(None, "close")
    elif stage == "next_round":
        story.round(None, "downgrade" if code != "blue" else "another_round")
        story.code = {"red": "orange", "orange": "yellow", "yellow": "blue", "blue": "blue"}[code]
        story.p = {**PROFILE[story.code], "case_type": PROFILE[code]["case_type"]}
        story.round("guide", None)
    elif stage == "escalated":
        story.round(None, "escalate")
        story.round("handle_done", None)
    elif stage == "upgraded":
        story.round("follow_up", None)
        higher = {"blue": "yellow", "yellow": "orange", "orange": "red", "red": "red"}[code]
        if higher != code:   # an ad-hoc visit finds a new incident; the caseworker weighs it and upgrades
            dr.visit(WF, story.case, kind="ad_hoc", findings="发现儿童身上有新伤。", new_incident=True)
            story.do(WF, "review_incident", {"decision": "upgrade", "code": higher, "reason": "新发事件。"})
    else:
        outcome = "close" if code == "blue" else "downgrade"
        story.round(stage, outcome)
    return story.case


def stages_for(code: str) -> list[str]:
    stages = [s for s in OPEN_STAGES if not (s in ("order_approval", "delivery") and code in ("yellow", "blue"))]
    return stages + ["closed"]


# --- the copies ----------------------------------------------------------------------------------

# A repeating (cycle) timer keeps its next moment inside a dict; ``bench.bulk`` moves only plain timer values
CYCLE_NEXT = re.compile(r'("event_value": \{[^{}]*?"next": ")([^"]+)(")')


def copy_case(copier: CaseCopier, template, district_id: int, shift: timedelta) -> int:
    """``copier.copy``, and the next moment of every repeating timer (v2's chase timers) in the copied rounds'
    states moved by ``shift`` too, as the copier moves ``next_timer_at`` (a workaround until bench.bulk does
    it: otherwise the stored ``next_timer_at`` and the state disagree)."""
    before = len(copier.pending["round"])
    case_id = copier.copy(template, district_id, shift)
    for row in copier.pending["round"][before:]:
        row["state"] = CYCLE_NEXT.sub(lambda m: m.group(1) + (datetime.fromisoformat(m.group(2)) + shift)
                                      .isoformat() + m.group(3), row["state"])
    return case_id

def seed_people(gl) -> int:
    """The demo's people (every role of every agency) in every district, signed in with the demo password."""
    hashed = passwords.hash_password(DEMO_PASSWORD)
    added = 0
    with gl.transaction() as session:
        agencies = dict(session.execute(select(Agency.code, Agency.id)).all())
        known = set(session.scalars(select(User.username)))
        for district in session.scalars(select(District)):
            if district.code == "JB":
                continue
            for username, name, agency, role, _ in DEMO_USERS:
                login = f"{district.code.lower()}.{username}"
                if role == "admin" or login in known:
                    continue
                session.add(User(username=login, display_name=f"{district.name_zh}·{name.split('·')[-1]}",
                                 password_hash=hashed, role=role, agency_id=agencies[agency],
                                 district_id=district.id, created_at=clock.now()))
                added += 1
    return added


def plan_copies(n: int, templates: dict, rng: random.Random) -> list[tuple]:
    """(template key, district code, closed?) for every copy, by the mix tables above."""
    codes, stages = list(CODE_WEIGHTS), list(OPEN_STAGES)
    districts = list(DISTRICT_WEIGHTS)
    out = []
    for _ in range(n):
        code = rng.choices(codes, weights=list(CODE_WEIGHTS.values()))[0]
        if rng.random() < CLOSED_SHARE:
            stage = "closed"
        else:
            stage = rng.choices(stages, weights=list(OPEN_STAGES.values()))[0]
            if (code, stage) not in templates:
                stage = "guide"
        out.append(((code, stage), rng.choices(districts, weights=list(DISTRICT_WEIGHTS.values()))[0]))
    return out


def shift_for(template_end: datetime, closed: bool, now: datetime, rng: random.Random) -> timedelta:
    """Open cases end within the last days (their timers and due dates stay current); closed cases end
    anywhere in the last three years."""
    back = timedelta(days=rng.uniform(30, 3 * 365)) if closed else timedelta(hours=rng.uniform(1, 7 * 24))
    return (now - back) - template_end


def run(args) -> dict:
    started = time.perf_counter()
    rng = random.Random(args.seed)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    url = args.database_url or f"sqlite:///{ROOT / 'instance' / 'bench.db'}"
    gl = GuardLoop(Settings(database_url=url, verify_base_url=args.verify_base_url, demo_mode=True))
    figures = {"database": gl.engine.url.render_as_string(hide_password=True), "cases_requested": args.cases,
               "seed": args.seed}
    init(gl, with_demo_users=True)
    figures["people_added"] = seed_people(gl)
    dr = Driver(gl)

    # templates: every code at every stage, driven through the services from 800 days ago (the longest
    # story, red down to blue and closed, takes some 600 days)
    t0 = time.perf_counter()
    templates = {}
    index = 0
    for code in CODE_WEIGHTS:
        for stage in stages_for(code):
            clock.set(now - timedelta(days=800))
            case_id = build_template(dr, code, stage, index)
            chain_views(gl)   # the template's views were staged: chained, they are copied with it
            with gl.reading() as session:
                templates[(code, stage)] = (load_template(session, case_id), clock.now())
            index += 1
    clock.reset()
    figures["templates"] = len(templates)
    figures["templates_seconds"] = round(time.perf_counter() - t0, 1)
    print(f"[seed] {len(templates)} templates driven through the services in {figures['templates_seconds']} s",
          file=sys.stderr)

    # copies, in batches of one transaction each
    t1 = time.perf_counter()
    plan = plan_copies(args.cases, templates, rng)
    rows = 0
    with gl.reading() as session:
        district_ids = dict(session.execute(select(District.code, District.id)).all())
        copier = CaseCopier(session, rng)
    for start in range(0, len(plan), args.batch):
        for key, district in plan[start:start + args.batch]:
            template, ended = templates[key]
            copy_case(copier, template, district_ids[district], shift_for(ended, key[1] == "closed", now, rng))
        with gl.transaction() as session:
            rows += copier.write(session)
        done = min(start + args.batch, len(plan))
        if done % (args.batch * 10) == 0 or done == len(plan):
            rate = done / (time.perf_counter() - t1)
            print(f"[seed] {done:,} copies, {rows:,} rows ({rate:,.0f} cases/s)", file=sys.stderr)
    figures["copy_seconds"] = round(time.perf_counter() - t1, 1)
    figures["rows_written"] = rows
    if gl.engine.dialect.name == "postgresql":
        t2 = time.perf_counter()
        with gl.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
        figures["analyze_seconds"] = round(time.perf_counter() - t2, 1)
    with gl.reading() as session:
        figures["counts"] = {m.__tablename__: session.scalar(select(func.count()).select_from(m)) for m in
                             (Case, Round, WorkItem, TaskRecord, DocumentRecord, AuditEntry)}
    figures["total_seconds"] = round(time.perf_counter() - started, 1)
    gl.engine.dispose()
    return figures


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="default: SQLite at instance/bench.db")
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=500, help="copies per transaction")
    parser.add_argument("--seed", type=int, default=20261202, help="random seed (the same seed, the same data)")
    parser.add_argument("--verify-base-url", default="http://127.0.0.1:5000")
    parser.add_argument("--json", help="write the figures as JSON to this path")
    args = parser.parse_args(argv)
    figures = run(args)
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
