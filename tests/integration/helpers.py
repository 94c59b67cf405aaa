"""Steps shared by the integration tests, all through the public services."""
from engine import services
from engine.scenario import scores

CHILD = {"child_name": "测试儿童", "child_sex": "M", "child_birth_date": "2014-05-01",
         "child_id_number": "50010520140501001X"}


def new_case(driver, case_type="general", reporter="teacher", opener="wf_caseworker", **child):
    data = {"source": "school", "reporter_name": "班主任", "mandatory_report": True,
            "received_at": driver.today(), "description": "多次旷课", "family_types": ["left_behind"],
            "risk_factors": ["truancy"], "guardians": [{"name": "监护人甲", "relation": "father", "is_guardian": True}],
            **CHILD, **child}
    clue = services.register_clue(driver.gl, driver.actor(reporter), data)
    return services.open_case(driver.gl, driver.actor(opener), clue, {"case_type": case_type})


def assess(driver, case, total, factors, who="wf_caseworker"):
    driver.do(who, case, "social_investigation", {"findings": "走访", "investigated_on": driver.today()})
    driver.do(who, case, "scored_assessment", {**scores(total), "risk_factors": factors, "summary": "评估"})


def plan(driver, case, sessions=1, period_days=60):
    driver.do("wf_caseworker", case, "draft_guidance_plan", {"provider_id": driver.provider_id(),
                                                             "sessions_required": sessions,
                                                             "period_days": period_days, "goals": "目标"})


def session(driver, case, attended=True, minutes=60):
    driver.do("wf_counsellor", case, "record_guidance_session",
              {"kind": "case_guidance", "held_on": driver.today(), "minutes": minutes, "guardian_attended": attended})


def visit(driver, case):
    driver.do("wf_caseworker", case, "record_followup_visit",
              {"method": "phone", "visited_on": driver.today(), "findings": "稳定", "orders_complied": True})


# a notice or reprimand is served on the spot
ON_THE_SPOT = {"delivery_method": "in_person", "recipient": "监护人", "signed": True}
# the officer who drafts an order -> the head of department who approves it
APPROVER = {"prosecutor": "pro_supervisor", "judge": "court_supervisor"}


def notify(driver, case):
    driver.do("wf_caseworker", case, "notify_guardian", {"notified_on": driver.today(), "content": "告知", **ON_THE_SPOT})


def order(driver, case, who, spec, approve=True, **extra):
    """Draft an order and (unless ``approve`` is False) have the head of department approve it."""
    driver.do(who, case, spec, {"failings": "疏于照料", "duties": "按时接送", "deadline": "2026-04-30", **extra})
    if approve:
        services.approve(driver.gl, driver.actor(APPROVER[who]), case, "approved", "同意签发", driver.version(case))


def deliver(driver, case, who, spec):
    driver.do(who, case, spec, {"method": "in_person", "delivered_on": driver.today(), "recipient": "父亲",
                                "signed": True})


def open_specs(driver, case):
    return sorted((i.task_spec, i.lane) for i in driver.open_items(case))


def red_case_requesting_escalation(driver):
    """A red case whose plan ran out unmet and whose re-assessment stays red: the caseworker escalates."""
    case = new_case(driver, case_type="minor_victim")
    assess(driver, case, 30, ["violence_abuse"])
    driver.do("wf_caseworker", case, "decide_handling", {"measure_notify": True, "reason": "红码"})
    notify(driver, case)
    plan(driver, case, sessions=3, period_days=30)
    driver.advance(31)  # the plan's period ends unmet
    for _ in range(4):
        driver.advance(8)
        visit(driver, case)
    driver.do("wf_caseworker", case, "reassess", {**scores(30), "risk_factors": ["violence_abuse"], "summary": "未改善"})
    services.escalate(driver.gl, driver.actor("wf_caseworker"), case, "拒不配合", driver.version(case))
    assert open_specs(driver, case) == [("approve_escalation", "womens_federation")]
    return case


def blue_case_at_its_outcome(driver):
    """A blue case through one whole round (notice, one session, two visits, a stable re-assessment): the
    caseworker's outcome decision is next."""
    case = new_case(driver)
    assess(driver, case, 3, [])
    driver.do("wf_caseworker", case, "decide_handling", {"measure_notify": True, "reason": "蓝码"})
    notify(driver, case)
    plan(driver, case)
    driver.advance(5)
    session(driver, case)
    for _ in range(2):
        driver.advance(91)
        visit(driver, case)
    driver.do("wf_caseworker", case, "reassess", {**scores(2), "risk_factors": [], "summary": "稳定"})
    return case
