"""``guardloop demo``: realistic cases on every path, driven through the service layer over simulated time.

Each story is a generator that does a few steps as the people involved and then yields how many days
pass before its next steps. A small scheduler interleaves the stories on the injectable clock and fires
timers as time passes, so dates, due dates, chases and overdue items are what they would be in real use.

The paths: a red case protected within a day (safety contact, police emergency protection, a warning letter,
a protection order, temporary guardianship by civil affairs) and downgraded a level; an order urging
guardianship investigated first, returned once, not complied with and followed by a reprimand; a court
guidance order objected to and upheld; a reprimand the police decline; an ad-hoc visit that finds a new
incident and an upgrade; a blue case closed after a returned request; escalation to a joint meeting, a
rigid order, temporary guardianship, a suit to revoke guardianship and long-term guardianship; overdue
visits chased until answered; a watched (关注) family; an order the head of department refuses; a mandatory
report acknowledged and answered by the police; a fresh case.
"""
import heapq
from datetime import timedelta

from sqlalchemy import func, select

from engine import services
from engine.context import GuardLoop
from engine.demo.bases import seed_bases_demo
from engine.demo.scenario import Driver, scores
from engine.demo.school import seed_school
from engine.models import Case, Round
from engine.workflow.catalog import Task
from engine.workflow.clock import clock

WF, COUNSELLOR, SUPERVISOR = "wf_caseworker", "wf_counsellor", "wf_supervisor"
OFFICER = {"procuratorate": ("prosecutor", "pro_supervisor"), "court": ("judge", "court_supervisor"),
           "police": ("police", "police_supervisor")}
ISSUER = {"supervision_order": "procuratorate", "guidance_order": "court", "reprimand": "police",
          "warning_letter": "police", "protection_order": "court"}


def _clue(dr, reporter_user, source, child, description, factors, family_types, guardians, **extra):
    data = {"source": source, "reporter_name": extra.pop("reporter_name", "报告人"),
            "mandatory_report": extra.pop("mandatory", source in ("school", "hospital")), "received_at": dr.today(),
            "description": description, "family_types": family_types, "risk_factors": factors, "guardians": guardians,
            **child, **extra}
    return services.register_clue(dr.gl, dr.actor(reporter_user), data)


def _assess(dr, case, total, factors, summary, **extra):
    dr.do(WF, case, Task.SOCIAL_INVESTIGATION, {"findings": summary, "investigated_on": dr.today(),
                                                "sources": "入户走访、学校、社区"})
    dr.do(WF, case, Task.SCORED_ASSESSMENT, {**scores(total), "risk_factors": factors, "summary": summary, **extra})


def _plan(dr, case, goals="提升监护意识与家庭教育能力，改善亲子关系。"):
    dr.do(WF, case, Task.DRAFT_GUIDANCE_PLAN, {"provider_id": dr.provider_id(), "goals": goals})


def _notify(dr, case):
    dr.do(WF, case, Task.NOTIFY_GUARDIAN, {"notified_on": dr.today(), "content": "依法告知监护人应当承担的家庭教育责任。",
                                           "delivery_method": "in_person", "recipient": "监护人本人", "signed": True})


def _decide(dr, case, measure, decision="accept", reason="", issuer=None):
    officer = OFFICER[issuer or ISSUER[measure]][0]
    dr.do(officer, case, Task.DECIDE_REFERRAL, {"decision": decision, "reason": reason}, measure=measure)


def _issue(dr, case, measure, fields, issuer=None, returned=None, refused=None):
    """The officer drafts, the head of department decides (returning it once when ``returned`` gives the
    reason, or refusing it with ``refused``); approved, it is issued."""
    officer, head = OFFICER[issuer or ISSUER[measure]]
    draft = {"action": "submit", "failings": "监护人长期疏于照料，放任未成年人夜不归宿。", **fields}
    dr.do(officer, case, Task.DRAFT_ORDER, draft, measure=measure)
    if returned:
        dr.do(head, case, Task.APPROVE_ORDER, {"decision": "returned", "reason": returned}, measure=measure)
        dr.do(officer, case, Task.DRAFT_ORDER, {**draft, "duties": draft.get("duties", "") + "\n每月5日前向承办人书面报告履职情况。"},
              measure=measure)
    if refused:
        dr.do(head, case, Task.APPROVE_ORDER, {"decision": "refused", "reason": refused}, measure=measure)
        return
    dr.do(head, case, Task.APPROVE_ORDER, {"decision": "approved", "reason": "同意签发。"}, measure=measure)


