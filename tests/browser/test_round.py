"""A whole orange round through the browser, as the seven people who do it.

Community worker registers the clue → women's federation caseworker opens the case, investigates,
assesses (orange) and decides the handling → prosecutor drafts the 督促监护令, the procuratorate's head of
department approves it from the approval queue, the prosecutor delivers it → judge drafts the 家庭教育指导令,
the court's head returns it for correction, the judge corrects it, the head approves, the court clerk
delivers it → caseworker drafts the plan → counsellor records the sessions → caseworker records four
visits (the clock moves 15 days and timers fire before each) → re-assessment (yellow) → downgrade request
→ supervisor approves → round 2 starts.
"""
import re
from datetime import timedelta

from playwright.sync_api import expect

from engine import services
from engine.idcard import checksum_char
from engine.reference import ASSESSMENT_ITEMS
from engine.scenario import scores

from .conftest import exact_label

CHILD_NAME = "王小明"
BIRTH = "2015-03-12"
ID_NUMBER = "500105" + BIRTH.replace("-", "") + "023"   # order code 023: odd → male
ID_NUMBER += checksum_char(ID_NUMBER)


def inbox_row(page, case_no, title):
    return (page.get_by_role("row").filter(has=page.get_by_role("link", name=case_no, exact=True))
            .filter(has=page.get_by_role("link", name=title, exact=True)))


def open_from_inbox(page, shots, user, case_no, title, step):
    """The task is in the user's inbox (待办) for this case; open it from there."""
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("待办")
    row = inbox_row(page, case_no, title)
    expect(row).to_have_count(1)
    shots(page, user, f"inbox-{step}")
    row.get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator(".crumbs")).to_contain_text(case_no)


def submit(page, shots, user, title, step):
    shots(page, user, f"form-{step}")
    page.get_by_role("button", name="提交").click()
    expect(page.locator(".flash.success")).to_have_text(f"已保存：{title}。")
    shots(page, user, f"saved-{step}")


def give_scores(page, total):
    for item, value in scores(total).items():
        group = page.get_by_role("radiogroup", name=ASSESSMENT_ITEMS[item][0])
        group.get_by_label(str(value), exact=True).check()


def open_tasks(page):
    section = page.locator("section", has=page.get_by_role("heading", name="待办任务"))
    return section.locator("tbody tr td:first-child")


def code_badge(page):
    return page.get_by_role("heading", level=1).locator(".code")


