"""The family-education services pages (/services/) with the Flask test client on the demo database."""
import re

from sqlalchemy import select

from engine.models import (BaseActivity, EduActivity, EduOrganisation, GuidanceProvider, PracticeBase,
                           ScreeningEntry, WorkItem)
from engine.services import bases

JB_BASE = "江北区妇女儿童活动中心"


def _provider(gl, name):
    with gl.reading() as s:
        return s.scalars(select(GuidanceProvider.id).where(GuidanceProvider.name == name)).one()


def test_the_landing_page_links_only_pages_that_exist(as_user):
    # the staff of schools, communities and the district office also get the three parent-school pages
    for username, expected in (("wf_caseworker", 6), ("community", 6), ("teacher", 6), ("base_staff", 1),
                               ("leader", 2), ("police", 2)):
        b = as_user(username)
        page = b.get("/services/").get_data(as_text=True)
        links = re.findall(r'<h2><a href="([^"]+)"', page)
        assert len(links) == expected, (username, links)
        for link in links:
            assert b.get(link).status_code == 200, (username, link)
    assert as_user("admin").get("/services/").status_code == 403
    assert as_user("base_staff").get("/").headers["Location"].endswith("/services/")


def test_the_bases_list_shows_each_status(as_user):
    page = as_user("wf_caseworker").get("/services/bases/").get_data(as_text=True)
    assert "2025年1月1日 – 2029年12月31日" in page and "已过期 (17)" in page and "即将到期 (1)" in page
    expired = as_user("wf_caseworker").get("/services/bases/?status=expired").get_data(as_text=True)
    assert "万州区沙河小学" in expired and JB_BASE not in expired
    assert as_user("wf_caseworker").get("/services/bases/?status=nonsense").status_code == 404


def test_base_staff_record_an_activity_and_the_office_suspends_the_base(as_user, gl):
    jb = _provider(gl, JB_BASE)
    staff = as_user("base_staff")
    url = f"/services/bases/{jb}"
    bad = staff.post(f"{url}/activities", {"held_on": "2026-02-01", "title": "讲座", "kind": "lecture",
                                           "participants": "x", "hours": "2"}, token_from=url)
    assert bad.status_code == 422 and "field-error" in bad.get_data(as_text=True)
    ok = staff.post(f"{url}/activities", {"held_on": "2026-02-01", "title": "新春亲子活动", "kind": "parent_child",
                                          "participants": "33", "hours": "2"}, token_from=url)
    assert ok.status_code == 302
    assert "新春亲子活动" in staff.get(url).get_data(as_text=True)
    # staff do not manage the base; the office of another district neither
    with gl.reading() as s:
        version = s.get(PracticeBase, jb).version
    assert staff.post(f"{url}/settings", {"version": version, "suspended": "on"}, token_from=url).status_code == 403
    assert as_user("yz_caseworker").post(f"{url}/renew", {"version": version}, token_from=url).status_code == 403
    office = as_user("wf_caseworker")
    assert office.post(f"{url}/settings", {"version": version, "suspended": "on", "serves": ["GX"]},
                       token_from=url).status_code == 302
    with gl.reading() as s:
        assert s.get(PracticeBase, jb).suspended
    stale = office.post(f"{url}/renew", {"version": version}, token_from=url)
    assert stale.status_code == 409


def test_the_guide_step_offers_only_bases_in_force(as_user, gl):
    jb = _provider(gl, JB_BASE)
    with gl.reading() as s:
        item = s.scalars(select(WorkItem).where(WorkItem.task_spec == "draft_guidance_plan")).first()
    assert item is not None
    b = as_user("wf_caseworker")
    page = b.get(f"/cases/{item.case_id}/tasks/{item.task_id}").get_data(as_text=True)
    assert f'<option value="{jb}"' in page                     # renewed in the demo: offered
    assert "万州区沙河小学" not in page                           # another district's, expired
    with gl.reading() as s:
        version = s.get(PracticeBase, jb).version
    b.post(f"/services/bases/{jb}/settings", {"version": version, "suspended": "on", "serves": ["GX"]},
           token_from=f"/services/bases/{jb}")
    page = b.get(f"/cases/{item.case_id}/tasks/{item.task_id}").get_data(as_text=True)
    assert f'<option value="{jb}"' not in page                 # suspended: no longer offered


