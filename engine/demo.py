"""``guardloop demo``: realistic cases on every path, driven through the service layer over simulated time.

Each story is a generator that does a few steps as the people involved and then yields how many days
pass before its next steps. A small scheduler interleaves the stories on the injectable clock and fires
timers as time passes, so dates, due dates and overdue items are what they would be in real use.
"""
import heapq
from datetime import timedelta

from sqlalchemy import func, select

from . import services
from .clock import clock
from .models import Case, Round
from .scenario import Driver, scores

WF, COUNSELLOR, SUPERVISOR = "wf_caseworker", "wf_counsellor", "wf_supervisor"


def _clue(dr, reporter_user, source, child, description, factors, family_types, guardians, **extra):
    data = {"source": source, "reporter_name": extra.pop("reporter_name", "报告人"), "mandatory_report":
            source in ("school", "hospital"), "received_at": dr.today(), "description": description,
            "family_types": family_types, "risk_factors": factors, "guardians": guardians, **child, **extra}
    return services.register_clue(dr.gl, dr.actor(reporter_user), data)


def _assess(dr, case, total, factors, summary):
    dr.do(WF, case, "social_investigation", {"findings": summary, "investigated_on": dr.today(),
                                             "sources": "入户走访、学校、社区"})
    dr.do(WF, case, "scored_assessment", {**scores(total), "risk_factors": factors, "summary": summary})


def _plan(dr, case, sessions, period_days=180):
    dr.do(WF, case, "draft_guidance_plan", {"provider_id": dr.provider_id(), "sessions_required": sessions,
                                            "min_minutes": 40, "period_days": period_days,
                                            "goals": "提升监护意识与家庭教育能力，改善亲子关系。"})


def _session(dr, case, attended=True, kind="case_guidance", minutes=60):
    dr.do(COUNSELLOR, case, "record_guidance_session", {"kind": kind, "held_on": dr.today(), "minutes": minutes,
                                                        "guardian_attended": attended,
                                                        "notes": "围绕亲子沟通开展指导。"})


def _visit(dr, case, findings="家庭状况稳定，监护人履行职责。", complied=True):
    dr.do(WF, case, "record_followup_visit", {"method": "home_visit", "visited_on": dr.today(),
                                              "findings": findings, "orders_complied": complied})


APPROVER = {"prosecutor": "pro_supervisor", "judge": "court_supervisor"}
ON_THE_SPOT = {"delivery_method": "in_person", "recipient": "监护人本人", "signed": True}


def _order(dr, case, who, spec, deliver_spec, deliverer, returned=None, **fields):
    """The officer drafts the order, the head of department approves it (after one return, if ``returned``
    gives the reason), then it is delivered."""
    deadline = (clock.today() + timedelta(days=30)).isoformat()
    draft = {"failings": "监护人长期疏于照料，放任未成年人夜不归宿。",
             "duties": "每日接送并照料生活，按时参加家庭教育指导，每月报告履职情况。", "deadline": deadline, **fields}
    dr.do(who, case, spec, draft)
    if returned:
        services.approve(dr.gl, dr.actor(APPROVER[who]), case, "returned", returned, dr.version(case))
        dr.do(who, case, spec, {**draft, "duties": draft["duties"] + "每月 5 日前向承办人书面报告。"})
    services.approve(dr.gl, dr.actor(APPROVER[who]), case, "approved", "同意签发。", dr.version(case))
    if deliver_spec:
        dr.do(deliverer, case, deliver_spec, {"method": "announced", "delivered_on": dr.today(),
                                              "recipient": "监护人本人", "signed": True})


def _followup(dr, case, visits, interval_days):
    for _ in range(visits):
        yield interval_days + 1
        _visit(dr, case)


