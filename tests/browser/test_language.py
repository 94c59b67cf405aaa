"""The language switch: Chinese by default, English after switching (on the login page and inside the
app), labels and dates follow, and it switches back; the choice survives signing in and out."""
import re

from playwright.sync_api import expect

from .conftest import DEMO_PASSWORD, seed_case


def switch_to(page, name):
    page.locator(".lang").get_by_role("link", name=name).click()


def test_the_language_switch_changes_labels_and_dates_and_back(users, live_server, clock, shots):
    case_id, _ = seed_case(live_server.gl)
    page = users.context().new_page()

    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_role("heading", level=1)).to_have_text("登录")
    expect(page.get_by_label("用户名")).to_be_visible()
    expect(page.locator(".lang strong")).to_have_text("中文")
    shots(page, "anonymous", "login-zh")

    switch_to(page, "English")
    expect(page).to_have_url(re.compile(r"/login$"))       # back on the page it was switched from
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.locator(".lang strong")).to_have_text("English")
    shots(page, "anonymous", "login-en")
    page.get_by_label("Username").fill("wf_caseworker")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".error")).to_be_visible()
    expect(page.locator(".error")).not_to_contain_text(re.compile(r"[\u4e00-\u9fff]"))   # the error is in English
    shots(page, "anonymous", "login-error-en")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # Inside the app, still English: navigation, inbox, task titles, code words, dates.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Inbox")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link")).to_have_text(["Inbox", "Case list", "Risk clues", "Register a clue", "Clues I reported",
                                                  "Family-education services"])
    expect(page.locator(".who")).to_contain_text("Caseworker")
    row = page.locator("tbody tr").first
    expect(row.get_by_role("link", name="Social investigation")).to_be_visible()
    expect(row.locator(".code")).to_have_text("Not coded")
    expect(row.locator("td").first).to_have_text(re.compile(r"^6/6/26, 9:00\s?AM$"))
    shots(page, "wf_caseworker", "inbox-en")

    page.goto(f"/cases/{case_id}")
    expect(page.get_by_role("heading", name="Risk-code history")).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text("General guardianship risk")
    expect(page.locator("dl.facts")).to_contain_text("May 1, 2014")          # the child's birth date
    expect(page.locator("dl.facts")).to_contain_text("Female")
    shots(page, "wf_caseworker", "case-en")

    switch_to(page, "中文")
    expect(page).to_have_url(re.compile(rf"/cases/{case_id}$"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_role("heading", name="赋码记录")).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text("一般监护风险")
    expect(page.locator("dl.facts")).to_contain_text("2014年5月1日")
    shots(page, "wf_caseworker", "case-zh")

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="待办").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("待办")
    row = page.locator("tbody tr").first
    expect(row.get_by_role("link", name="社会调查")).to_be_visible()
    expect(row.locator(".code")).to_have_text("未赋码")
    expect(row.locator("td").first).to_have_text("2026/6/6 09:00")
    shots(page, "wf_caseworker", "inbox-zh")

    # The choice is kept across signing out: switch to English, sign out, the login page is English.
    switch_to(page, "English")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Inbox")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    shots(page, "anonymous", "signed-out-en")
