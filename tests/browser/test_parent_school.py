"""In Chromium: a school runs a course, a guardian signs in on a phone by the QR code's link (no account,
nobody's data on the page), staff sign her in at the next class, she reaches the year's 4 hours and her
certificate verifies at /verify."""
import re

from playwright.sync_api import expect

from .test_mobile import PHONE, assert_fits


def test_a_course_a_phone_sign_in_and_a_certificate_that_verifies(users, live_server, clock, shots):
    teacher = users["teacher"]
    teacher.goto("/services/courses/new")
    teacher.get_by_label("课程名称").fill("做智慧父母")
    teacher.get_by_label("类型").select_option("basic")
    teacher.get_by_label("开课单位").select_option("school")
    teacher.get_by_label("学校、社区或平台名称").fill("江北区某小学")
    teacher.get_by_label("计划学时").fill("8")
    teacher.get_by_label("容量（每课次人数）").fill("60")
    teacher.get_by_role("button", name="创建").click()
    expect(teacher.get_by_role("heading", level=1)).to_have_text("做智慧父母")
    for day in ("2026-03-05", "2026-03-12"):
        teacher.get_by_label("日期").fill(day)
        teacher.get_by_label("上课地点").fill("学校报告厅")
        teacher.get_by_label("时长（分钟）").fill("120")
        teacher.get_by_role("button", name="添加", exact=True).click()
    expect(teacher.locator("#h-sessions + .table-wrap tbody tr")).to_have_count(2)
    shots(teacher, "teacher", "course")

    teacher.locator("#h-sessions + .table-wrap tbody a").first.click()
    teacher.get_by_role("button", name="生成签到二维码").click()
    expect(teacher.locator("img.qr")).to_be_visible()
    shots(teacher, "teacher", "qr")
    link = re.search(r"/services/courses/s/[\w-]+", teacher.content()).group(0)

    phone = users.context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    phone.goto(link)
    expect(phone.get_by_role("heading", level=1)).to_have_text("课程签到")
    assert ".who" not in phone.content() and phone.locator(".who").count() == 0     # nobody is signed in
    assert_fits(phone)
    phone.get_by_label("您的姓名").fill("王芳")
    phone.get_by_label("手机号码后四位").fill("1234")
    phone.get_by_role("button", name="签到").click()
    phone.get_by_label("手机号码").fill("13800001234")
    phone.get_by_role("button", name="签到").click()
    expect(phone.locator(".flash.success")).to_contain_text("签到成功")
    assert not re.search(r"1[3-9]\d{9}", phone.locator("main").inner_text())
    assert_fits(phone)
    shots(phone, "guardian", "signed-in")

    teacher.goto(teacher.url.split("/services/courses/")[0] + "/services/courses/")
    teacher.get_by_role("link", name="做智慧父母").click()
    teacher.locator("#h-sessions + .table-wrap tbody a").nth(1).click()
    teacher.get_by_label("姓名").fill("王芳")
    teacher.get_by_label("手机号码").fill("13800001234")
    teacher.get_by_role("button", name="登记签到").click()
    expect(teacher.locator(".flash.success")).to_be_visible()
    teacher.get_by_role("link", name="王芳").click()
    certificate = teacher.get_by_role("link", name=re.compile(r"JB家校结字〔2025〕\d+号"))
    expect(certificate).to_be_visible()
    shots(teacher, "teacher", "learning-record")
    with live_server.gl.engine.connect() as conn:
        code = conn.exec_driver_sql("SELECT code FROM ps_certificate").scalar()

    phone.goto(f"/verify/{code}")
    expect(phone.locator(".flash.success")).to_contain_text("家长学校结业证书")
    expect(phone.locator("main")).not_to_contain_text("王芳")
    assert_fits(phone)
    shots(phone, "anyone", "verify")