def story_red_escalated(dr, out):
    clue = _clue(dr, "police", "police", {"child_name": "陈小雨", "child_sex": "F", "child_birth_date": "2014-04-12",
                 "child_id_number": "500105201404120022", "child_school": "江北区某小学",
                 "child_address": "江北区观音桥街道"}, "邻居报警：儿童身上多处伤痕，父亲酗酒后殴打。",
                 ["violence_abuse"], ["single_parent"], [{"name": "陈某", "relation": "father", "is_guardian": True}])
    case = services.open_case(dr.gl, dr.actor("prosecutor"), clue, {"case_type": "minor_victim"})
    out.append((case, "红码：督促监护令、训诫、转介民政；复评仍为红码，提请联席会商，发出刚性指导令与督促监护令并临时监护"))
    yield 1
    _assess(dr, case, 28, ["violence_abuse"], "父亲酗酒后多次殴打儿童，儿童处于现实危险。")
    dr.do(WF, case, "decide_handling", {"measure_notify": True, "measure_reprimand": True,
                                        "measure_procuratorate_order": True, "measure_civil_affairs": True,
                                        "reason": "红码：家庭暴力，需刚性干预。"})
    dr.do(WF, case, "notify_guardian", {"notified_on": dr.today(), "content": "告知家庭教育主体责任。", **ON_THE_SPOT})
    dr.do("police", case, "reprimand_guardian", {"reprimanded_on": dr.today(), "failings": "殴打未成年子女。",
                                                 **ON_THE_SPOT})
    _order(dr, case, "prosecutor", "issue_procuratorate_order", "deliver_procuratorate_order", "prosecutor")
    dr.do("civil_affairs", case, "refer_civil_affairs", {"accepted_on": dr.today(), "measures": "儿童主任每周探访。"})
    _plan(dr, case, 4, period_days=60)
    for attended in (True, False):
        yield 14
        _session(dr, case, attended=attended)
    yield 40  # the plan's period runs out with the plan unmet; visits fall due weekly
    for _ in range(4):
        _visit(dr, case, findings="父亲仍拒绝参加指导，儿童情绪低落。", complied=False)
        yield 8
    dr.do(WF, case, "reassess", {**scores(26), "risk_factors": ["violence_abuse", "guardian_uncooperative"],
                                  "summary": "监护人拒不配合，风险未降低。"})
    services.escalate(dr.gl, dr.actor(WF), case, "监护人拒绝接受指导，红码未能降低。", dr.version(case))
    yield 1
    services.approve(dr.gl, dr.actor(SUPERVISOR), case, "approved", "同意提请联席会商。", dr.version(case))
    yield 1
    dr.do("prosecutor", case, "joint_meeting", {"held_on": dr.today(), "attendees": ["police", "procuratorate", "court"],
                                                 "minutes": "联席会商：发出刚性指导令和督促监护令，民政临时监护。",
                                                 "rigid_court_order": True, "rigid_procuratorate_order": True,
                                                 "temporary_guardianship": True})
    _order(dr, case, "judge", "issue_rigid_court_order", "deliver_rigid_court_order", "court_clerk",
           provider_id=dr.provider_id(), sessions=6)
    _order(dr, case, "prosecutor", "issue_rigid_procuratorate_order", "deliver_rigid_procuratorate_order",
           "prosecutor")
    dr.do("civil_affairs", case, "arrange_temporary_guardianship", {"started_on": dr.today(),
                                                                     "placement": "儿童福利机构临时监护。"})


def story_orange_downgraded(dr, out):
    clue = _clue(dr, "prosecutor", "procuratorate", {"child_name": "刘浩然", "child_sex": "M",
                 "child_birth_date": "2010-09-03", "child_id_number": "500105201009030019",
                 "child_school": "江北区某中学"}, "涉嫌盗窃的未成年人，父母外出务工，由祖母照看。",
                 ["criminal_suspect"], ["left_behind", "grandparent"],
                 [{"name": "刘某", "relation": "father", "is_guardian": True},
                  {"name": "张某", "relation": "grandparent", "is_guardian": False}])
    case = services.open_case(dr.gl, dr.actor("prosecutor"), clue, {"case_type": "minor_suspect"})
    out.append((case, "橙码：督促监护令并送达，指导达标、回访按时，复评黄码，经督导审批降级"))
    yield 1
    _assess(dr, case, 18, ["criminal_suspect"], "未成年人涉嫌盗窃，监护人长期外出。")
    dr.do(WF, case, "decide_handling", {"measure_notify": True, "measure_procuratorate_order": True,
                                        "reason": "橙码涉罪案件。"})
    dr.do(WF, case, "notify_guardian", {"notified_on": dr.today(), "content": "告知家庭教育主体责任。", **ON_THE_SPOT})
    _order(dr, case, "prosecutor", "issue_procuratorate_order", "deliver_procuratorate_order", "prosecutor")
    _plan(dr, case, 4, period_days=120)
    for _ in range(4):
        yield 25
        _session(dr, case, kind="crime_prevention")
    yield from _followup(dr, case, 4, 14)
    dr.do(WF, case, "reassess", {**scores(14), "risk_factors": ["bad_behaviour"], "summary": "按时到校，无再犯。"})
    services.request_downgrade(dr.gl, dr.actor(WF), case, "指导达标、回访按时，复评为黄码。", dr.version(case))
    yield 2
    services.approve(dr.gl, dr.actor(SUPERVISOR), case, "approved", "同意降为黄码。", dr.version(case))
    yield 3
    _assess(dr, case, 14, ["bad_behaviour"], "降级后复核：不良行为减少。")