def _deliver(dr, case, measure, issuer=None, method="announced", place="承办机关"):
    officer = OFFICER[issuer or ISSUER[measure]][0]
    dr.do(officer, case, Task.DELIVER_ORDER, {"method": method, "delivered_on": dr.today(), "recipient": "监护人本人",
                                              "place": place, "signed": True}, measure=measure)


def _check(dr, case, measure, result="complied", issuer=None, notes=""):
    officer = OFFICER[issuer or ISSUER[measure]][0]
    dr.do(officer, case, Task.COMPLIANCE_CHECK, {"checked_on": dr.today(), "report_received": result == "complied",
                                                 "result": result, "notes": notes or "核实监护人报告与回访情况。"},
          measure=measure)


SUPERVISORS = ("wf_supervisor", "pro_supervisor", "court_supervisor", "police_supervisor", "civil_supervisor")


def _answer_chases(dr, case):
    """Each agency's supervisor answers the chases of the case addressed to them."""
    for supervisor in SUPERVISORS:
        for chase in services.open_chases(dr.gl, dr.actor(supervisor)):
            if chase.case_id == case:
                services.answer_chase(dr.gl, dr.actor(supervisor), chase.chase_id,
                                      {"explanation": "承办人同期办理多起案件，未能按期完成。",
                                       "action": "已督促承办人当日办结，并调整分案。"})


def _review(dr, case, total, factors, outcome, reason, returned=None):
    _answer_chases(dr, case)
    dr.do(WF, case, Task.REASSESS, {**scores(total), "risk_factors": factors, "summary": reason})
    dr.do(WF, case, Task.DECIDE_OUTCOME, {"outcome": outcome, "reason": reason})
    if outcome == "another_round":
        return
    task = {"downgrade": Task.APPROVE_DOWNGRADE, "close": Task.APPROVE_CLOSURE, "escalate": Task.APPROVE_ESCALATION}[outcome]
    if returned:
        dr.do(SUPERVISOR, case, task, {"decision": "returned", "reason": returned})
        dr.do(WF, case, Task.DECIDE_OUTCOME, {"outcome": outcome, "reason": reason + "（已按督导意见补正）"})
    dr.do(SUPERVISOR, case, task, {"decision": "approved", "reason": "同意。"})


def _weeks(dr, case, n, interval, visitor=WF, sessions=True, joint_at=None):
    """``n`` visits and guidance sessions, one every ``interval`` days, each recorded when it happens."""
    for k in range(n):
        yield interval
        participants = ["womens_federation", "police"] if joint_at == k else []
        dr.visit(visitor, case, kind="joint" if participants else "planned", participants=participants)
        if sessions:
            dr.session(COUNSELLOR, case)


