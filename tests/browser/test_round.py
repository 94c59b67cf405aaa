"""A whole orange round through the browser, as the people of five agencies who do it.

Community worker registers a mandatory report → the police acknowledge it and record what they did →
women's federation caseworker opens the case, investigates, assesses (orange) and proposes measures:
an order urging guardianship referred to the procuratorate, a family-education guidance order referred to
the court → the prosecutor accepts and drafts, the procuratorate's head of department approves from the
approval queue, the prosecutor serves it → the judge accepts and drafts, the court's head returns the
draft, the judge corrects it, the head approves, the court clerk serves it, the court records that no
reconsideration was applied for → the caseworker drafts the guidance plan → the counsellor records the
sessions and the caseworker the visits when they happen (the clock moves and timers fire between) → the
prosecutor and the judge check compliance → the review falls due: re-assessment (yellow), a downgrade
request, the supervisor approves → round 2 starts.
"""
import re
from datetime import timedelta

from playwright.sync_api import expect

from engine import services
from engine.rules.idcard import checksum_char
from engine.reference import ASSESSMENT_ITEMS
from engine.demo.scenario import scores

from .conftest import exact_label

CHILD_NAME = "王小明"
BIRTH = "2015-03-12"
ID_NUMBER = "500105" + BIRTH.replace("-", "") + "023"   # order code 023: odd → male
ID_NUMBER += checksum_char(ID_NUMBER)


def inbox_row(page, case_no, title, about=None):
    row = (page.get_by_role("row").filter(has=page.get_by_role("link", name=case_no, exact=True))
           .filter(has=page.get_by_role("link", name=title, exact=True)))
    return row.filter(has_text=about) if about else row


def open_from_inbox(page, shots, user, case_no, title, step, about=None, heading=None):
    """The task is in the user's inbox (待办) for this case (``about`` the measure, when it names one); open
    it from there."""
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("待办")
    row = inbox_row(page, case_no, title, about)
    expect(row).to_have_count(1)
    shots(page, user, f"inbox-{step}")
    row.get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading or title)
    expect(page.locator(".crumbs")).to_contain_text(case_no)


def submit(page, shots, user, title, step, flash=None):
    """Submit the task form; the flash says it was saved (a decision says what was decided: ``flash``)."""
    shots(page, user, f"form-{step}")
    page.get_by_role("button", name="提交").click()
    expect(page.locator(".flash.success")).to_contain_text(flash or f"已保存：{title}")
    shots(page, user, f"saved-{step}")


def preview_draft(page):
    """Open the draft's preview (a new tab): an order is approved by someone who read its draft."""
    with page.expect_popup() as opened:
        page.get_by_role("button", name="预览草稿").click()
    opened.value.close()


def give_scores(page, total):
    for item, value in scores(total).items():
        group = page.get_by_role("radiogroup", name=ASSESSMENT_ITEMS[item][0])
        group.get_by_label(str(value), exact=True).check()


def due_list(page):
    """What the case page says is due: the task titles in its list."""
    section = page.locator("section", has=page.get_by_role("heading", name="待办与期限"))
    return section.locator("tbody tr td:nth-child(2)")


def code_badge(page):
    return page.get_by_role("heading", level=1).locator(".code")