def story_yellow_to_blue_closed(dr, out):
    clue = _clue(dr, "teacher", "school", {"child_name": "王子涵", "child_sex": "F", "child_birth_date": "2013-01-20",
                 "child_school": "江北区某小学"}, "学生多次无故旷课，家长联系不上。", ["truancy"], ["single_parent"],
                 [{"name": "王某", "relation": "mother", "is_guardian": True}])
    case = services.open_case(dr.gl, dr.actor(WF), clue, {"case_type": "general"})
    out.append((case, "黄码：告知、劝诫、指导、月度回访，降为蓝码；蓝码一轮后经审批结案"))
    yield 1
    _assess(dr, case, 14, ["truancy"], "监护不足，儿童逃学。")
    dr.do(WF, case, "decide_handling", {"measure_notify": True, "measure_admonish": True, "reason": "黄码。"})
    dr.do(WF, case, "notify_guardian", {"notified_on": dr.today(), "content": "告知家庭教育主体责任。", **ON_THE_SPOT})
    dr.do(WF, case, "admonish_guardian", {"admonished_on": dr.today(), "content": "劝诫监护人督促按时上学。"})
    _plan(dr, case, 3, period_days=90)
    for _ in range(3):
        yield 25
        _session(dr, case, kind="parent_class")
    yield from _followup(dr, case, 3, 30)
    dr.do(WF, case, "reassess", {**scores(6), "risk_factors": [], "summary": "按时到校，母子关系改善。"})
    services.request_downgrade(dr.gl, dr.actor(WF), case, "复评为蓝码。", dr.version(case))
    yield 1
    services.approve(dr.gl, dr.actor(SUPERVISOR), case, "approved", "同意降为蓝码。", dr.version(case))
    yield 2
    _assess(dr, case, 6, [], "降级后复核：稳定。")
    dr.do(WF, case, "decide_handling", {"measure_notify": True, "reason": "蓝码持续关注。"})
    dr.do(WF, case, "notify_guardian", {"notified_on": dr.today(), "content": "再次告知家庭教育责任。", **ON_THE_SPOT})
    _plan(dr, case, 1, period_days=60)
    yield 20
    _session(dr, case)
    yield from _followup(dr, case, 2, 90)
    dr.do(WF, case, "reassess", {**scores(4), "risk_factors": [], "summary": "家庭稳定。"})
    services.request_closure(dr.gl, dr.actor(WF), case, "蓝码稳定，闭环证据齐全。", dr.version(case))
    yield 1
    services.approve(dr.gl, dr.actor(SUPERVISOR), case, "approved", "同意结案。", dr.version(case))


def story_blue_closed(dr, out):
    clue = _clue(dr, "community", "community", {"child_name": "赵一鸣", "child_sex": "M", "child_birth_date": "2016-07-08"},
                 "祖父母隔代抚养，需关注。", ["special_family"], ["grandparent", "left_behind"],
                 [{"name": "赵某", "relation": "grandparent", "is_guardian": False},
                  {"name": "赵某某", "relation": "father", "is_guardian": True}])
    case = services.open_case(dr.gl, dr.actor(WF), clue, {"case_type": "general"})
    out.append((case, "蓝码：告知、指导、季度回访；结案申请先被退回补正，补正后批准结案"))
    yield 1
    _assess(dr, case, 4, ["special_family"], "隔代抚养，照料尚可。")
    dr.do(WF, case, "decide_handling", {"measure_notify": True, "reason": "蓝码。"})
    dr.do(WF, case, "notify_guardian", {"notified_on": dr.today(), "content": "告知父母的家庭教育责任。",
                                        **ON_THE_SPOT})
    _plan(dr, case, 1, period_days=60)
    yield 15
    _session(dr, case, kind="parent_class")
    yield from _followup(dr, case, 2, 90)
    dr.do(WF, case, "reassess", {**scores(3), "risk_factors": [], "summary": "稳定。"})
    services.request_closure(dr.gl, dr.actor(WF), case, "蓝码稳定。", dr.version(case))
    yield 1
    services.approve(dr.gl, dr.actor(SUPERVISOR), case, "returned", "请补充最近一次回访的学校意见。",
                     dr.version(case))
    yield 2
    services.request_closure(dr.gl, dr.actor(WF), case, "已补充学校意见：在校表现良好。", dr.version(case))
    yield 1
    services.approve(dr.gl, dr.actor(SUPERVISOR), case, "approved", "同意结案。", dr.version(case))