def story_red_protected(dr, out):
    """红码：家庭暴力。当天安全联系、公安紧急保护；告诫书、人身安全保护令、民政临时监护；一个月后降为橙码。"""
    clue = _clue(dr, "police", "police", {"child_name": "陈小雨", "child_sex": "F", "child_birth_date": "2014-04-12",
                 "child_id_number": "500105201404120022", "child_school": "江北区某小学", "child_address": "江北区观音桥街道"},
                 "邻居报警：儿童身上多处伤痕，父亲酗酒后殴打。", ["violence_abuse"], ["single_parent"],
                 [{"name": "陈某", "relation": "father", "is_guardian": True}])
    case = services.open_case(dr.gl, dr.actor(WF), clue, {"case_type": "general"})
    out.append((case, "红码家庭暴力：当天安全联系与紧急保护，告诫书、人身安全保护令、临时监护，逐级降为橙码"))
    _assess(dr, case, 26, ["violence_abuse"], "父亲酗酒后多次殴打儿童，儿童身上有新旧伤痕。")
    dr.do(WF, case, Task.SAFETY_CONTACT, {"contacted_on": dr.today(), "method": "with_police", "child_seen": True,
                                          "child_safe": False, "findings": "儿童面部、手臂有新伤，父亲醉酒在家。",
                                          "immediate_actions": "当即报警，由外婆临时照看。"})
    dr.do("police", case, Task.EMERGENCY_PROTECTION, {"acted_on": dr.today(), "actions": ["attended", "removed", "warned"],
                                                      "notes": "出警制止，将儿童带离至外婆家，对父亲当场告诫。"})
    dr.do(WF, case, Task.PROPOSE_MEASURES, {"measure_notify": True, "refer_warning_letter": True,
                                            "refer_protection_order": True, "measure_care": True,
                                            "reason": "红码，家庭暴力，须立即保护。"})
    yield 1
    _decide(dr, case, "warning_letter")
    _issue(dr, case, "warning_letter", {"failings": "2026年多次酒后殴打女儿陈小雨。", "duties": "立即停止家庭暴力\n不得骚扰未成年人",
                                        "deadline": (clock.today() + timedelta(days=90)).isoformat()})
    _deliver(dr, case, "warning_letter", method="in_person", place="观音桥派出所")
    _decide(dr, case, "protection_order")
    _issue(dr, case, "protection_order", {"respondent": "陈某", "prohibitions": ["no_violence", "no_harassment"],
                                          "months": 6, "failings": "被申请人多次殴打未成年子女。"})
    _deliver(dr, case, "protection_order", method="in_person", place="江北区人民法院")
    dr.do("civil_affairs", case, Task.DECIDE_CARE, {"decision": "accept"})
    dr.do("civil_affairs", case, Task.ARRANGE_TEMPORARY_CARE, {"placement": "kinship", "started_on": dr.today(),
                                                                "details": "由外婆家庭照护，民政临时监护。",
                                                                "temporary_guardianship": True,
                                                                "guardian_ids": [dr.guardian_id(case, "陈某")]})
    _notify(dr, case)
    _plan(dr, case, "停止暴力，修复亲子关系，外婆照护支持。")
    yield 3
    dr.do("court_supervisor", case, Task.HANDLE_OBJECTION, {"applied": False}, measure="protection_order")
    yield from _weeks(dr, case, 4, 6, joint_at=1)
    _check(dr, case, "warning_letter")
    _check(dr, case, "protection_order")
    yield 3
    _review(dr, case, 18, [], "downgrade", "暴力已停止，儿童安全，外婆照护良好。")
    yield 1
    _assess(dr, case, 18, ["guardian_uncooperative"], "父亲参加指导但仍有抵触。")
    dr.do(WF, case, Task.PROPOSE_MEASURES, {"measure_notify": True, "reason": "橙码，继续指导。"})
    _notify(dr, case)
    _plan(dr, case)


