"""Practice bases as managed providers: status, what is offered, renewal, activities, annual reports, expiry
work items (issue 17, deliverable 3)."""
from datetime import date

import pytest
from sqlalchemy import select

from engine import services
from engine.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from engine.models import (
    AuditEntry, BaseServiceArea, BaseStaff, District, GuidanceProvider, Notification, PracticeBase, User,
)
from engine.reads import providers as provider_reads
from engine.services import bases
from engine.services.setup import add_user

from .helpers import assess, new_case

JB_BASE = "江北区妇女儿童活动中心"
YZ_BASE = "渝中区中华路小学校"


def _ids(gl):
    with gl.reading() as s:
        providers = dict(s.execute(select(GuidanceProvider.name, GuidanceProvider.id)).all())
        districts = dict(s.execute(select(District.code, District.id)).all())
    return providers, districts


def _version(gl, provider_id):
    with gl.reading() as s:
        return s.get(PracticeBase, provider_id).version


def _staff(gl, username, provider_id, district="JB"):
    with gl.transaction() as s:
        add_user(s, None, {"username": username, "display_name": username, "password": "guardloop-demo-pw-1",
                           "agency": "womens_federation", "role": "base_staff", "district": district}, demo=True)
        s.flush()
        user_id = s.scalars(select(User.id).where(User.username == username)).one()
        s.add(BaseStaff(user_id=user_id, provider_id=provider_id))


def test_the_seed_bases_are_managed_and_expired_in_2026(gl):
    providers, districts = _ids(gl)
    with gl.reading() as s:
        managed = s.scalars(select(PracticeBase)).all()
        assert len(managed) == 20
        assert {(b.valid_from, b.valid_until) for b in managed} == {(date(2020, 1, 1), date(2024, 12, 31))}
        assert bases.status_on(s.get(PracticeBase, providers[JB_BASE]), date(2026, 3, 2), 90) == "expired"
        offered = {p.name for p in provider_reads.offered_providers(s, districts["JB"], date(2026, 3, 2))}
    # the expired base is not offered; the district's guidance centre is
    assert JB_BASE not in offered
    assert offered == {"江北区家庭教育指导中心"}


def test_status_by_day():
    base = PracticeBase(valid_from=date(2025, 1, 1), valid_until=date(2029, 12, 31), suspended=False)
    assert bases.status_on(base, date(2024, 12, 31), 90) == "expired"          # not yet begun
    assert bases.status_on(base, date(2026, 3, 2), 90) == "active"
    assert bases.status_on(base, date(2029, 10, 3), 90) == "expiring"
    assert bases.status_on(base, date(2030, 1, 1), 90) == "expired"
    base.suspended = True
    assert bases.status_on(base, date(2026, 3, 2), 90) == "suspended"
    assert bases.status_on(None, date(2026, 3, 2), 90) == "active"             # an unmanaged guidance centre


def test_renewal_offers_the_base_only_in_its_service_area(gl, driver):
    providers, districts = _ids(gl)
    jb = providers[JB_BASE]
    office = driver.actor("wf_caseworker")
    with pytest.raises(PermissionDenied):    # another district's office
        bases.renew_base(gl, driver.actor("yz_caseworker"), jb, {"version": _version(gl, jb)})
    with pytest.raises(PermissionDenied):    # not the office
        bases.renew_base(gl, driver.actor("teacher"), jb, {"version": _version(gl, jb)})
    bases.renew_base(gl, office, jb, {"version": _version(gl, jb)})
    with gl.reading() as s:
        base = s.get(PracticeBase, jb)
        assert (base.valid_from, base.valid_until) == (date(2026, 1, 1), date(2030, 12, 31))
        assert JB_BASE in {p.name for p in provider_reads.offered_providers(s, districts["JB"], date(2026, 3, 2))}
        assert JB_BASE not in {p.name for p in provider_reads.offered_providers(s, districts["GX"], date(2026, 3, 2))}
        assert s.scalars(select(AuditEntry).where(AuditEntry.action == "renew_practice_base")).first() is not None
    with pytest.raises(Conflict):            # a stale form
        bases.renew_base(gl, office, jb, {"version": 1})
    # the office adds 高新区 to the service area; then it is offered there too
    bases.update_base(gl, office, jb, {"version": _version(gl, jb), "capacity": "120",
                                       "service_kinds": ["lecture", "parent_child"], "serves": ["GX"]})
    with gl.reading() as s:
        assert JB_BASE in {p.name for p in provider_reads.offered_providers(s, districts["GX"], date(2026, 3, 2))}
        assert set(s.scalars(select(BaseServiceArea.district_id).where(BaseServiceArea.provider_id == jb))) == {
            districts["JB"], districts["GX"]}
    # suspended: offered nowhere
    bases.update_base(gl, office, jb, {"version": _version(gl, jb), "suspended": True, "serves": ["GX"]})
    with gl.reading() as s:
        assert JB_BASE not in {p.name for p in provider_reads.offered_providers(s, districts["JB"], date(2026, 3, 2))}
    with pytest.raises(InvalidInput) as bad:
        bases.update_base(gl, office, jb, {"version": _version(gl, jb), "serves": ["XX"]})
    assert bad.value.field == "serves"
    with pytest.raises(InvalidInput):
        bases.renew_base(gl, office, jb, {"version": _version(gl, jb), "valid_from": "2026-01-01",
                                          "valid_until": "2025-01-01"})


