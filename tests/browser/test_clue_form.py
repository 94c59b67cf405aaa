"""The clue form (登记风险线索): errors are shown at the field and keep the input; a clue with one
guardian and the other guardian rows left empty registers."""
from playwright.sync_api import expect

from engine.rules.idcard import checksum_char

from .conftest import exact_label

BIRTH = "2016-09-30"
FIRST17 = "500105" + BIRTH.replace("-", "") + "042"      # order code 042: even → female
GOOD_ID = FIRST17 + checksum_char(FIRST17)
BAD_ID = FIRST17 + ("0" if GOOD_ID[-1] != "0" else "1")   # wrong check digit


def fill_clue(page, id_number, today):
    clue = page.get_by_role("group", name="线索信息")
    clue.get_by_label("来源").select_option(label="学校")
    clue.get_by_label(exact_label("报告人")).fill("班主任刘老师")
    clue.get_by_label("接收日期").fill(today)
    clue.get_by_label("报告内容").fill("孩子连续一周未到校，联系不上家长。")
    child = page.get_by_role("group", name="儿童信息")
    child.get_by_label("姓名").fill("周小雨")
    child.get_by_label("性别").select_option(label="女")
    child.get_by_label("出生日期").fill(BIRTH)
    child.get_by_label("居民身份证号").fill(id_number)
    page.get_by_role("group", name="风险因素").get_by_label("逃学辍学").check()
    carers = page.get_by_role("group", name="监护人及照料人")
    carers.get_by_label("姓名").first.fill("周建国")
    carers.get_by_label("与儿童关系").first.select_option(label="父亲")
    carers.get_by_label("法定监护人（不勾选则为照料人）").first.check()


def register(page):
    with page.expect_response(lambda r: r.request.method == "POST") as response:
        page.get_by_role("button", name="登记", exact=True).click()
    page.wait_for_load_state()
    return response.value.status


def test_a_wrong_check_digit_is_shown_at_the_id_field_and_the_form_keeps_the_input(users, clock, shots):
    page = users["teacher"]
    page.goto("/clues/new")
    fill_clue(page, BAD_ID, clock.today().isoformat())
    shots(page, "teacher", "bad-id")
    assert register(page) == 422
    expect(page.get_by_role("alert").first).to_contain_text("请更正标出的填写项")
    field = page.get_by_label("居民身份证号")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#child_id_number-error")).to_be_visible()
    expect(page.locator("#child_id_number-error")).to_contain_text("校验")
    expect(field).to_have_value(BAD_ID)
    expect(page.get_by_role("group", name="儿童信息").get_by_label("姓名")).to_have_value("周小雨")
    expect(page.get_by_role("group", name="风险因素").get_by_label("逃学辍学")).to_be_checked()
    shots(page, "teacher", "bad-id-refused")


def test_a_clue_with_one_guardian_and_empty_guardian_rows_registers(users, clock, shots):
    # An untouched guardian row (its unticked "legal guardian" box is sent as False) is an empty row.
    page = users["teacher"]
    page.goto("/clues/new")
    fill_clue(page, GOOD_ID, clock.today().isoformat())
    status = register(page)
    shots(page, "teacher", "one-guardian")
    assert status == 302, page.locator(".field-error").all_inner_texts()
    expect(page.locator(".flash.success")).to_have_text("风险线索已登记。")
    expect(page.locator("tbody tr")).to_have_count(1)


def test_add_another_person_adds_rows_in_place_and_every_row_registers(users, clock, shots, live_server):
    from sqlalchemy import select

    from engine.models import RiskClue
    page = users["teacher"]
    page.goto("/clues/new")
    expect(page.get_by_label("来源")).to_have_value("school")          # prefilled from the teacher's agency
    fill_clue(page, GOOD_ID, clock.today().isoformat())
    for _ in range(3):
        page.get_by_role("button", name="再添加一人").click()
    expect(page.locator(".guardian-row")).to_have_count(5)
    expect(page.locator("#guardians-4-name")).to_be_focused()
    page.locator("#guardians-4-name").fill("周奶奶")
    page.locator("#guardians-4-relation").select_option(label="祖父母/外祖父母")
    shots(page, "teacher", "five-rows")
    assert register(page) == 302
    with live_server.gl.reading() as s:
        clue = s.scalars(select(RiskClue).order_by(RiskClue.id.desc())).first()
    assert [g["name"] for g in clue.guardians] == ["周建国", "周奶奶"]