def story_supervision_order(dr, out):
    """橙码涉罪：检察院先调查核实、退回补正后签发督促监护令；监护人不履行，检察院训诫后履行；降为黄码。"""
    clue = _clue(dr, "prosecutor", "procuratorate", {"child_name": "刘浩然", "child_sex": "M",
                 "child_birth_date": "2010-09-03", "child_id_number": "500105201009030019"},
                 "涉嫌盗窃，经审查作出不起诉决定；父亲长期外出务工，祖母无力管教。", ["criminal_suspect"],
                 ["left_behind", "grandparent"], [{"name": "刘某", "relation": "father", "is_guardian": True},
                                                  {"name": "张某", "relation": "grandparent", "is_guardian": False}])
    case = services.open_case(dr.gl, dr.actor(WF), clue, {"case_type": "minor_suspect"})
    out.append((case, "涉罪未成年人：督促监护令（调查核实、退回补正）、不履行后训诫，降为黄码"))
    _assess(dr, case, 21, ["criminal_suspect"], "父亲长期在外，祖母年迈，夜不归宿。")
    dr.do(WF, case, Task.PROPOSE_MEASURES, {"measure_notify": True, "refer_supervision_order": True,
                                            "judicial_case_number": "江北检刑不诉〔2026〕15号", "judicial_case_cause": "盗窃",
                                            "judicial_case_stage": "not_prosecuted", "reason": "监护缺位，建议制发督促监护令。"})
    _notify(dr, case)
    _plan(dr, case)
    yield 1
    _decide(dr, case, "supervision_order", "investigate")
    dr.do("prosecutor", case, Task.INVESTIGATE_REFERRAL, {"investigated_on": dr.today(),
                                                          "findings": "走访学校与社区，父亲每年仅春节回家。"}, measure="supervision_order")
    yield 2
    _decide(dr, case, "supervision_order")
    _issue(dr, case, "supervision_order", {"duties": "每周与孩子视频通话不少于两次\n委托祖母照护并保持联系\n按时参加家庭教育指导",
                                           "deadline": (clock.today() + timedelta(days=90)).isoformat()},
           returned="履行期限与报告要求不明确，请补正。")
    _deliver(dr, case, "supervision_order")
    for k in range(4):
        yield 14
        dr.visit(WF, case, orders_complied=k != 1)
        dr.session(COUNSELLOR, case)
        if k == 1:
            _check(dr, case, "supervision_order", "not_complied", notes="未按要求联系孩子，未参加指导。")
            dr.do("prosecutor", case, Task.DECIDE_CONSEQUENCE, {"consequence": "reprimand", "reason": "经督促仍不履行。"})
            _issue(dr, case, "reprimand", {"reprimanded_on": dr.today(), "failings": "经督促仍不履行督促监护令。"},
                   issuer="procuratorate")
            _deliver(dr, case, "reprimand", issuer="procuratorate", method="in_person")
        if k == 3:
            _check(dr, case, "supervision_order")
    yield 5
    _review(dr, case, 13, ["truancy"], "downgrade", "训诫后父亲按时联系，祖母照护改善。")


def story_court_guidance_order(dr, out):
    """法院家事案件：家庭教育指导令（决定书），监护人申请复议，维持。"""
    clue = _clue(dr, "judge", "court", {"child_name": "吴思远", "child_sex": "M", "child_birth_date": "2012-05-05",
                 "child_id_number": "500105201205050017"}, "离婚纠纷案件中发现父母均疏于管教。", ["serious_failure"],
                 ["divorced"], [{"name": "吴某", "relation": "father", "is_guardian": True},
                                {"name": "李某", "relation": "mother", "is_guardian": True}])
    case = services.open_case(dr.gl, dr.actor(WF), clue, {"case_type": "family_case"})
    out.append((case, "法院家事案件：家庭教育指导令，监护人申请复议后维持"))
    _assess(dr, case, 20, ["serious_failure"], "父母离婚诉讼中互相推诿抚养责任。")
    dr.do(WF, case, Task.PROPOSE_MEASURES, {"measure_notify": True, "refer_guidance_order": True,
                                            "judicial_case_number": "（2026）渝0105民初1234号", "judicial_case_cause": "离婚纠纷",
                                            "judicial_case_stage": "family_dispute", "reason": "建议责令父母接受家庭教育指导。"})
    _notify(dr, case)
    _plan(dr, case)
    yield 2
    _decide(dr, case, "guidance_order")
    _issue(dr, case, "guidance_order", {"duties": "父母双方按时参加家庭教育指导\n每月向法院书面报告",
                                        "deadline": (clock.today() + timedelta(days=180)).isoformat(),
                                        "provider_id": dr.provider_id(), "content": "亲职教育、离异家庭子女心理支持",
                                        "sessions": 6, "session_interval_days": 30, "period_days": 180, "clerk": "孙丽"})
    _deliver(dr, case, "guidance_order", place="江北区人民法院")
    yield 3
    dr.do("court_supervisor", case, Task.HANDLE_OBJECTION, {"applied": True, "applied_on": dr.today(), "decision": "upheld",
                                                             "reason": "指导令认定事实清楚，维持。", "delivery_method": "in_person",
                                                             "recipient": "吴某", "signed": True}, measure="guidance_order")
    yield from _weeks(dr, case, 2, 14)