def story_upgrade(dr, out):
    clue = _clue(dr, "community", "community", {"child_name": "孙雨桐", "child_sex": "F", "child_birth_date": "2012-11-30"},
                 "父母离异后由父亲照料，照料不足。", ["inadequate_guardianship"], ["single_parent", "blended"],
                 [{"name": "孙某", "relation": "father", "is_guardian": True}])
    case = services.open_case(dr.gl, dr.actor(WF), clue, {"case_type": "family_case"})
    out.append((case, "黄码：回访中发生新事件，网格员报告后升为橙码，重新开始一轮评估"))
    yield 1
    _assess(dr, case, 13, ["inadequate_guardianship"], "监护失当。")
    dr.do(WF, case, "decide_handling", {"measure_notify": True, "measure_admonish": True, "reason": "黄码。"})
    dr.do(WF, case, "notify_guardian", {"notified_on": dr.today(), "content": "告知。", **ON_THE_SPOT})
    dr.do(WF, case, "admonish_guardian", {"admonished_on": dr.today(), "content": "劝诫。"})
    _plan(dr, case, 1, period_days=60)
    yield 10
    _session(dr, case)
    yield 31
    _visit(dr, case)
    yield 5
    services.upgrade_on_incident(dr.gl, dr.actor("community"), case,
                                 {"code": "orange", "reason": "新发事件：父亲醉酒后将儿童锁在门外过夜。"},
                                 dr.version(case))


def story_overdue(dr, out):
    clue = _clue(dr, "community", "hotline", {"child_name": "周子墨", "child_sex": "M", "child_birth_date": "2011-02-14"},
                 "热线反映：监护人拒绝配合社区工作。", ["guardian_uncooperative"], ["migrant"],
                 [{"name": "周某", "relation": "mother", "is_guardian": True}], reporter_name="12338 热线")
    case = services.open_case(dr.gl, dr.actor(WF), clue, {"case_type": "general"})
    out.append((case, "橙码：训诫、指导后进入回访，回访逾期，检察院收到督办任务"))
    yield 1
    _assess(dr, case, 16, ["guardian_uncooperative"], "监护人不配合。")
    dr.do(WF, case, "decide_handling", {"measure_notify": True, "measure_reprimand": True, "reason": "橙码。"})
    dr.do(WF, case, "notify_guardian", {"notified_on": dr.today(), "content": "告知。", **ON_THE_SPOT})
    dr.do("police", case, "reprimand_guardian", {"reprimanded_on": dr.today(), "failings": "拒不履行监护职责。",
                                                 **ON_THE_SPOT})
    _plan(dr, case, 2, period_days=60)
    for _ in range(2):
        yield 20
        _session(dr, case)
    # the first visit falls due two weeks later and nobody records it: it goes overdue


def story_court_in_guidance(dr, out):
    clue = _clue(dr, "judge", "court", {"child_name": "吴思远", "child_sex": "M", "child_birth_date": "2012-05-05",
                 "child_id_number": "500105201205050017"}, "离婚纠纷案件中发现父母均疏于管教。",
                 ["serious_failure"], ["single_parent"], [{"name": "吴某", "relation": "father", "is_guardian": True},
                                                          {"name": "李某", "relation": "mother", "is_guardian": True}])
    case = services.open_case(dr.gl, dr.actor("judge"), clue, {"case_type": "family_case"})
    out.append((case, "橙码家事案件：法院发出家庭教育指导令并送达，指导进行中"))
    yield 1
    _assess(dr, case, 17, ["serious_failure"], "父母均疏于管教。")
    dr.do(WF, case, "decide_handling", {"measure_notify": True, "measure_court_order": True, "reason": "橙码家事。"})
    dr.do(WF, case, "notify_guardian", {"notified_on": dr.today(), "content": "告知。", **ON_THE_SPOT})
    _order(dr, case, "judge", "issue_court_order", "deliver_court_order", "court_clerk",
           returned="请写明监护人报告履职情况的方式与期限。", provider_id=dr.provider_id(), sessions=6)
    _plan(dr, case, 6)
    yield 20
    _session(dr, case, kind="legal_education")


