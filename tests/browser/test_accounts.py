"""Accounts and the duplicate check in a real browser: an administrator creates an account and hands over
a one-time password link; the person sets a password and signs in; a police officer's duplicate check
names no case and the women's federation finds the notification in its inbox. No page breaks its CSP."""
import re

from playwright.sync_api import expect

from engine import services
from engine.rules.idcard import checksum_char
from engine.demo.scenario import Driver

from .conftest import exact_label
from .test_clue_form import fill_clue, register

FIRST17 = "500105" + "20150707" + "051"
KNOWN_ID = FIRST17 + checksum_char(FIRST17)


def _watch_csp(page, violations):
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)


def test_an_administrator_hands_over_a_one_time_link_and_the_person_signs_in(users, live_server, shots):
    violations = []
    admin = users["admin"]
    _watch_csp(admin, violations)
    admin.goto("/admin/users")
    admin.get_by_label(exact_label("用户名")).fill("Wang.Min")
    admin.get_by_label("显示姓名").fill("江北某中学·王敏")
    admin.get_by_label("临时密码（至少 10 位，首次登录时须修改）").fill("orchard basin 2026 wren")
    admin.get_by_label("机构").select_option(label="教委/学校")
    admin.get_by_label("角色").select_option(label="办案人员")
    admin.get_by_label("区县").select_option(label="江北区")
    admin.get_by_role("button", name="创建").click()
    expect(admin.locator(".flash.success")).to_contain_text("首次登录时须修改")
    row = admin.locator("tr", has_text="wang.min")  # stored normalised
    expect(row).to_contain_text("须修改密码")
    expect(row).to_contain_text("从未登录")
    shots(admin, "admin", "account-created")
    row.get_by_role("link", name="wang.min").click()
    admin.get_by_role("button", name="生成设置密码链接").click()
    link = admin.locator("code.link-out").inner_text()
    shots(admin, "admin", "one-time-link")
    assert re.search(r"/reset/[A-Za-z0-9_-]{40,}$", link)

    person = users.context().new_page()
    _watch_csp(person, violations)
    person.goto(link)
    person.locator("#password").fill("quiet lantern 73 river")
    person.locator("#repeat_password").fill("quiet lantern 73 river")
    shots(person, "wang.min", "set-password")
    person.get_by_role("button", name="设置密码").click()
    expect(person.locator(".flash.success")).to_contain_text("新密码已设置")
    person.get_by_label("用户名").fill("WANG.MIN")
    person.get_by_label("密码").fill("quiet lantern 73 river")
    person.get_by_role("button", name="登录").click()
    expect(person.locator(".who")).to_contain_text("王敏")
    shots(person, "wang.min", "signed-in")
    person.goto(link)
    expect(person.get_by_role("alert")).to_contain_text("无效或已过期")

    mobile = users.context(viewport={"width": 390, "height": 844}).new_page()
    from .conftest import sign_in
    sign_in(mobile, "admin")
    mobile.goto("/admin/users")
    mobile.locator("tr", has_text="wang.min").get_by_role("link").click()
    shots(mobile, "admin", "account-390px")
    assert violations == []


def test_the_duplicate_check_names_no_other_agencys_case_and_the_owner_sees_a_notification(users, live_server,
                                                                                          clock, shots):
    gl = live_server.gl
    driver = Driver(gl)
    clue = services.register_clue(gl, driver.actor("teacher"), {
        "source": "school", "reporter_name": "班主任", "received_at": clock.today().isoformat(),
        "description": "旷课", "child_name": "吴小溪", "child_sex": "M", "child_birth_date": "2015-07-07",
        "child_id_number": KNOWN_ID})
    services.open_case(gl, driver.actor("wf_caseworker"), clue, {"case_type": "general"})
    police = users["police"]
    police.goto("/clues/new")
    fill_clue(police, KNOWN_ID.lower(), clock.today().isoformat())
    police.get_by_role("group", name="儿童信息").get_by_label("出生日期").fill("2015-07-07")
    police.get_by_role("group", name="儿童信息").get_by_label("性别").select_option(label="男")
    assert register(police) == 200
    alert = police.locator(".alert")
    expect(alert).to_contain_text("已有匹配记录，已通知负责机构")
    expect(alert).not_to_contain_text("JB-")
    shots(police, "police", "neutral-duplicate-message")

    wf = users["wf_caseworker"]
    wf.goto("/")
    notes = wf.locator("section[aria-labelledby=h-notices]")
    expect(notes).to_contain_text("江北公安民警·吴强")
    expect(notes).to_contain_text("正在登记一条与个案")
    shots(wf, "wf_caseworker", "inbox-notification")
    duplicate = notes.get_by_role("listitem").filter(has_text="正在登记一条与个案")
    duplicate.get_by_role("button", name="标为已读").click()
    expect(wf.locator("section[aria-labelledby=h-notices]")).not_to_contain_text("正在登记一条与个案")