def story_reprimand_declined_then_upgraded(dr, out):
    """黄码：公安不予训诫并说明理由；临时回访发现新情况，研判后升级为橙码。"""
    clue = _clue(dr, "teacher", "school", {"child_name": "王子涵", "child_sex": "F", "child_birth_date": "2013-01-20"},
                 "多次旷课，母亲称无力管教。", ["truancy"], ["single_parent"],
                 [{"name": "王某", "relation": "mother", "is_guardian": True}], reporter_name="班主任郑老师")
    dr.acknowledge("police", clue)
    dr.respond("police", clue, "已联系母亲核实，儿童人身安全，转妇联跟进。")
    case = services.open_case(dr.gl, dr.actor(WF), clue, {"case_type": "general"})
    out.append((case, "黄码：公安不予训诫（说明理由）；临时回访发现新情况后升级"))
    _assess(dr, case, 14, ["truancy"], "母亲独自抚养，工作繁忙。")
    dr.do(WF, case, Task.PROPOSE_MEASURES, {"measure_notify": True, "measure_admonish": True, "refer_reprimand": True,
                                            "reprimand_issuer": "police", "reason": "建议对母亲予以训诫。"})
    _notify(dr, case)
    dr.do(WF, case, Task.ADMONISH_GUARDIAN, {"admonished_on": dr.today(), "content": "劝诫母亲督促孩子按时上学。"})
    _plan(dr, case)
    yield 2
    _decide(dr, case, "reprimand", "decline", "经核实母亲已主动改正并配合学校，暂不训诫，由妇联继续指导。")
    dr.do(WF, case, Task.ACKNOWLEDGE_DECLINE, {"note": "继续劝诫与指导。"})
    yield 20
    dr.session(COUNSELLOR, case)
    dr.visit("teacher", case, kind="ad_hoc", method="school", findings="班主任发现孩子手臂有淤青，称母亲新交男友打骂。",
             new_incident=True)
    yield 1
    dr.do(WF, case, Task.REVIEW_INCIDENT, {"decision": "upgrade", "code": "orange", "reason": "出现家庭暴力迹象。"})


def story_blue_closed(dr, out):
    """蓝码：指导与回访齐全，申请结案被退回补正后获批结案。"""
    clue = _clue(dr, "community", "community", {"child_name": "孙雨桐", "child_sex": "F", "child_birth_date": "2012-11-30"},
                 "父亲服刑，由母亲抚养，社区关注。", ["special_family"], ["parent_incarcerated"],
                 [{"name": "孙某", "relation": "father", "is_guardian": True},
                  {"name": "林某", "relation": "mother", "is_guardian": True}])
    case = services.open_case(dr.gl, dr.actor(WF), clue, {"case_type": "general"})
    out.append((case, "蓝码：指导与回访齐全，结案申请退回补正后获批"))
    _assess(dr, case, 7, ["special_family", "guardian_incarcerated"], "父亲服刑，母亲照料良好。", other_carer_able=True)
    dr.do(WF, case, Task.PROPOSE_MEASURES, {"measure_notify": True, "reason": "蓝码，告知并持续关注。"})
    _notify(dr, case)
    _plan(dr, case)
    yield from _weeks(dr, case, 2, 80, visitor="community")
    yield 8
    _review(dr, case, 4, [], "close", "母亲照料良好，儿童稳定。", returned="请补充学校对儿童近况的反馈。")


