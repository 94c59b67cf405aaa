"""Seed a municipality's worth of cases: N realistic cases, with their whole history, through the engine.

    python -m bench.seed --database-url postgresql://postgres@127.0.0.1:5432/guardloop_bench --cases 100000
    python -m bench.seed --cases 2000                  # SQLite in instance/bench.db

How: first a few dozen *template* cases are driven through the real services, as the people who do the
work (every code, every step of the round, approvals, returns, closures, downgrades with a next round,
escalations with rigid orders, upgrades, overdue visits and chases), in district 江北区. Then
``engine.bulk.CaseCopier`` writes N copies spread over the districts of the seeds, each a new child with
new guardians, numbers, ids and dates, in the district's offices and with its people: open cases end
within the last days before now (so their timers and due dates are current), closed cases anywhere in
the last three years. The mix (codes, steps, districts, family types) is in the tables below.

Prints how long each phase took and the rows written; ``--json`` writes the same figures.
"""
import argparse
import json
import random
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select, text  # noqa: E402

from engine import passwords, services  # noqa: E402
from engine.bootstrap import DEMO_PASSWORD, DEMO_USERS, init  # noqa: E402
from engine.bulk import CaseCopier, load_template  # noqa: E402
from engine.workers import chain_views  # noqa: E402
from engine.clock import clock  # noqa: E402
from engine.context import GuardLoop  # noqa: E402
from engine.models import (  # noqa: E402
    Agency, AuditEntry, Case, District, DocumentRecord, Round, TaskRecord, User, WorkItem,
)
from engine.scenario import Driver, scores  # noqa: E402
from engine.settings import Settings  # noqa: E402

WF, COUNSELLOR, SUPERVISOR = "wf_caseworker", "wf_counsellor", "wf_supervisor"
ON_THE_SPOT = {"delivery_method": "in_person", "recipient": "监护人本人", "signed": True}

# Assessment total and factors that give each code, and the handling each code gets.
PROFILE = {
    "red": {"score": 28, "factors": ["violence_abuse"], "case_type": "minor_victim",
            "measures": ("notify", "reprimand", "procuratorate_order", "civil_affairs"), "sessions": 4},
    "orange": {"score": 18, "factors": ["serious_failure"], "case_type": "family_case",
               "measures": ("notify", "court_order"), "sessions": 4},
    "yellow": {"score": 14, "factors": ["truancy"], "case_type": "general", "measures": ("notify", "admonish"),
               "sessions": 3},
    "blue": {"score": 4, "factors": ["special_family"], "case_type": "general", "measures": ("notify",),
             "sessions": 2},
}
LOWER = {"red": 18, "orange": 14, "yellow": 4, "blue": 3}     # a re-assessment one code lower (blue: stable)
CODE_WEIGHTS = {"red": 5, "orange": 15, "yellow": 35, "blue": 45}
# Where an open case stands (template stage) and how often; closed cases are the rest.
OPEN_STAGES = {"assess": 8, "handle": 5, "order_approval": 2, "delivery": 2, "guide": 25, "follow_up": 28,
               "review": 6, "approval": 4, "next_round": 14, "escalated": 3, "upgraded": 3}
CLOSED_SHARE = 0.35
DISTRICT_WEIGHTS = {"JB": 9, "YZ": 7, "GX": 5, "SPB": 9, "WZ": 8, "DDK": 4, "YB": 10, "BN": 7, "JJ": 7, "NC": 4,
                    "DZ": 4, "BS": 4, "TL": 4, "LP": 4, "WL": 2, "CK": 2, "FD": 3, "YY": 5, "XS": 3}


# --- templates: cases driven through the services ------------------------------------------------