def record(page, shots, user, case_url, button, step, fill):
    """A visit or a session is recorded from the case page when it happens."""
    page.goto(case_url)
    page.get_by_role("link", name=button, exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(button)
    fill(page)
    shots(page, user, f"form-{step}")
    page.get_by_role("button", name="提交").click()
    expect(page.locator(".flash.success")).to_contain_text("已记录")
    shots(page, user, f"saved-{step}")


def deliver(page, shots, user, case_no, about, method, step):
    open_from_inbox(page, shots, user, case_no, "送达", step, about)
    page.get_by_label("送达方式").select_option(label=method)
    page.get_by_label(exact_label("受送达人")).fill("王大山（父亲）")
    page.get_by_label(exact_label("送达地点")).fill("江北区观音桥街道某小区")
    page.get_by_label("受送达人已签收").check()
    submit(page, shots, user, "送达", step)


def check_compliance(page, shots, user, case_no, about, step):
    open_from_inbox(page, shots, user, case_no, "履行情况检查", step, about)
    page.get_by_label("收到监护人的履行报告").check()
    page.get_by_label("履行情况").select_option(label="已履行")
    page.get_by_label(exact_label("情况说明")).fill("监护人按期书面报告，回访核实属实。")
    submit(page, shots, user, "履行情况检查", step)


def test_an_orange_round_each_agency_deciding_its_own_measure(users, live_server, clock, shots):
    today = clock.today().isoformat()

    # --- community worker registers a mandatory report -----------------------------------------
    page = users["community"]
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="登记线索").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("登记风险线索")
    clue = page.get_by_role("group", name="线索信息")
    clue.get_by_label("来源").select_option(label="社区")
    clue.get_by_label(exact_label("报告人")).fill("网格员何平")
    clue.get_by_label("接收日期").fill(today)
    clue.get_by_label("强制报告").check()
    clue.get_by_label("报告内容").fill("孩子多次深夜独自在外，父亲长期外出务工，疑遭他人侵害。")
    child = page.get_by_role("group", name="儿童信息")
    child.get_by_label("姓名").fill(CHILD_NAME)
    child.get_by_label("性别").select_option(label="男")
    child.get_by_label("出生日期").fill(BIRTH)
    child.get_by_label("居民身份证号").fill(ID_NUMBER)
    child.get_by_label("学校").fill("江北区某小学")
    page.get_by_role("group", name="家庭类型").get_by_label("留守").check()
    page.get_by_role("group", name="风险因素").get_by_label("未成年人系被害人").check()
    carers = page.get_by_role("group", name="监护人及照料人")
    for n, (name, relation, guardian) in enumerate([("王大山", "父亲", True), ("李秀兰", "祖父母/外祖父母", False)]):
        carers.get_by_label("姓名").nth(n).fill(name)
        carers.get_by_label("与儿童关系").nth(n).select_option(label=relation)
        if guardian:
            carers.get_by_label("法定监护人（不勾选则为照料人）").nth(n).check()
    shots(page, "community", "clue-form")
    page.get_by_role("button", name="登记", exact=True).click()
    expect(page.locator(".flash.success")).to_contain_text("风险线索已登记")
    row = page.locator("tbody tr").first
    expect(row).not_to_contain_text(CHILD_NAME)          # the list masks the child's name
    clue_no = row.locator("td").first.inner_text().strip()
    shots(page, "community", "clue-registered")

    # --- the police receive the report at once, acknowledge it and say what they did -----------
    police = users["police"]
    police.get_by_role("navigation", name="主导航").get_by_role("link", name="强制报告").click()
    report = police.get_by_role("row").filter(has_text=clue_no)
    expect(report).to_contain_text("孩子多次深夜独自在外")
    shots(police, "police", "report-received")
    report.get_by_role("button", name="受理").click()
    expect(police.locator(".flash.success")).to_be_visible()
    report = police.get_by_role("row").filter(has_text=clue_no)
    report.get_by_role("textbox").fill("已出警核查：儿童安全，由祖母照看；已通知妇联跟进。")
    report.get_by_role("button", name="记录处置反馈").click()
    expect(police.locator(".flash.success")).to_be_visible()
    shots(police, "police", "report-answered")

    # --- caseworker opens the case, investigates and assesses ----------------------------------
    cw = users["wf_caseworker"]
    cw.get_by_role("navigation", name="主导航").get_by_role("link", name="风险线索").click()
    row = cw.get_by_role("row").filter(has_text=clue_no)
    row.get_by_role("link", name="建档").click()
    expect(cw.get_by_role("heading", level=1)).to_contain_text(clue_no)
    cw.get_by_label("未成年被害人案件").check()
    shots(cw, "wf_caseworker", "open-case")
    cw.get_by_role("button", name="建档并启动第一轮干预").click()
    expect(cw.locator(".flash.success")).to_contain_text("已建档")
    expect(code_badge(cw)).to_have_text("未赋码")
    case_no = re.match(r"\S+", cw.get_by_role("heading", level=1).inner_text()).group(0)
    case_url = cw.url
    expect(cw.locator("dl.facts")).to_contain_text(ID_NUMBER)
    expect(due_list(cw)).to_have_text(["社会调查"])
    shots(cw, "wf_caseworker", "case-opened")

    open_from_inbox(cw, shots, "wf_caseworker", case_no, "社会调查", "investigation")
    expect(cw.get_by_label("调查日期")).to_have_value(today)      # dates default to today by the engine's clock
    cw.get_by_label("调查发现").fill("走访家庭、学校：父亲外出务工，孩子由祖母照看，放学后常独自在外。")
    cw.get_by_label("信息来源").fill("学校、社区、邻居")
    submit(cw, shots, "wf_caseworker", "社会调查", "investigation")

    open_from_inbox(cw, shots, "wf_caseworker", case_no, "监护能力评估打分", "assessment")
    give_scores(cw, 18)
    cw.get_by_role("group", name="风险因素").get_by_label("未成年人系被害人").check()
    cw.get_by_label("评估结论").fill("监护严重缺失，儿童系被害人。")
    submit(cw, shots, "wf_caseworker", "监护能力评估打分", "assessment")
    expect(code_badge(cw)).to_have_text("橙码")
    expect(cw.locator("ol.timeline li")).to_have_count(1)
    # handling, guidance and follow-up start together: nothing waits for another step
    expect(due_list(cw)).to_contain_text(["提出处置意见并移送", "制定家庭教育指导方案", "下次回访"])

    # --- the women's federation proposes; each measure goes to the agency that decides it -------
    open_from_inbox(cw, shots, "wf_caseworker", case_no, "提出处置意见并移送", "propose")
    # orange × minor victim: the table suggests a notice and the order urging guardianship
    expect(cw.get_by_label("告知（家庭教育责任告知书）")).to_be_checked()
    expect(cw.get_by_label("提请检察院：督促监护令")).to_be_checked()
    expect(cw.get_by_label("提请法院：家庭教育指导令")).not_to_be_checked()
    shots(cw, "wf_caseworker", "propose-suggested")
    cw.get_by_label("告知（家庭教育责任告知书）").uncheck()
    cw.get_by_label("提请法院：家庭教育指导令").check()
    cw.get_by_label("意见与理由").fill("橙码：提请检察院发出督促监护令，提请法院责令接受家庭教育指导。")
    submit(cw, shots, "wf_caseworker", "提出处置意见并移送", "propose")
    measures = cw.locator("section", has=cw.get_by_role("heading", name="处置措施与令"))
    expect(measures.locator("tbody tr")).to_have_count(2)
    expect(measures).to_contain_text("待审查")

    deadline = (clock.today() + timedelta(days=90)).isoformat()
    pro = users["prosecutor"]
    open_from_inbox(pro, shots, "prosecutor", case_no, "审查决定", "decide-order", "督促监护令")
    expect(pro.locator("section.request")).to_contain_text("提请检察院发出督促监护令")
    pro.get_by_label("决定").select_option(label="受理")
    submit(pro, shots, "prosecutor", "审查决定", "decide-order")
    open_from_inbox(pro, shots, "prosecutor", case_no, "拟制文书", "draft-order", "督促监护令", "拟制督促监护令")
    pro.get_by_label("查明的事实").fill("父亲长期外出，未委托有能力的人照护。")
    pro.get_by_label("应履行的具体义务").fill("一、委托有能力的亲属照护；二、每周与孩子通话；三、每月向检察院报告。")
    pro.get_by_label("履行期限").fill(deadline)
    submit(pro, shots, "prosecutor", "拟制督促监护令", "draft-order")

    # the procuratorate's head of department approves from the approval queue: then it is numbered and issued
    head = users["pro_supervisor"]
    head.get_by_role("navigation", name="主导航").get_by_role("link", name="审批").click()
    request = head.locator("section.approval").filter(has=head.get_by_role("link", name=case_no, exact=True))
    expect(request).to_have_count(1)
    expect(request.get_by_role("heading", level=2)).to_contain_text("督促监护令")
    expect(request).to_contain_text("父亲长期外出")
    shots(head, "pro_supervisor", "approval-queue")
    expect(request.get_by_role("button", name="同意")).to_have_count(0)   # not without reading the draft
    request.get_by_role("link", name="阅读草稿后审批").click()
    head.get_by_label("审批意见").select_option(label="同意")
    head.get_by_role("button", name="提交").click()
    expect(head.locator(".error")).to_contain_text("批准前请先预览文书草稿")
    preview_draft(head)
    head.get_by_label("审批意见").select_option(label="同意")
    head.get_by_role("button", name="提交").click()
    expect(head.locator(".flash.success")).to_contain_text("已同意")
    shots(head, "pro_supervisor", "approved")

    judge = users["judge"]
    open_from_inbox(judge, shots, "judge", case_no, "审查决定", "decide-court-order", "家庭教育指导令")
    judge.get_by_label("决定").select_option(label="受理")
    submit(judge, shots, "judge", "审查决定", "decide-court-order")
    open_from_inbox(judge, shots, "judge", case_no, "拟制文书", "draft-court-order", "家庭教育指导令",
                    "拟制家庭教育指导令（决定书）")
    judge.get_by_label("查明的事实").fill("监护人怠于履行家庭教育责任。")
    judge.get_by_label("应履行的具体义务").fill("按期接受家庭教育指导。")
    judge.get_by_label("履行期限").fill(deadline)
    judge.get_by_label("指导机构").select_option(index=1)
    judge.get_by_label("指导内容").fill("留守儿童的远程陪伴与委托照护")
    judge.get_by_label("指导次数").fill("2")
    judge.get_by_label("间隔（天）").fill("14")
    judge.get_by_label("指导期限（天）").fill("60")
    judge.get_by_label("书记员").fill("孙丽")
    submit(judge, shots, "judge", "拟制家庭教育指导令（决定书）", "draft-court-order")

    # the court's head returns the draft with a reason: it goes back to the judge, filled in as it was
    court_head = users["court_supervisor"]
    open_from_inbox(court_head, shots, "court_supervisor", case_no, "审批签发", "court-approval")
    expect(court_head.locator("section.request").first).to_contain_text("按期接受家庭教育指导。")
    court_head.get_by_label("审批意见").select_option(label="退回补正")
    court_head.get_by_label("意见说明").fill("请写明每次指导的时长与报告方式。")
    submit(court_head, shots, "court_supervisor", "审批签发", "court-return", flash="已退回补正")
    open_from_inbox(judge, shots, "judge", case_no, "拟制文书", "redraft", "家庭教育指导令", "拟制家庭教育指导令（决定书）")
    expect(judge.locator(".alert.returned")).to_contain_text("请写明每次指导的时长与报告方式。")
    expect(judge.get_by_label("应履行的具体义务")).to_have_value("按期接受家庭教育指导。")
    judge.get_by_label("应履行的具体义务").fill("按期接受家庭教育指导，每次不少于 60 分钟，每月书面报告。")
    submit(judge, shots, "judge", "拟制家庭教育指导令（决定书）", "redraft")
    open_from_inbox(court_head, shots, "court_supervisor", case_no, "审批签发", "court-approval-2")
    preview_draft(court_head)
    court_head.get_by_label("审批意见").select_option(label="同意")
    submit(court_head, shots, "court_supervisor", "审批签发", "court-approve", flash="已同意")

    deliver(pro, shots, "prosecutor", case_no, "督促监护令", "宣告送达", "deliver-order")
    clerk = users["court_clerk"]
    deliver(clerk, shots, "court_clerk", case_no, "家庭教育指导令", "直接送达", "deliver-court-order")
    docs = clerk.locator("section", has=clerk.get_by_role("heading", name="文书")).locator("li")
    for doc in ("督促监护令", "家庭教育指导令"):
        expect(docs.filter(has_text=doc).first).to_contain_text("已送达")
    # the guardian may apply once for reconsideration of the court's decision; none came
    open_from_inbox(court_head, shots, "court_supervisor", case_no, "复议申请与决定", "objection")
    submit(court_head, shots, "court_supervisor", "复议申请与决定", "objection")

    # --- guide: the plan, then sessions recorded as they happen -------------------------------
    open_from_inbox(cw, shots, "wf_caseworker", case_no, "制定家庭教育指导方案", "plan")
    cw.get_by_label("指导机构").select_option(index=1)
    cw.get_by_label("指导次数").fill("2")
    cw.get_by_label("指导目标").fill("帮助父亲落实委托照护，建立每周沟通。")
    submit(cw, shots, "wf_caseworker", "制定家庭教育指导方案", "plan")

    counsellor = users["wf_counsellor"]

    def session(page):
        page.get_by_label("指导形式").select_option(label="个案指导")
        expect(page.get_by_label("监护人到场")).to_be_checked()
        page.get_by_label("指导内容").fill("个案指导：亲子沟通与委托照护。")

    def visit(n):
        def fill(page):
            expect(page.get_by_label("回访日期")).to_have_value(clock.today().isoformat())
            page.get_by_label("回访方式").select_option(label="入户走访" if n % 2 else "电话回访")
            page.get_by_label(exact_label("回访情况")).fill(f"第 {n} 次回访：孩子由祖母照看，情况稳定。")
            page.get_by_label("监护人履行令状与指导方案").check()
        return fill

    # --- follow up: visits every 14 days, sessions, compliance checks -------------------------
    for n in range(1, 5):
        clock.advance(timedelta(days=13))
        services.tick(live_server.gl)
        record(cw, shots, "wf_caseworker", case_url, "记录回访", f"visit-{n}", visit(n))
        if n <= 2:
            record(counsellor, shots, "wf_counsellor", case_url, "记录家庭教育指导", f"session-{n}", session)
        if n == 2:
            check_compliance(pro, shots, "prosecutor", case_no, "督促监护令", "check-order")
            check_compliance(judge, shots, "judge", case_no, "家庭教育指导令", "check-court-order")
    cw.goto(case_url)
    expect(cw.locator("section", has=cw.get_by_role("heading", name="回访")).locator("tbody tr")).to_have_count(4)
    expect(cw.locator("section", has=cw.get_by_role("heading", name="指导", exact=True)).locator("tbody tr")) \
        .to_have_count(2)
    shots(cw, "wf_caseworker", "case-before-review")

    # --- review: when it falls due (60 days for orange) ---------------------------------------
    clock.advance(timedelta(days=9))
    services.tick(live_server.gl)
    open_from_inbox(cw, shots, "wf_caseworker", case_no, "再评估", "reassess")
    give_scores(cw, 13)
    cw.get_by_role("group", name="风险因素").get_by_label("不良行为").check()
    cw.get_by_label("评估结论").fill("照护已落实，仍有不良行为需关注。")
    submit(cw, shots, "wf_caseworker", "再评估", "reassess")

    open_from_inbox(cw, shots, "wf_caseworker", case_no, "决定本轮结果", "outcome")
    review = cw.locator("section", has=cw.get_by_role("heading", name="复评"))
    expect(review.locator("dd").nth(0)).to_have_text("橙码")
    expect(review.locator("dd").nth(1)).to_have_text("黄码")
    expect(review.locator("dd").nth(2)).to_have_text("是")     # evidence complete
    expect(review.locator("dd").nth(3)).to_have_text("否")     # no order breached
    expect(cw.get_by_label("结果")).to_have_value("downgrade")
    cw.get_by_label(exact_label("理由")).fill("四次回访情况稳定，两项令均已履行，申请降为黄码。")
    submit(cw, shots, "wf_caseworker", "决定本轮结果", "outcome")

    sup = users["wf_supervisor"]
    open_from_inbox(sup, shots, "wf_supervisor", case_no, "审批降级", "approve")
    request = sup.locator("section.request")
    expect(request.locator(".code")).to_have_text(["橙码", "黄码"])
    expect(request).to_contain_text("申请降为黄码")
    sup.get_by_label("审批意见").select_option(label="同意")
    sup.get_by_label("意见说明").fill("同意降级。")
    submit(sup, shots, "wf_supervisor", "审批降级", "approve", flash="已同意")

    # --- the case after the round -------------------------------------------------------------
    sup.goto(case_url)
    expect(code_badge(sup)).to_have_text("黄码")
    history = sup.locator("ol.timeline li")
    expect(history).to_have_count(2)
    expect(history.filter(has_text="降级").locator(".code")).to_have_text("黄码")
    expect(due_list(sup).first).to_contain_text("社会调查")
    approvals = sup.locator("section", has=sup.get_by_role("heading", name="审批")).locator("li")
    expect(approvals.filter(has_text="降级")).to_contain_text("已批准")
    expect(approvals.filter(has_text="家庭教育指导令")).to_have_count(2)     # returned once, then approved
    shots(sup, "wf_supervisor", "case-after-round")

    sup.get_by_role("button", name="退出").click()
    expect(sup.get_by_role("heading", level=1)).to_have_text("登录")
    sup.goto(case_url)
    expect(sup.get_by_role("heading", level=1)).to_have_text("登录")    # signed out: back to the login page