def story_escalated(dr, out):
    """红码涉案：监护人拒不履行，提请多跨协同：刚性令、临时监护、支持起诉撤销监护资格、民政长期监护。"""
    clue = _clue(dr, "police", "police", {"child_name": "何嘉怡", "child_sex": "F", "child_birth_date": "2009-08-21",
                 "child_id_number": "500105200908210027"}, "未成年被害人，母亲长期酗酒，疏于照料。",
                 ["criminal_victim", "serious_failure"], ["single_parent"],
                 [{"name": "何某", "relation": "mother", "is_guardian": True}])
    case = services.open_case(dr.gl, dr.actor(WF), clue, {"case_type": "minor_victim"})
    out.append((case, "升级处置：刚性督促监护令、临时监护、支持起诉撤销监护资格、民政长期监护"))
    _assess(dr, case, 29, ["criminal_victim", "serious_failure", "guardian_uncooperative"], "母亲酗酒，拒绝配合。")
    dr.do(WF, case, Task.SAFETY_CONTACT, {"contacted_on": dr.today(), "method": "school", "child_seen": True,
                                          "child_safe": True, "findings": "在校见到儿童，暂时安全。"})
    dr.do(WF, case, Task.PROPOSE_MEASURES, {"measure_notify": True, "refer_supervision_order": True,
                                            "judicial_case_number": "江北公刑立〔2026〕88号", "judicial_case_cause": "猥亵儿童",
                                            "judicial_case_stage": "prosecution", "reason": "母亲严重失职。"})
    _notify(dr, case)
    _plan(dr, case)
    yield 1
    _decide(dr, case, "supervision_order")
    _issue(dr, case, "supervision_order", {"duties": "戒酒治疗\n保障儿童饮食起居\n按时参加家庭教育指导",
                                           "deadline": (clock.today() + timedelta(days=60)).isoformat()})
    _deliver(dr, case, "supervision_order")
    for k in range(4):
        yield 7
        dr.visit(WF, case, orders_complied=False, findings="母亲仍酗酒，未参加指导。")
        dr.session(COUNSELLOR, case, guardian_attended=False)
    _check(dr, case, "supervision_order", "not_complied", notes="拒不履行。")
    dr.do("prosecutor", case, Task.DECIDE_CONSEQUENCE, {"consequence": "escalate", "reason": "经训诫仍拒不履行，提请多跨协同。"})
    yield 3
    _review(dr, case, 30, ["serious_failure", "guardian_uncooperative"], "escalate", "监护人拒不履行，风险未下降。")
    dr.do("prosecutor", case, Task.JOINT_MEETING, {"held_on": dr.today(), "attendees": ["police", "procuratorate", "court",
                                                                                        "civil_affairs", "womens_federation"],
                                                    "minutes": "母亲拒不履行监护职责，决定采取刚性措施并支持起诉撤销监护资格。",
                                                    "rigid_guidance_order": True, "temporary_guardianship": True,
                                                    "revocation_support": True})
    mother = dr.guardian_id(case, "何某")
    dr.do("civil_affairs", case, Task.ARRANGE_TEMPORARY_GUARDIANSHIP, {"placement": "institution", "started_on": dr.today(),
                                                                       "details": "入住区儿童福利机构。",
                                                                       "guardian_ids": [mother]})
    _issue(dr, case, "guidance_order", {"duties": "接受不少于六次家庭教育指导", "provider_id": dr.provider_id(),
                                        "content": "戒酒与亲职教育", "sessions": 6, "session_interval_days": 30,
                                        "period_days": 180, "deadline": (clock.today() + timedelta(days=180)).isoformat()})
    _deliver(dr, case, "guidance_order")
    dr.do("court_supervisor", case, Task.HANDLE_OBJECTION, {"applied": False}, measure="guidance_order")
    yield 5
    dr.do("prosecutor", case, Task.SUPPORT_REVOCATION, {"filed_on": dr.today(), "delivery_method": "in_person",
                                                        "court": "重庆市江北区人民法院",
                                                        "plaintiff": "重庆市江北区民政局", "guardian_ids": [mother],
                                                        "opinion": "被申请人长期酗酒、拒不履行监护职责，严重损害未成年人身心健康。"})
    yield 30
    dr.do("judge", case, Task.RECORD_REVOCATION_JUDGMENT, {"judgment": "revoked", "case_number": "（2026）渝0105民特56号",
                                                           "judged_on": dr.today(), "guardian_ids": [mother],
                                                           "new_guardian": "long_term"})
    dr.do("civil_affairs", case, Task.ARRANGE_LONG_TERM_GUARDIANSHIP, {"placement": "foster", "started_on": dr.today(),
                                                                       "details": "民政部门长期监护，家庭寄养。"})


