"""On a phone (390×844) the layout fits the screen: no sideways scrolling of the page itself.

Wide tables and the round diagram scroll or pan inside their own containers (``.table-wrap``, ``.svg-wrap``,
``.bpmn-viewer``) by design, so they are not counted.
"""
from playwright.sync_api import expect

from engine.demo.scenario import scores

from .conftest import seed_case, sign_in

PHONE = {"width": 390, "height": 844}

# Elements sticking out to the right of the viewport, outside the containers that scroll by design.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    if (el.closest('.svg-wrap, .table-wrap, .bpmn-viewer')) continue;
    const box = el.getBoundingClientRect();
    if (box.width && box.right > width + 1) {
      out.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${el.className} right=${Math.round(box.right)}`);
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, width, out: out.slice(0, 8)};
}"""


def assert_fits(page):
    result = page.evaluate(OVERFLOW)
    assert result["scrollWidth"] <= result["width"] + 1 and not result["out"], result


def test_inbox_case_and_task_pages_fit_a_phone(users, live_server, clock, shots):
    case_id, driver = seed_case(live_server.gl, case_type="minor_victim", child_name="欧阳小慧", tasks=[
        ("wf_caseworker", "social_investigation", {"findings": "走访", "investigated_on": "2026-06-01"}),
        ("wf_caseworker", "scored_assessment", {**scores(18), "risk_factors": ["criminal_victim"],
                                                "summary": "评估"}),
    ])
    page = sign_in(users.context(viewport=PHONE, is_mobile=True, has_touch=True).new_page(), "wf_caseworker")
    assert page.evaluate("window.innerWidth") == 390

    expect(page.get_by_role("heading", level=1)).to_contain_text("待办")
    expect(page.locator("tbody tr")).to_have_count(3)   # propose measures, draft the plan, the next visit
    assert_fits(page)
    case_no = page.locator("td.case-no a").first   # one card a task: the case number on one line
    box = case_no.bounding_box()
    assert box["height"] < 2 * float(case_no.evaluate("e => parseFloat(getComputedStyle(e).lineHeight) || 24"))
    shots(page, "wf_caseworker", "phone-inbox")

    page.goto(f"/cases/{case_id}")
    expect(page.get_by_role("heading", level=1).locator(".code")).to_have_text("橙码")
    assert_fits(page)
    shots(page, "wf_caseworker", "phone-case")

    page.goto(f"/cases/{case_id}/tasks/{driver.item(case_id, 'propose_measures').task_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("提出处置意见并移送")
    assert_fits(page)
    shots(page, "wf_caseworker", "phone-task")

    page.goto("/clues/new")
    expect(page.get_by_role("heading", level=1)).to_have_text("登记风险线索")
    assert_fits(page)
    shots(page, "wf_caseworker", "phone-clue-form")
