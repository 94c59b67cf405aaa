"""Steps shared by the integration tests, all through the public services."""
from engine import services
from engine.demo.scenario import scores

CHILD = {"child_name": "测试儿童", "child_sex": "M", "child_birth_date": "2014-05-01",
         "child_id_number": "50010520140501001X"}
# the officer who drafts each measure's document, and the head of department who approves it
OFFICER = {"supervision_order": "prosecutor", "guidance_order": "judge", "reprimand": "police",
           "warning_letter": "police", "protection_order": "judge"}
HEAD = {"prosecutor": "pro_supervisor", "judge": "court_supervisor", "police": "police_supervisor"}
APPROVER = HEAD


def new_case(driver, case_type="general", reporter="teacher", opener="wf_caseworker", **child):
    data = {"source": "school", "reporter_name": "班主任", "mandatory_report": False,
            "received_at": driver.today(), "description": "多次旷课", "family_types": ["left_behind"],
            "risk_factors": ["truancy"], "guardians": [{"name": "监护人甲", "relation": "father", "is_guardian": True}],
            **CHILD, **child}
    clue = services.register_clue(driver.gl, driver.actor(reporter), data)
    return services.open_case(driver.gl, driver.actor(opener), clue, {"case_type": case_type})


def assess(driver, case, total, factors, who="wf_caseworker", **extra):
    driver.do(who, case, "social_investigation", {"findings": "走访", "investigated_on": driver.today()})
    driver.do(who, case, "scored_assessment", {**scores(total), "risk_factors": factors, "summary": "评估", **extra})


def propose(driver, case, notify=True, admonish=False, care=False, reason="按风险等级处置。", **refer):
    """The caseworker's proposal: ``refer`` names measures to refer (``supervision_order=True``)."""
    data = {"measure_notify": notify, "measure_admonish": admonish, "measure_care": care, "reason": reason,
            **{f"refer_{measure}": True for measure, chosen in refer.items() if chosen is True}}
    data.update({k: v for k, v in refer.items() if v is not True})
    driver.do("wf_caseworker", case, "propose_measures", data)


def plan(driver, case, sessions=None, period_days=None):
    data = {"provider_id": driver.provider_id(), "goals": "目标"}
    if sessions:
        data["sessions_required"] = sessions
    if period_days:
        data["period_days"] = period_days
    driver.do("wf_caseworker", case, "draft_guidance_plan", data)


def session(driver, case, attended=True, minutes=60):
    return driver.session("wf_counsellor", case, guardian_attended=attended, minutes=minutes)


def visit(driver, case, who="wf_caseworker", **data):
    return driver.visit(who, case, **data)


# a notice is served on the spot
ON_THE_SPOT = {"delivery_method": "in_person", "recipient": "监护人", "signed": True}


def notify(driver, case):
    driver.do("wf_caseworker", case, "notify_guardian", {"notified_on": driver.today(), "content": "告知", **ON_THE_SPOT})


def decide(driver, case, measure, decision="accept", reason=""):
    driver.do(OFFICER[measure], case, "decide_referral", {"decision": decision, "reason": reason}, measure=measure)


def draft(driver, case, measure, **extra):
    data = {"action": "submit", "failings": "疏于照料", "duties": "按时接送", "deadline": "2026-04-30", **extra}
    if measure == "guidance_order":
        data.update(provider_id=driver.provider_id(), content="亲职教育", sessions=6, session_interval_days=30,
                    period_days=180)
    if measure == "protection_order":
        data.update(respondent="监护人甲", prohibitions=["no_violence"], months=6)
    if measure == "reprimand":
        data.update(reprimanded_on=driver.today())
    driver.do(OFFICER[measure], case, "draft_order", data, measure=measure)


def order(driver, case, measure, approve=True, **extra):
    """The issuer accepts the referral and drafts; the head of department approves (unless ``approve`` is
    False)."""
    decide(driver, case, measure)
    draft(driver, case, measure, **extra)
    if approve:
        driver.do(HEAD[OFFICER[measure]], case, "approve_order", {"decision": "approved", "reason": "同意签发"},
                  measure=measure)


def deliver(driver, case, measure):
    driver.do(OFFICER[measure], case, "deliver_order", {"method": "in_person", "delivered_on": driver.today(),
                                                        "recipient": "父亲", "place": "承办机关", "signed": True},
              measure=measure)


def open_specs(driver, case):
    return sorted((i.task_spec, i.lane) for i in driver.open_items(case))


def answer_chases(driver, case):
    """Each supervising agency answers the case's open chases; the kinds answered."""
    kinds = []
    for supervisor in ("wf_supervisor", "pro_supervisor", "court_supervisor", "police_supervisor"):
        for chase in services.open_chases(driver.gl, driver.actor(supervisor)):
            if chase.case_id == case:
                kinds.append(chase.kind)
                services.answer_chase(driver.gl, driver.actor(supervisor), chase.chase_id,
                                      {"explanation": "逾期原因", "action": "已督促"})
    return sorted(kinds)


def red_case_requesting_escalation(driver):
    """A red case whose sessions went unattended and whose re-assessment stays red: the caseworker escalates."""
    case = new_case(driver, case_type="minor_victim")
    assess(driver, case, 30, ["violence_abuse"])
    driver.do("wf_caseworker", case, "safety_contact", {"contacted_on": driver.today(), "method": "home_visit",
                                                        "child_seen": True, "child_safe": True, "findings": "安全"})
    propose(driver, case)
    notify(driver, case)
    plan(driver, case)
    for _ in range(4):
        driver.advance(7)
        visit(driver, case)
        session(driver, case, attended=False)
    driver.advance(3)
    answer_chases(driver, case)
    driver.do("wf_caseworker", case, "reassess", {**scores(30), "risk_factors": ["violence_abuse"], "summary": "未改善"})
    services.escalate(driver.gl, driver.actor("wf_caseworker"), case, "拒不配合", driver.version(case))
    assert open_specs(driver, case) == [("approve_escalation", "womens_federation")]
    return case


def blue_case_at_its_outcome(driver):
    """A blue case through one whole round (notice, two sessions, two visits, a stable re-assessment): the
    caseworker's outcome decision is next."""
    case = new_case(driver)
    assess(driver, case, 7, ["special_family"])
    propose(driver, case)
    notify(driver, case)
    plan(driver, case)
    for _ in range(2):
        driver.advance(80)
        session(driver, case)
        visit(driver, case)
    driver.advance(1)
    answer_chases(driver, case)
    driver.do("wf_caseworker", case, "reassess", {**scores(2), "risk_factors": [], "summary": "稳定"})
    return case