def story_overdue_chased(dr, out):
    """黄码：回访逾期，督办反复发出直至答复；第三次起报检察院法律监督。"""
    clue = _clue(dr, "community", "hotline", {"child_name": "周子墨", "child_sex": "M", "child_birth_date": "2011-02-14"},
                 "12338 热线：母亲长期外出，孩子独自在家。", ["inadequate_guardianship"], ["left_behind"],
                 [{"name": "周某", "relation": "mother", "is_guardian": True}], reporter_name="12338 热线")
    case = services.open_case(dr.gl, dr.actor(WF), clue, {"case_type": "general"})
    out.append((case, "回访逾期：督办反复发出并由督导答复"))
    _assess(dr, case, 13, ["inadequate_guardianship"], "孩子常独自在家。")
    dr.do(WF, case, Task.PROPOSE_MEASURES, {"measure_notify": True, "measure_admonish": True, "reason": "黄码。"})
    _notify(dr, case)
    dr.do(WF, case, Task.ADMONISH_GUARDIAN, {"admonished_on": dr.today(), "content": "劝诫母亲安排照护。"})
    _plan(dr, case)
    yield 28
    dr.session(COUNSELLOR, case)
    yield 26
    for chase in services.open_chases(dr.gl, dr.actor(SUPERVISOR)):
        if chase.case_id == case:
            services.answer_chase(dr.gl, dr.actor(SUPERVISOR), chase.chase_id,
                                  {"explanation": "承办人病假，回访未按期进行。", "action": "已改派周敏承办，三日内完成回访。"})
    yield 12
    dr.visit("wf_caseworker2", case, findings="母亲已安排外婆照护。")


def story_watched(dr, out):
    """关注：摸排发现隔代家庭，评估无现实风险，列入关注、按季度回访。"""
    clue = _clue(dr, "community", "community", {"child_name": "赵一鸣", "child_sex": "M", "child_birth_date": "2016-07-08"},
                 "网格员摸排：父母在外务工，祖父母照料。", [], ["grandparent", "left_behind"],
                 [{"name": "赵某", "relation": "grandparent", "is_guardian": False},
                  {"name": "赵某某", "relation": "father", "is_guardian": True}])
    case = services.open_case(dr.gl, dr.actor(WF), clue, {"case_type": "general"})
    out.append((case, "关注：无现实风险，按季度回访，关注期满结案"))
    _assess(dr, case, 3, [], "祖父母照料良好，父母每周联系。")
    yield 80
    dr.visit("community", case, findings="祖父母照料良好。")
    yield 80
    dr.visit("community", case, kind="joint", participants=["education"], findings="学校反映孩子学习生活正常。")
    yield 21
    _review(dr, case, 2, [], "close", "关注期内两次回访均无风险，父母与祖父母照料稳定。")