def story_order_awaiting_approval(dr, out):
    clue = _clue(dr, "police", "police", {"child_name": "何嘉怡", "child_sex": "F", "child_birth_date": "2009-08-21",
                 "child_id_number": "500105200908210027"}, "未成年被害人，母亲长期酗酒，疏于照料。",
                 ["criminal_victim", "serious_failure"], ["single_parent"],
                 [{"name": "何某", "relation": "mother", "is_guardian": True}])
    case = services.open_case(dr.gl, dr.actor("prosecutor"), clue, {"case_type": "minor_victim"})
    out.append((case, "橙码涉案：检察官已拟制督促监护令，等待部门负责人审批签发"))
    yield 1
    _assess(dr, case, 19, ["criminal_victim", "serious_failure"], "母亲酗酒，疏于照料。")
    dr.do(WF, case, "decide_handling", {"measure_notify": True, "measure_procuratorate_order": True,
                                        "reason": "橙码涉案。"})
    dr.do(WF, case, "notify_guardian", {"notified_on": dr.today(), "content": "告知。", **ON_THE_SPOT})
    dr.do("prosecutor", case, "issue_procuratorate_order", {
        "failings": "监护人长期酗酒，未保障未成年人基本生活与安全。",
        "duties": "戒酒并接受家庭教育指导，保障子女按时就学，每月报告履职情况。",
        "deadline": (clock.today() + timedelta(days=30)).isoformat()})


def story_new_clue(dr, out):
    clue = _clue(dr, "teacher", "school", {"child_name": "郑可欣", "child_sex": "F", "child_birth_date": "2015-03-03"},
                 "学生营养不良、衣着单薄，疑似无人照料。", ["no_carer"], ["unsupported"], [])
    case = services.open_case(dr.gl, dr.actor(WF), clue, {"case_type": "general"})
    out.append((case, "新建档：等待社会调查与评估"))
    yield 0


STORIES = [  # (days before today the story starts, story)
    (420, story_yellow_to_blue_closed), (260, story_blue_closed), (210, story_orange_downgraded),
    (150, story_red_escalated), (120, story_court_in_guidance), (100, story_upgrade), (90, story_overdue),
    (6, story_order_awaiting_approval), (3, story_new_clue),
]


def _run_timers_until(gl, moment) -> None:
    """Fire every timer due before ``moment`` at its own due time, as a scheduler running all along would."""
    while True:
        with gl.reading() as session:
            due = session.scalar(select(func.min(Round.next_timer_at)).where(Round.status == "running"))
        if due is None or due > moment:
            return
        clock.set(max(due + timedelta(seconds=1), clock.now()))  # timers fire once strictly past due
        services.tick(gl)


def seed_demo(gl) -> list[tuple[str, str]]:
    with gl.reading() as session:
        if session.scalars(select(Case.id)).first() is not None:
            return []
    dr = Driver(gl)
    today = clock.now()
    out: list = []
    queue = []
    for order, (days_before, story) in enumerate(STORIES):
        heapq.heappush(queue, (today - timedelta(days=days_before), order, story(dr, out)))
    try:
        while queue:
            moment, order, steps = heapq.heappop(queue)
            if moment > today:
                break
            _run_timers_until(gl, moment)
            clock.set(moment)
            try:
                wait = next(steps)
            except StopIteration:
                continue
            heapq.heappush(queue, (moment + timedelta(days=wait), order, steps))
        _run_timers_until(gl, today)
    finally:
        clock.reset()
    services.tick(gl)
    with gl.reading() as session:
        numbers = {c.id: c.case_no for c in session.scalars(select(Case))}
    return [(numbers[case_id], story) for case_id, story in out]