def test_activities_and_the_overdue_list(as_user, gl):
    teacher = as_user("teacher")
    page = teacher.get("/services/activities/").get_data(as_text=True)
    assert 'id="overdue"' in page and "江北区华新实验小学" in page
    with gl.reading() as s:
        org = s.scalars(select(EduOrganisation.id).where(EduOrganisation.name == "江北区观音桥小学")).one()
        before = s.scalar(select(EduActivity.id).order_by(EduActivity.id.desc()).limit(1))
    ok = teacher.post("/services/activities/new", {"organisation_id": org, "kind": "lecture", "held_on": "2026-03-01",
                                                   "title": "家长课堂", "participants": "50", "hours": "1.5"},
                      token_from="/services/activities/")
    assert ok.status_code == 302
    with gl.reading() as s:
        assert s.scalar(select(EduActivity.id).order_by(EduActivity.id.desc()).limit(1)) > before
    bad = teacher.post("/services/activities/new", {"organisation_id": org, "kind": "lecture", "held_on": "2099-01-01",
                                                    "title": "x", "participants": "1", "hours": "1"},
                       token_from="/services/activities/")
    assert bad.status_code == 422
    community = as_user("community")     # a community may not record for a school
    assert community.post("/services/activities/new", {"organisation_id": org, "kind": "lecture",
                                                       "held_on": "2026-03-01", "title": "x", "participants": "1",
                                                       "hours": "1"}, token_from="/services/activities/").status_code == 403


def test_the_screening_register(as_user, gl):
    grid = as_user("community")
    listing = grid.get("/services/screening/").get_data(as_text=True)
    assert "刘**" in listing and "刘小飞" not in listing
    created = grid.post("/services/screening/new", {
        "child_name": "测试孩子", "child_sex": "F", "birth_date": "2015-05-05", "address": "江北区某地",
        "guardian_name": "测试家长", "guardian_relation": "mother", "family_types": ["single_parent"],
        "watch_status": "watch"})
    assert created.status_code == 302
    entry_url = created.headers["Location"]
    assert "测试孩子" in grid.get(entry_url).get_data(as_text=True)
    assert as_user("teacher").get(entry_url).status_code == 404       # another agency's entry
    assert as_user("police").get("/services/screening/").status_code == 403
    assert as_user("wf_caseworker").get(entry_url).status_code == 200  # the district office
    bad = grid.post("/services/screening/new", {"child_name": "x", "child_sex": "F", "birth_date": "2000-01-01",
                                               "address": "x", "guardian_name": "x", "guardian_relation": "mother",
                                               "family_types": ["single_parent"], "watch_status": "watch"})
    assert bad.status_code == 422


def test_the_cockpit_shows_and_exports_the_indicators(as_user):
    b = as_user("wf_supervisor")
    page = b.get("/cockpit/?from=2025-09-01&to=2026-08-31").get_data(as_text=True)
    assert 'id="table-indicators"' in page and "指导活动配额达标率" in page and "亲子活动次数" in page
    csv = b.post("/cockpit/export/indicators.csv", {"district": "JB", "from": "2025-09-01", "to": "2026-08-31"},
                 token_from="/cockpit/")
    assert csv.status_code == 200 and "摸排走访覆盖率" in csv.get_data(as_text=True)


def test_the_office_of_an_expiring_base_is_told(as_user):
    page = as_user("yz_caseworker").get("/").get_data(as_text=True)
    assert "渝中区中华路小学校" in page and "/services/bases/" in page
    assert "渝中区中华路小学校" not in as_user("wf_caseworker").get("/").get_data(as_text=True)


def test_a_refused_visit_shows_the_form_again_without_the_child(as_user, gl):
    with gl.reading() as s:
        entry = s.scalars(select(ScreeningEntry).where(ScreeningEntry.child_name == "刘小飞")).one()
    grid = as_user("community")
    url = f"/services/screening/{entry.id}"
    bad = grid.post(f"{url}/visits", {"visited_on": "2026-03-01", "findings": "", "version": entry.version},
                    token_from=url)
    page = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "刘**" in page and "刘小飞" not in page
    ok = grid.post(f"{url}/visits", {"visited_on": "2026-03-01", "findings": "走访正常", "version": entry.version},
                   token_from=url)
    assert ok.status_code == 302
    clue = grid.post(f"{url}/clue", {"description": "发现风险", "risk_factors": ["no_carer"],
                                     "version": entry.version + 1}, token_from=url)
    assert clue.status_code == 302
    with gl.reading() as s:
        assert s.get(ScreeningEntry, entry.id).clue_id is not None