def story_order_refused(dr, out):
    """橙码：部门负责人不予批准督促监护令，提出机关知悉理由；法院家庭教育指导令待审批。"""
    clue = _clue(dr, "community", "community", {"child_name": "黄子轩", "child_sex": "M", "child_birth_date": "2012-06-18"},
                 "父母离异后互相推诿，孩子多次离家。", ["serious_failure"], ["divorced"],
                 [{"name": "黄某", "relation": "father", "is_guardian": True},
                  {"name": "杨某", "relation": "mother", "is_guardian": True}])
    case = services.open_case(dr.gl, dr.actor(WF), clue, {"case_type": "family_case"})
    out.append((case, "督促监护令不予批准（理由回到妇联）；家庭教育指导令待审批"))
    _assess(dr, case, 22, ["serious_failure"], "父母互相推诿抚养。")
    dr.do(WF, case, Task.PROPOSE_MEASURES, {"measure_notify": True, "refer_supervision_order": True,
                                            "refer_guidance_order": True, "reason": "建议督促与指导并行。"})
    yield 1
    _decide(dr, case, "supervision_order")
    _issue(dr, case, "supervision_order", {"duties": "明确抚养安排", "deadline": (clock.today() + timedelta(days=30)).isoformat()},
           refused="本案已由法院审理离婚纠纷，督促事项由法院指导令处理，检察院不另行制发。")
    _decide(dr, case, "guidance_order")
    dr.do("judge", case, Task.DRAFT_ORDER, {"action": "submit", "failings": "父母互相推诿抚养责任。",
                                            "duties": "父母双方按时参加家庭教育指导", "provider_id": dr.provider_id(),
                                            "content": "共同抚养与亲子沟通", "sessions": 4, "session_interval_days": 30,
                                            "period_days": 120, "deadline": (clock.today() + timedelta(days=120)).isoformat(),
                                            "judicial_case_number": "（2026）渝0105民初2345号", "judicial_case_cause": "离婚纠纷",
                                            "judicial_case_stage": "family_dispute"}, measure="guidance_order")


def story_new_clue(dr, out):
    """学校强制报告：公安一小时内受理、次日反馈；妇联建档，待社会调查。"""
    clue = _clue(dr, "teacher", "school", {"child_name": "郑可欣", "child_sex": "F", "child_birth_date": "2015-03-03"},
                 "学生称继父经常打骂，身上有伤。", ["violence_abuse"], ["blended"],
                 [{"name": "郑某", "relation": "mother", "is_guardian": True},
                  {"name": "冯某", "relation": "other", "is_guardian": False}], reporter_name="班主任郑老师")
    yield 0.04
    dr.acknowledge("police", clue)
    yield 1
    dr.respond("police", clue, "已出警核查，对继父进行警告并立案调查，儿童暂由外婆照看。")
    case = services.open_case(dr.gl, dr.actor(WF), clue, {"case_type": "general"})
    out.append((case, "学校强制报告：公安受理并反馈，新建个案待评估"))


# (days before today the story starts, story): each ends close to today, so the cases stand where live cases
# would — a visit or session awaited, an order being checked, a new round just assessed — rather than
# months past their due dates; only the chased case is late on purpose.
STORIES = [
    (260, story_blue_closed), (75, story_escalated), (70, story_supervision_order), (70, story_overdue_chased),
    (46, story_red_protected), (40, story_court_guidance_order), (26, story_reprimand_declined_then_upgraded),
    (200, story_watched), (6, story_order_refused), (3, story_new_clue),
]


def _run_timers_until(gl: GuardLoop, moment) -> None:
    """Fire every timer due before ``moment`` at its own due time, as a scheduler running all along would."""
    while True:
        with gl.reading() as session:
            due = session.scalar(select(func.min(Round.next_timer_at)).where(Round.status == "running"))
        if due is None or due > moment:
            return
        clock.set(max(due + timedelta(seconds=1), clock.now()))  # timers fire once strictly past due
        services.tick(gl)


def seed_demo(gl: GuardLoop) -> list[tuple[str, str]]:
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
    seed_bases_demo(gl)   # practice bases, activities and quotas, the screening register (engine/demo/bases.py);
    # first, so that the parent schools' course at the 江北 base finds it renewed
    seed_school(gl)   # parent schools: the 2025—2026 school year in 江北 and 高新区 (engine/demo/school.py)
    with gl.reading() as session:
        numbers = {c.id: c.case_no for c in session.scalars(select(Case))}
    return [(numbers[case_id], story) for case_id, story in out]
