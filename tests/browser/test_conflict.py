"""Two tabs on the same case: the later submit gets 409, says what happened, and keeps what was typed."""
from playwright.sync_api import expect

from .conftest import exact_label, seed_case, sign_in


def submit_and_get_status(page):
    with page.expect_response(lambda r: r.request.method == "POST") as response:
        page.get_by_role("button", name="提交").click()
    page.wait_for_load_state()
    return response.value.status


def test_two_caseworkers_submit_the_same_task_the_second_keeps_their_text(users, live_server, clock, shots):
    case_id, driver = seed_case(live_server.gl)
    task_id = driver.item(case_id, "social_investigation").task_id
    url = f"/cases/{case_id}/tasks/{task_id}"
    tab_a, tab_b = users["wf_caseworker"], users["wf_caseworker2"]
    for tab, who in ((tab_b, "wf_caseworker2"), (tab_a, "wf_caseworker")):   # tab B was opened first
        tab.goto(url)
        expect(tab.get_by_role("heading", level=1)).to_have_text("社会调查")
        shots(tab, who, "task-open")

    tab_a.get_by_label("调查发现").fill("第一人的调查：家中无人照看。")
    assert submit_and_get_status(tab_a) == 302
    expect(tab_a.locator(".flash.success")).to_have_text("已保存：社会调查。")
    shots(tab_a, "wf_caseworker", "submitted-first")

    typed = "第二人写的很长的调查记录：走访了学校、社区和外婆家，孩子近两周旷课三天。"
    tab_b.get_by_label("调查发现").fill(typed)
    tab_b.get_by_label("信息来源").fill("学校、社区、外婆")
    assert submit_and_get_status(tab_b) == 409
    alert = tab_b.get_by_role("alert")
    expect(alert).to_contain_text("该个案刚刚被他人更新。")
    expect(alert).to_contain_text("刷新")
    expect(alert).to_contain_text("您填写的内容仍保留在下方表单中")
    expect(tab_b.get_by_label("调查发现")).to_have_value(typed)
    expect(tab_b.get_by_label("信息来源")).to_have_value("学校、社区、外婆")
    # The task is done: no submit button and no "reload the task", only the way to the case.
    expect(tab_b.get_by_role("button", name="提交")).to_have_count(0)
    expect(alert.get_by_role("link", name="重新加载任务")).to_have_count(0)
    shots(tab_b, "wf_caseworker2", "conflict-409")

    alert.get_by_role("link", name="查看个案").click()
    expect(tab_b).to_have_url(f"{live_server.url}/cases/{case_id}")
    tasks = tab_b.locator("section", has=tab_b.get_by_role("heading", name="待办与期限")).locator("tbody tr")
    expect(tasks).to_have_count(1)
    expect(tasks.first).to_contain_text("监护能力评估打分")   # the first person's submit moved the case on
    shots(tab_b, "wf_caseworker2", "case-after-conflict")


def test_a_stale_tab_on_a_still_open_task_can_reload_and_submit(users, live_server, clock, shots):
    from engine.demo.scenario import scores

    case_id, driver = seed_case(live_server.gl, child_name="赵小兰", tasks=[
        ("wf_caseworker", "social_investigation", {"findings": "走访", "investigated_on": "2026-06-01"}),
        ("wf_caseworker", "scored_assessment", {**scores(8), "risk_factors": [], "summary": "评估"}),
        ("wf_caseworker", "propose_measures", {"measure_notify": True, "measure_admonish": True, "reason": "两项"}),
    ])
    notify = driver.item(case_id, "notify_guardian").task_id
    admonish = driver.item(case_id, "admonish_guardian").task_id
    context = users.context()
    tab_a = sign_in(context.new_page(), "wf_caseworker", shots)
    tab_b = context.new_page()                        # the same person, a second tab
    tab_b.goto(f"/cases/{case_id}/tasks/{admonish}")
    expect(tab_b.get_by_role("heading", level=1)).to_have_text("劝诫监护人")
    tab_a.bring_to_front()                            # a background tab gets no frames: screenshots would wait
    tab_a.goto(f"/cases/{case_id}/tasks/{notify}")
    tab_a.get_by_label("告知内容").fill("已告知家庭教育责任。")
    tab_a.get_by_label(exact_label("受送达人")).fill("赵某（父亲）")
    assert submit_and_get_status(tab_a) == 302
    shots(tab_a, "wf_caseworker", "notified")

    tab_b.bring_to_front()
    tab_b.get_by_label("劝诫内容").fill("劝诫父亲每晚按时接孩子回家。")
    assert submit_and_get_status(tab_b) == 409
    alert = tab_b.get_by_role("alert")
    expect(alert).to_contain_text("刷新")
    expect(tab_b.get_by_label("劝诫内容")).to_have_value("劝诫父亲每晚按时接孩子回家。")
    expect(tab_b.get_by_role("button", name="提交")).to_be_visible()       # still open: it can be sent again
    shots(tab_b, "wf_caseworker", "stale-409")

    alert.get_by_role("link", name="重新加载任务").click()
    expect(tab_b.get_by_role("alert")).to_have_count(0)
    tab_b.get_by_label(exact_label("劝诫内容")).fill("劝诫父亲每晚按时接孩子回家。")
    assert submit_and_get_status(tab_b) == 302
    expect(tab_b.locator(".flash.success")).to_have_text("已保存：劝诫监护人。")
    shots(tab_b, "wf_caseworker", "admonished-after-reload")