def test_the_engine_refuses_an_expired_base_in_a_guidance_plan(gl, driver):
    providers, _ = _ids(gl)
    case = new_case(driver)
    assess(driver, case, 7, ["special_family"])
    with pytest.raises(InvalidInput) as refused:
        driver.do("wf_caseworker", case, "draft_guidance_plan", {"provider_id": providers[JB_BASE], "goals": "目标"})
    assert refused.value.field == "provider_id"
    bases.renew_base(gl, driver.actor("wf_caseworker"), providers[JB_BASE],
                     {"version": _version(gl, providers[JB_BASE])})
    driver.do("wf_caseworker", case, "draft_guidance_plan", {"provider_id": providers[JB_BASE], "goals": "目标"})


def test_activities_and_the_annual_report(gl, driver):
    providers, _ = _ids(gl)
    jb = providers[JB_BASE]
    _staff(gl, "jb_base", jb)
    _staff(gl, "yz_base", providers[YZ_BASE], district="YZ")
    staff, other = driver.actor("jb_base"), driver.actor("yz_base")
    bases.record_base_activity(gl, staff, jb, {"held_on": "2026-01-10", "title": "亲子阅读", "kind": "parent_child",
                                               "participants": "30", "hours": "2"})
    bases.record_base_activity(gl, staff, jb, {"held_on": "2026-02-20", "title": "家长讲座", "kind": "lecture",
                                               "participants": "45", "hours": "1.5"})
    bases.record_base_activity(gl, driver.actor("wf_caseworker"), jb,
                               {"held_on": "2025-12-01", "title": "上年活动", "kind": "lecture", "participants": "10",
                                "hours": "1"})
    with pytest.raises(PermissionDenied):
        bases.record_base_activity(gl, other, jb, {"held_on": "2026-01-10", "title": "x", "kind": "lecture",
                                                   "participants": "1", "hours": "1"})
    for bad in ({"hours": "0"}, {"hours": "abc"}, {"participants": "-1"}, {"held_on": "2099-01-01"}, {"kind": "x"}):
        with pytest.raises(InvalidInput):
            bases.record_base_activity(gl, staff, jb, {"held_on": "2026-01-10", "title": "x", "kind": "lecture",
                                                       "participants": "1", "hours": "1", **bad})
    assert bases.draft_report(gl, staff, jb, "2026") == {
        "year": 2026, "activities": 2, "participants": 75, "hours": 3.5,
        "by_kind": {"lecture": {"activities": 1, "participants": 45, "hours": 1.5},
                    "parent_child": {"activities": 1, "participants": 30, "hours": 2.0}}}
    with pytest.raises(PermissionDenied):       # the office reviews; it does not submit
        bases.submit_annual_report(gl, driver.actor("wf_caseworker"), jb, {"year": "2025", "summary": "x"})
    report = bases.submit_annual_report(gl, staff, jb, {"year": "2025", "summary": "全年工作总结"})
    with pytest.raises(Conflict):
        bases.submit_annual_report(gl, staff, jb, {"year": "2025", "summary": "again"})
    with pytest.raises(PermissionDenied):
        bases.review_annual_report(gl, driver.actor("yz_caseworker"), report, {"decision": "approved", "version": "1"})
    with pytest.raises(InvalidInput):            # returning needs a reason
        bases.review_annual_report(gl, driver.actor("wf_supervisor"), report, {"decision": "returned", "version": "1"})
    bases.review_annual_report(gl, driver.actor("wf_supervisor"), report,
                               {"decision": "returned", "note": "请补充活动照片", "version": "1"})
    bases.submit_annual_report(gl, staff, jb, {"year": "2025", "summary": "补充后"})
    bases.review_annual_report(gl, driver.actor("wf_supervisor"), report, {"decision": "approved", "version": "3"})
    view = bases.read_base(gl, staff, jb)
    assert [(r.year, r.status, r.figures["activities"]) for r in view["reports"]] == [(2025, "approved", 1)]
    assert view["may_record"] and not view["may_manage"]
    with pytest.raises(NotFound):
        bases.read_base(gl, staff, 10**6)


def test_expiring_bases_raise_one_work_item(gl, driver):
    providers, _ = _ids(gl)
    jb = providers[JB_BASE]
    bases.renew_base(gl, driver.actor("wf_caseworker"), jb,
                     {"version": _version(gl, jb), "valid_from": "2021-06-01", "valid_until": "2026-04-30"})
    assert bases.raise_expiry_notices(gl) == 1
    assert bases.raise_expiry_notices(gl) == 0        # idempotent
    with gl.reading() as s:
        notice = s.scalars(select(Notification).where(Notification.kind == "base_expiring")).one()
        assert notice.agency_code == "womens_federation" and notice.payload["provider_id"] == jb
    # renewed again: a new period, a new notice only when that one nears its end
    bases.renew_base(gl, driver.actor("wf_caseworker"), jb, {"version": _version(gl, jb)})
    assert bases.raise_expiry_notices(gl) == 0