def test_an_orange_round_ends_in_an_approved_downgrade(users, live_server, clock, shots):
    today = clock.today().isoformat()

    # --- community worker registers the clue --------------------------------------------------
    page = users["community"]
    expect(page.locator(".empty")).to_have_text("暂无待办。")
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
    # A guardian and a carer; the third row stays empty.
    carers = page.get_by_role("group", name="监护人及照料人")
    for n, (name, relation, guardian) in enumerate([("王大山", "父亲", True), ("李秀兰", "祖父母/外祖父母", False)]):
        carers.get_by_label("姓名").nth(n).fill(name)
        carers.get_by_label("与儿童关系").nth(n).select_option(label=relation)
        if guardian:
            carers.get_by_label("法定监护人（不勾选则为照料人）").nth(n).check()
    shots(page, "community", "clue-form")
    page.get_by_role("button", name="登记", exact=True).click()
    expect(page.locator(".flash.success")).to_have_text("风险线索已登记。")
    expect(page.get_by_role("heading", level=1)).to_have_text("风险线索")
    row = page.locator("tbody tr").first
    expect(row).to_contain_text("待建档")
    expect(row).not_to_contain_text(CHILD_NAME)          # the list masks the child's name
    clue_no = row.locator("td").first.inner_text().strip()
    shots(page, "community", "clue-registered")

    # --- caseworker opens the case ------------------------------------------------------------
    cw = users["wf_caseworker"]
    cw.get_by_role("navigation", name="主导航").get_by_role("link", name="风险线索").click()
    row = cw.get_by_role("row").filter(has_text=clue_no)
    row.get_by_role("link", name="建档").click()
    expect(cw.get_by_role("heading", level=1)).to_contain_text(clue_no)
    cw.get_by_label("未成年被害人案件").check()
    shots(cw, "wf_caseworker", "open-case")
    cw.get_by_role("button", name="建档并启动第一轮干预").click()
    expect(cw.locator(".flash.success")).to_have_text("已建档，第一轮干预已启动。")
    expect(code_badge(cw)).to_have_text("未赋码")
    case_no = re.match(r"\S+", cw.get_by_role("heading", level=1).inner_text()).group(0)
    case_url = cw.url
    expect(cw.locator("dl.facts")).to_contain_text(ID_NUMBER)
    expect(cw.locator("dl.facts")).to_contain_text("未成年被害人案件")
    expect(open_tasks(cw)).to_have_text(["社会调查"])
    shots(cw, "wf_caseworker", "case-opened")

    # --- assess -------------------------------------------------------------------------------
    open_from_inbox(cw, shots, "wf_caseworker", case_no, "社会调查", "investigation")
    expect(cw.get_by_label("调查日期")).to_have_value(today)      # dates default to today by the engine's clock
    cw.get_by_label("调查发现").fill("走访家庭、学校：父亲外出务工，孩子由邻居照看，放学后常独自在外。")
    cw.get_by_label("信息来源").fill("学校、社区、邻居")
    submit(cw, shots, "wf_caseworker", "社会调查", "investigation")

    open_from_inbox(cw, shots, "wf_caseworker", case_no, "评估打分", "assessment")
    give_scores(cw, 18)
    cw.get_by_role("group", name="风险因素").get_by_label("未成年人系被害人").check()
    cw.get_by_label("评估结论").fill("监护严重缺失，儿童系被害人。")
    submit(cw, shots, "wf_caseworker", "评估打分", "assessment")
    expect(code_badge(cw)).to_have_text("橙码")
    history = cw.locator("ol.timeline li")
    expect(history).to_have_count(1)
    expect(history.first).to_contain_text("橙码")
    expect(history.first).to_contain_text("评估赋码")

    # --- handle -------------------------------------------------------------------------------
    open_from_inbox(cw, shots, "wf_caseworker", case_no, "处置决定", "handling")
    # orange × minor victim: the table suggests notice + order urging guardianship
    expect(cw.get_by_label("告知（家庭教育责任告知书）")).to_be_checked()
    expect(cw.get_by_label("督促监护令（检察院）")).to_be_checked()
    expect(cw.get_by_label("家庭教育指导令（法院）")).not_to_be_checked()
    expect(cw.get_by_label(exact_label("劝诫"))).not_to_be_checked()
    expect(cw.get_by_label("训诫（公安）")).not_to_be_checked()
    expect(cw.get_by_label("转介民政")).not_to_be_checked()
    shots(cw, "wf_caseworker", "handling-suggested")
    cw.get_by_label("告知（家庭教育责任告知书）").uncheck()
    cw.get_by_label("家庭教育指导令（法院）").check()
    cw.get_by_label("决定理由").fill("橙码：由检察院发出督促监护令，法院发出家庭教育指导令。")
    submit(cw, shots, "wf_caseworker", "处置决定", "handling")
    expect(open_tasks(cw)).to_have_text(["拟制督促监护令", "拟制家庭教育指导令"])

    deadline = (clock.today() + timedelta(days=90)).isoformat()
    pro = users["prosecutor"]
    open_from_inbox(pro, shots, "prosecutor", case_no, "拟制督促监护令", "draft-order")
    pro.get_by_label("查明的监护问题").fill("父亲长期外出，未委托有能力的人照护。")
    pro.get_by_label("应履行的具体义务").fill("一、委托有能力的亲属照护；二、每周与孩子通话；三、每月向检察院报告。")
    pro.get_by_label("履行期限").fill(deadline)
    submit(pro, shots, "prosecutor", "拟制督促监护令", "draft-order")

    # the procuratorate's head of department approves from the approval queue: then it is numbered and issued
    head = users["pro_supervisor"]
    head.get_by_role("navigation", name="主导航").get_by_role("link", name="审批").click()
    expect(head.get_by_role("heading", level=1)).to_contain_text("审批")
    request = head.locator("section.approval").filter(has=head.get_by_role("link", name=case_no, exact=True))
    expect(request).to_have_count(1)
    expect(request.get_by_role("heading", level=2)).to_contain_text("签发督促监护令")
    expect(request).to_contain_text("父亲长期外出")
    shots(head, "pro_supervisor", "approval-queue")
    request.get_by_role("button", name="同意").click()
    expect(head.locator(".flash.success")).to_have_text("已同意。")
    expect(head.locator("section.approval").filter(has=head.get_by_role("link", name=case_no, exact=True))) \
        .to_have_count(0)
    shots(head, "pro_supervisor", "approved")

    judge = users["judge"]
    open_from_inbox(judge, shots, "judge", case_no, "拟制家庭教育指导令", "draft-court-order")
    judge.get_by_label("查明的监护问题").fill("监护人怠于履行家庭教育责任。")
    judge.get_by_label("应履行的具体义务").fill("按期接受家庭教育指导。")
    judge.get_by_label("履行期限").fill(deadline)
    judge.get_by_label("指导机构").select_option(index=1)
    judge.get_by_label("指导次数").fill("2")
    submit(judge, shots, "judge", "拟制家庭教育指导令", "draft-court-order")

    # the court's head returns the draft with a reason: it goes back to the judge, filled in as it was
    court_head = users["court_supervisor"]
    open_from_inbox(court_head, shots, "court_supervisor", case_no, "审批家庭教育指导令", "court-approval")
    expect(court_head.locator("section.request")).to_contain_text("按期接受家庭教育指导。")
    court_head.get_by_label("审批意见").select_option(label="退回补正")
    court_head.get_by_label("意见说明").fill("请写明每次指导的时长与报告方式。")
    submit(court_head, shots, "court_supervisor", "审批家庭教育指导令", "court-return")
    open_from_inbox(judge, shots, "judge", case_no, "拟制家庭教育指导令", "redraft")
    expect(judge.locator(".alert.returned")).to_contain_text("请写明每次指导的时长与报告方式。")
    expect(judge.get_by_label("应履行的具体义务")).to_have_value("按期接受家庭教育指导。")
    judge.get_by_label("应履行的具体义务").fill("按期接受家庭教育指导，每次不少于 60 分钟，每月书面报告。")
    submit(judge, shots, "judge", "拟制家庭教育指导令", "redraft")
    open_from_inbox(court_head, shots, "court_supervisor", case_no, "审批家庭教育指导令", "court-approval-2")
    court_head.get_by_label("审批意见").select_option(label="同意")
    submit(court_head, shots, "court_supervisor", "审批家庭教育指导令", "court-approve")

    open_from_inbox(pro, shots, "prosecutor", case_no, "送达督促监护令", "deliver-order")
    pro.get_by_label("送达方式").select_option(label="宣告送达")
    pro.get_by_label(exact_label("受送达人")).fill("王大山（父亲）")
    pro.get_by_label("受送达人已签收").check()
    submit(pro, shots, "prosecutor", "送达督促监护令", "deliver-order")
    # Guidance waits until the court's order is delivered too.
    expect(open_tasks(pro)).to_have_text(["送达家庭教育指导令"])

    clerk = users["court_clerk"]
    open_from_inbox(clerk, shots, "court_clerk", case_no, "送达家庭教育指导令", "deliver-court-order")
    clerk.get_by_label("送达方式").select_option(label="直接送达")
    clerk.get_by_label(exact_label("受送达人")).fill("王大山（父亲）")
    clerk.get_by_label("受送达人已签收").check()
    submit(clerk, shots, "court_clerk", "送达家庭教育指导令", "deliver-court-order")
    docs = clerk.locator("section", has=clerk.get_by_role("heading", name="文书")).locator("li")
    for doc in ("督促监护令", "家庭教育指导令"):
        expect(docs.filter(has_text=doc)).to_have_count(1)
        expect(docs.filter(has_text=doc)).to_contain_text("已送达")

    # --- guide --------------------------------------------------------------------------------
    open_from_inbox(cw, shots, "wf_caseworker", case_no, "制定家庭教育指导方案", "plan")
    cw.get_by_label("指导机构").select_option(index=1)
    cw.get_by_label("指导次数").fill("2")
    cw.get_by_label("指导目标").fill("帮助父亲落实委托照护，建立每周沟通。")
    submit(cw, shots, "wf_caseworker", "制定家庭教育指导方案", "plan")
    expect(cw.locator("section", has=cw.get_by_role("heading", name="指导"))).to_contain_text("指导 2 次")

    counsellor = users["wf_counsellor"]
    for n in (1, 2):
        open_from_inbox(counsellor, shots, "wf_counsellor", case_no, "记录指导情况", f"session-{n}")
        counsellor.get_by_label("指导形式").select_option(label="个案指导")
        expect(counsellor.get_by_label("监护人到场")).to_be_checked()
        counsellor.get_by_label("指导内容").fill(f"第 {n} 次个案指导：亲子沟通。")
        submit(counsellor, shots, "wf_counsellor", "记录指导情况", f"session-{n}")
    sessions = counsellor.locator("section", has=counsellor.get_by_role("heading", name="指导")).locator("tbody tr")
    expect(sessions).to_have_count(2)

    # --- follow up: nothing to visit until the timer fires -------------------------------------
    cw.goto("/")
    expect(inbox_row(cw, case_no, "记录回访")).to_have_count(0)
    for n in range(1, 5):   # orange: a visit every 14 days, four per round
        clock.advance(timedelta(days=15))
        assert services.tick(live_server.gl) >= 1
        open_from_inbox(cw, shots, "wf_caseworker", case_no, "记录回访", f"visit-{n}")
        expect(cw.get_by_label("回访日期")).to_have_value(clock.today().isoformat())
        cw.get_by_label("回访方式").select_option(label="入户走访" if n % 2 else "电话回访")
        cw.get_by_label(exact_label("回访情况")).fill(f"第 {n} 次回访：孩子由姑姑照看，情况稳定。")
        cw.get_by_label("监护人履行令状/方案").check()
        submit(cw, shots, "wf_caseworker", "记录回访", f"visit-{n}")
    visits = cw.locator("section", has=cw.get_by_role("heading", name="回访")).locator("tbody tr")
    expect(visits).to_have_count(4)

    # --- review -------------------------------------------------------------------------------
    open_from_inbox(cw, shots, "wf_caseworker", case_no, "复评", "reassess")
    give_scores(cw, 13)
    cw.get_by_role("group", name="风险因素").get_by_label("不良行为").check()
    cw.get_by_label("评估结论").fill("照护已落实，仍有不良行为需关注。")
    submit(cw, shots, "wf_caseworker", "复评", "reassess")

    open_from_inbox(cw, shots, "wf_caseworker", case_no, "决定本轮结果", "outcome")
    review = cw.locator("section", has=cw.get_by_role("heading", name="复评"))
    expect(review.locator("dd").nth(0)).to_have_text("橙码")
    expect(review.locator("dd").nth(1)).to_have_text("黄码")
    expect(review.locator("dd").nth(2)).to_have_text("是")     # plan met
    expect(review.locator("dd").nth(3)).to_have_text("是")     # visits on schedule
    expect(review.locator("dd").nth(4)).to_have_text("申请降级")
    expect(cw.get_by_label("结果")).to_have_value("downgrade")
    cw.get_by_label(exact_label("理由")).fill("四次回访情况稳定，指导方案已落实，申请降为黄码。")
    submit(cw, shots, "wf_caseworker", "决定本轮结果", "outcome")
    approvals = cw.locator("section", has=cw.get_by_role("heading", name="审批")).locator("li")
    expect(approvals).to_have_count(4)   # the two orders (one returned once) and the downgrade
    expect(approvals.filter(has_text="签发家庭教育指导令")).to_have_count(2)
    expect(approvals.filter(has_text="退回补正")).to_contain_text("请写明每次指导的时长与报告方式。")
    expect(approvals.filter(has_text="降级")).to_contain_text("待审批")
    expect(open_tasks(cw)).to_have_text(["审批降级"])

    sup = users["wf_supervisor"]
    open_from_inbox(sup, shots, "wf_supervisor", case_no, "审批降级", "approve")
    request = sup.locator("section", has=sup.get_by_role("heading", name="申请"))
    expect(request).to_contain_text("降级")
    expect(request.locator(".code")).to_have_text(["橙码", "黄码"])
    expect(request).to_contain_text("申请降为黄码")
    sup.get_by_label("审批意见").select_option(label="同意")
    sup.get_by_label("意见说明").fill("同意降级。")
    submit(sup, shots, "wf_supervisor", "审批降级", "approve")
    expect(sup.locator(".flash.info")).to_contain_text("本轮已结束")

    # --- the case after the round -------------------------------------------------------------
    assert sup.url == case_url
    expect(code_badge(sup)).to_have_text("黄码")
    history = sup.locator("ol.timeline li")
    expect(history).to_have_count(2)
    downgrade = history.filter(has_text="降级")
    expect(downgrade).to_have_count(1)
    expect(downgrade.locator(".code")).to_have_text("黄码")
    expect(downgrade).to_contain_text("原为 橙码")
    expect(open_tasks(sup)).to_have_text(["社会调查"])
    expect(sup.get_by_role("heading", name=re.compile("第 2 轮 — "))).to_be_visible()   # the diagram's
    approvals = sup.locator("section", has=sup.get_by_role("heading", name="审批")).locator("li")
    expect(approvals.filter(has_text="降级")).to_contain_text("已批准")
    shots(sup, "wf_supervisor", "case-after-round")

    # The next round's investigation is back in the caseworker's inbox; the supervisor signs out.
    cw.goto("/")
    expect(inbox_row(cw, case_no, "社会调查")).to_have_count(1)
    shots(cw, "wf_caseworker", "inbox-round-2")
    sup.get_by_role("button", name="退出").click()
    expect(sup.get_by_role("heading", level=1)).to_have_text("登录")
    sup.goto(case_url)
    expect(sup.get_by_role("heading", level=1)).to_have_text("登录")    # signed out: back to the login page
