"""Permission is checked in the engine: agency owns the lane, case in the district, role named by the task."""
import pytest
from sqlalchemy import func, select, update

from engine import services
from engine.errors import PermissionDenied
from engine.models import Approval, AuditEntry, TaskRecord
from engine.reads.access import can_view_case
from engine.models import Case

from .helpers import assess, blue_case_at_its_outcome, new_case, propose


@pytest.mark.parametrize("username", ["prosecutor", "police", "judge", "civil_affairs", "teacher"])
def test_other_agencies_cannot_complete_a_womens_federation_task(gl, driver, username):
    case = new_case(driver)
    with pytest.raises(PermissionDenied):
        driver.do(username, case, "social_investigation", {"findings": "x", "investigated_on": driver.today()})


def test_wrong_role_of_the_right_agency_is_refused(gl, driver):
    case = new_case(driver)
    with pytest.raises(PermissionDenied, match="角色"):
        driver.do("wf_counsellor", case, "social_investigation", {"findings": "x", "investigated_on": driver.today()})


def test_another_district_cannot_see_or_change_the_case(gl, driver):
    case = new_case(driver)
    with gl.reading() as s:
        assert not can_view_case(s, driver.actor("yz_caseworker"), s.get(Case, case))
        assert can_view_case(s, driver.actor("wf_caseworker"), s.get(Case, case))
    with pytest.raises(PermissionDenied, match="无权查看"):
        driver.do("yz_caseworker", case, "social_investigation", {"findings": "x", "investigated_on": driver.today()})
    with pytest.raises(PermissionDenied):
        services.upgrade_on_incident(gl, driver.actor("yz_prosecutor"), case, {"code": "red", "reason": "x"},
                                     driver.version(case))


def test_an_agency_not_taking_part_cannot_see_the_case_until_it_is_given_a_task(gl, driver):
    case = new_case(driver)
    with gl.reading() as s:
        assert not can_view_case(s, driver.actor("police"), s.get(Case, case))
    assess(driver, case, 16, ["guardian_uncooperative"])
    propose(driver, case, notify=False, reprimand=True)   # referred to the police, who decide it
    with gl.reading() as s:
        assert can_view_case(s, driver.actor("police"), s.get(Case, case))
        assert not can_view_case(s, driver.actor("judge"), s.get(Case, case))


def test_admin_does_not_handle_cases(gl, driver):
    case = new_case(driver)
    with gl.reading() as s:
        assert not can_view_case(s, driver.actor("admin"), s.get(Case, case))


def test_a_requester_can_never_approve_their_own_request(gl, driver):
    case = blue_case_at_its_outcome(driver)
    services.request_closure(gl, driver.actor("wf_caseworker"), case, "稳定", driver.version(case))
    supervisor = driver.actor("wf_supervisor")
    with gl.transaction() as s:  # as if the supervisor had filed the request themselves
        s.execute(update(Approval).values(requested_by=supervisor.id))
    with gl.reading() as s:
        before = s.scalar(select(func.count(AuditEntry.id)))
    with pytest.raises(PermissionDenied, match="本人"):
        services.approve(gl, supervisor, case, "approved", "", driver.version(case))
    with gl.reading() as s:
        assert s.scalar(select(func.count(AuditEntry.id))) == before
        assert s.scalars(select(Approval)).one().status == "pending"
        assert s.get(Case, case).status == "open"


def test_caseworker_cannot_approve(gl, driver):
    case = blue_case_at_its_outcome(driver)
    services.request_closure(gl, driver.actor("wf_caseworker"), case, "稳定", driver.version(case))
    with pytest.raises(PermissionDenied):
        services.approve(gl, driver.actor("wf_caseworker2"), case, "approved", "", driver.version(case))
    with gl.reading() as s:
        assert s.scalar(select(func.count(TaskRecord.id)).where(TaskRecord.task_spec == "approve_closure")) == 0


def test_the_womens_federation_takes_part_in_every_case_it_is_asked_to_see(gl, driver):
    """Lists trust that the coordinating agency joins each case when it is opened, whoever opens it."""
    from engine.models import CaseAgency
    from engine.rules.permissions import COORDINATING_AGENCY
    cases = [new_case(driver, opener=who) for who in ("wf_caseworker", "prosecutor", "judge")]
    with gl.reading() as s:
        joined = set(s.scalars(select(CaseAgency.case_id).where(CaseAgency.agency_code == COORDINATING_AGENCY)))
    assert set(cases) <= joined