class Story:
    """One case walked through rounds as the people involved; ``stop`` names where the walk ends."""

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

    def do(self, who, spec, data):
        self.dr.do(who, self.case, spec, data)

    def assess(self, total=None, factors=None):
        self.do(WF, "social_investigation", {"findings": "入户走访，了解监护状况。", "investigated_on": self.dr.today()})
        self.do(WF, "scored_assessment", {**scores(self.p["score"] if total is None else total),
                                          "risk_factors": self.p["factors"] if factors is None else factors,
                                          "summary": "评估完成。"})

    def handle(self, stop):
        measures = self.p["measures"]
        self.do(WF, "decide_handling", {**{f"measure_{m}": True for m in measures}, "reason": "按风险等级处置。"})
        if stop == "handle_done":
            return "handle"
        for m, who, spec, approver, deliver, deliverer in (
                ("procuratorate_order", "prosecutor", "issue_procuratorate_order", "pro_supervisor",
                 "deliver_procuratorate_order", "prosecutor"),
                ("court_order", "judge", "issue_court_order", "court_supervisor", "deliver_court_order",
                 "court_clerk")):
            if m in measures:
                extra = {"provider_id": self.dr.provider_id(), "sessions": 4} if m == "court_order" else {}
                self.do(who, spec, {"failings": "监护人疏于照料。", "duties": "按时接送，接受指导，每月报告。",
                                    "deadline": (clock.today() + timedelta(days=30)).isoformat(), **extra})
                if stop == "order_approval":
                    return stop
                services.approve(self.dr.gl, self.dr.actor(approver), self.case, "approved", "同意签发。",
                                 self.dr.version(self.case))
                if stop == "delivery":
                    return stop
                self.do(deliverer, deliver, {"method": "in_person", "delivered_on": self.dr.today(),
                                             "recipient": "监护人本人", "signed": True})
        if "notify" in measures:
            self.do(WF, "notify_guardian", {"notified_on": self.dr.today(), "content": "告知家庭教育责任。", **ON_THE_SPOT})
        if "admonish" in measures:
            self.do(WF, "admonish_guardian", {"admonished_on": self.dr.today(), "content": "劝诫监护人。"})
        if "reprimand" in measures:
            self.do("police", "reprimand_guardian", {"reprimanded_on": self.dr.today(), "failings": "疏于照料。",
                                                     **ON_THE_SPOT})
        if "civil_affairs" in measures:
            self.do("civil_affairs", "refer_civil_affairs", {"accepted_on": self.dr.today(), "measures": "儿童主任探访。"})
        return None

    def guide(self, stop):
        sessions = self.p["sessions"]
        self.do(WF, "draft_guidance_plan", {"provider_id": self.dr.provider_id(), "sessions_required": sessions,
                                            "min_minutes": 40, "period_days": 180, "goals": "提升监护能力。"})
        for n in range(sessions):
            self.dr.advance(20)
            self.do(COUNSELLOR, "record_guidance_session", {
                "kind": "case_guidance", "held_on": self.dr.today(), "minutes": 60, "guardian_attended": True,
                "notes": "亲子沟通指导。"})
            if stop == "guide" and n == sessions // 2:
                return stop
        return None

    def follow_up(self, stop):
        gl = self.dr.gl
        with gl.reading() as session:
            schedule = gl.runtime(session, gl.current_version(session)).decide("followup_schedule",
                                                                               {"risk_code": self.code})
        interval = int(schedule["visit_interval"][1:-1])
        for n in range(schedule["visits_required"]):
            self.dr.advance(interval + 0.1)
            self.do(WF, "record_followup_visit", {"method": "home_visit", "visited_on": self.dr.today(),
                                                  "findings": "家庭状况趋于稳定。", "orders_complied": True})
            if stop == "follow_up" and n == 0:
                return stop
        return None

    def round(self, stop, outcome):
        """One round; returns the stage it stopped at, or None when it ran to ``outcome``."""
        if stop == "assess":
            return stop
        self.assess()
        for part in (self.handle, self.guide, self.follow_up):
            if part(stop):
                return stop
        if stop == "review":
            return stop
        lower = outcome in ("downgrade", "close")
        self.do(WF, "reassess", {**scores(LOWER[self.code] if lower else self.p["score"]),
                                 "risk_factors": [] if lower else self.p["factors"], "summary": "复评。"})
        request = {"downgrade": services.request_downgrade, "close": services.request_closure,
                   "escalate": services.escalate}.get(outcome)
        if request is None:
            self.do(WF, "decide_outcome", {"outcome": "another_round", "reason": "继续干预。"})
            return None
        request(self.dr.gl, self.dr.actor(WF), self.case, "证据完整，申请审批。", self.dr.version(self.case))
        if stop == "approval":
            return stop
        services.approve(self.dr.gl, self.dr.actor(SUPERVISOR), self.case, "approved", "同意。",
                         self.dr.version(self.case))
        if outcome == "escalate":
            self.do("prosecutor", "joint_meeting", {"held_on": self.dr.today(), "minutes": "联席会商。",
                                                    "attendees": ["police", "procuratorate", "court"],
                                                    "temporary_guardianship": True})
            self.do("civil_affairs", "arrange_temporary_guardianship", {"started_on": self.dr.today(),
                                                                        "placement": "临时监护。"})
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
        if higher != code:
            services.upgrade_on_incident(dr.gl, dr.actor(WF), story.case,
                                         {"code": higher, "reason": "新发事件。"}, dr.version(story.case))
    else:
        outcome = "close" if code == "blue" else "downgrade"
        story.round(stage, outcome)
    return story.case


def stages_for(code: str) -> list[str]:
    stages = [s for s in OPEN_STAGES if not (s in ("order_approval", "delivery") and code in ("yellow", "blue"))]
    return stages + ["closed"]


# --- the copies ----------------------------------------------------------------------------------

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
            copier.copy(template, district_ids[district], shift_for(ended, key[1] == "closed", now, rng))
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
