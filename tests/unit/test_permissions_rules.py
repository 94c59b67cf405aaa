"""Who may do what (engine.rules.permissions), on actors and plain values alone: no database."""
from types import SimpleNamespace

import pytest

from engine.actor import Actor
from engine.errors import PermissionDenied
from engine.rules import permissions as p

DISTRICT, OTHER = 1, 2


def actor(role="caseworker", agency="womens_federation", district_id=DISTRICT, id=7) -> Actor:
    return Actor(id, f"u{id}", "某人", role, agency, district_id)


def test_require_passes_when_allowed_and_refuses_with_both_messages_otherwise():
    p.require(True, p.CASE_NOT_YOURS)
    with pytest.raises(PermissionDenied) as caught:
        p.require(False, p.CASE_NOT_YOURS)
    assert (caught.value.message, caught.value.message_en) == p.CASE_NOT_YOURS


def test_administrators_leaders_and_base_staff_do_no_casework():
    assert p.works_on_cases(actor())
    for role in ("admin", "leader", "base_staff"):
        assert not p.works_on_cases(actor(role))
        with pytest.raises(PermissionDenied, match="不办理个案"):
            p.require_casework(actor(role))


def test_a_case_is_seen_in_ones_district_by_an_agency_taking_part():
    assert p.may_view_case(actor(), DISTRICT, takes_part=True)
    assert not p.may_view_case(actor(), DISTRICT, takes_part=False)
    assert not p.may_view_case(actor(), OTHER, takes_part=True)
    assert not p.may_view_case(actor("leader"), DISTRICT, takes_part=True)
    with pytest.raises(PermissionDenied, match="无权查看此个案"):
        p.require_view_case(actor(), OTHER, True)


def test_a_clue_is_seen_by_its_registrar_the_deciding_agencies_then_the_agencies_on_its_case():
    never = lambda: pytest.fail("asked the database when it did not decide")  # noqa: E731
    school = actor(agency="education", id=3)
    assert p.may_see_clue(school, DISTRICT, registered_by=3, case_id=None, takes_part=never)
    assert not p.may_see_clue(school, DISTRICT, registered_by=9, case_id=None, takes_part=never)
    assert p.may_see_clue(actor(agency="court"), DISTRICT, registered_by=9, case_id=None, takes_part=never)
    assert not p.may_see_clue(actor(agency="court"), OTHER, registered_by=9, case_id=None, takes_part=never)
    assert p.may_see_clue(school, DISTRICT, registered_by=9, case_id=5, takes_part=lambda: True)
    assert not p.may_see_clue(school, DISTRICT, registered_by=9, case_id=5, takes_part=lambda: False)


def test_cases_are_opened_by_the_deciding_agencies_caseworkers():
    assert p.may_open_case(actor())
    assert p.may_open_case(actor("prosecutor", "procuratorate"))
    assert not p.may_open_case(actor(agency="education"))
    assert not p.may_open_case(actor("counsellor"))


def test_a_task_is_completed_by_its_lanes_agency_in_its_district_in_a_role_it_names():
    item = SimpleNamespace(district_id=DISTRICT, lane="womens_federation", roles=["caseworker", "court:judge"])
    p.require_task_rights(actor(), item)
    assert p.role_allowed(item.roles, "court", "judge") and not p.role_allowed(item.roles, "police", "judge")
    refusals = {"district": (actor(district_id=OTHER), p.TASK_OTHER_DISTRICT),
                "agency": (actor(agency="court"), p.TASK_OTHER_AGENCY),
                "role": (actor("counsellor"), p.TASK_WRONG_ROLE)}
    for who, message in refusals.values():
        with pytest.raises(PermissionDenied) as caught:
            p.require_task_rights(who, item)
        assert caught.value.message == message[0]


def test_a_held_task_is_for_its_holder_and_the_refusal_names_them():
    assert p.may_complete_held_task(actor(), None) and p.may_complete_held_task(actor(id=7), 7)
    assert not p.may_complete_held_task(actor(id=7), 8)
    with pytest.raises(PermissionDenied, match="只有张三可以办理") as caught:
        p.refuse_held_task("张三")
    assert "only 张三 may complete it" in caught.value.message_en
    assert p.may_release_task(actor(id=7), 7) and not p.may_release_task(actor(id=7), None)


def test_tasks_and_cases_are_assigned_by_a_supervisor_of_the_owning_agency():
    boss = actor("supervisor")
    assert p.may_assign_task(boss, DISTRICT, "womens_federation")
    assert not p.may_assign_task(boss, DISTRICT, "court") and not p.may_assign_task(boss, OTHER, "womens_federation")
    assert not p.may_assign_task(actor(), DISTRICT, "womens_federation")
    assert p.may_assign_owner(boss) and not p.may_assign_owner(actor())


def test_nobody_approves_their_own_request_and_only_supervisors_decide():
    assert p.may_approve(actor(id=7), requested_by=8)
    assert not p.may_approve(actor(id=7), requested_by=7)
    assert p.may_decide_approvals(actor("supervisor")) and not p.may_decide_approvals(actor())
    for check in (p.may_answer_chases, p.may_review_loops, p.may_read_overdue):
        assert check(actor("supervisor")) and not check(actor("leader"))


def test_documents_are_corrected_and_delivered_by_the_issuing_agencys_officers():
    judge, prosecutor = actor("judge", "court"), actor("prosecutor", "procuratorate")
    assert p.may_issue(judge, "court", "guidance_order")
    assert not p.may_issue(prosecutor, "court", "guidance_order")
    assert not p.may_issue(actor(agency="court"), "court", "guidance_order")   # a court caseworker
    assert p.may_issue(actor(), "womens_federation", "duty_notice")              # the default roles
    assert p.may_deliver(judge, "court") and not p.may_deliver(actor("supervisor", "court"), "court")
    head = actor("supervisor", "court")
    assert p.may_approve_correction(head, "court", DISTRICT)
    assert not p.may_approve_correction(head, "court", OTHER)
    assert not p.may_approve_correction(judge, "court", DISTRICT)


def test_casework_details():
    assert p.may_filter_cases(actor("supervisor")) and not p.may_filter_cases(actor())
    assert p.may_record_visits(actor("counsellor")) and not p.may_record_visits(actor("police_officer"))
    assert not p.may_record_visits(actor("leader"))
    assert p.may_edit_note(actor(id=7), 7) and not p.may_edit_note(actor(id=7), 8)
    assert p.may_record_case_numbers(actor(agency="police")) and not p.may_record_case_numbers(actor())
    assert p.may_handle_report(actor()) and not p.may_handle_report(actor("counsellor"))


def test_the_cockpit_is_for_supervisors_of_their_district_and_leaders_of_all():
    supervisor, leader = actor("supervisor"), actor("leader")
    assert p.may_read_cockpit(supervisor) and p.may_read_cockpit(leader) and not p.may_read_cockpit(actor())
    assert p.may_read_district(supervisor, DISTRICT)
    assert not p.may_read_district(supervisor, OTHER) and not p.may_read_district(supervisor, None)
    assert p.may_read_district(leader, OTHER) and p.may_read_district(leader, None)
    assert p.may_export_ledger(supervisor) and not p.may_export_ledger(leader)


def test_accounts_offices_and_api_clients_are_an_administrators():
    admin = actor("admin")
    for check in (p.may_manage_accounts, p.may_set_up_offices):
        assert check(admin) and not check(actor()) and not check(None)
    for check in (p.may_create_account, p.may_manage_api_clients):  # the command line has no actor
        assert check(admin) and check(None) and not check(actor())
    p.require_client_scope(["cases:read"], "cases:read")
    with pytest.raises(PermissionDenied, match="orders:read"):
        p.require_client_scope(["cases:read"], "orders:read")


def test_family_education():
    office, school = actor(), actor(agency="education")
    assert p.is_district_office(office, DISTRICT) and not p.is_district_office(office, OTHER)
    assert not p.is_family_education_office(actor("judge", "court"))
    assert p.is_parent_school_staff(school) and not p.is_parent_school_staff(actor(agency="court"))
    p.require_parent_school_staff(school, DISTRICT)
    with pytest.raises(PermissionDenied, match="不属于您的辖区"):
        p.require_parent_school_staff(school, OTHER)
    assert p.may_manage_course(school, DISTRICT, "education") and p.may_manage_course(office, DISTRICT, "education")
    assert not p.may_manage_course(actor(agency="community"), DISTRICT, "education")
    assert p.may_record_for_base(actor("base_staff", "education"), 4, DISTRICT, staff_of=4)
    assert p.may_record_for_base(office, 4, DISTRICT, staff_of=None)
    assert not p.may_record_for_base(school, 4, DISTRICT, staff_of=None)
    assert p.may_read_bases(school) and not p.may_read_bases(actor("admin"))
    assert p.may_read_activities(school) and not p.may_read_activities(actor("base_staff"))
    assert p.may_register_organisation(school, "kindergarten") and not p.may_register_organisation(school, "community")
    assert p.may_record_activities(school, DISTRICT, "school") and not p.may_record_activities(school, OTHER, "school")
    assert p.may_add_organisations(school) and not p.may_add_organisations(actor(agency="court"))
    community = actor(agency="community")
    assert p.may_register(community) and p.may_read_register(community)
    assert not p.may_register(office) and p.may_read_register(office)
    assert not p.may_read_register(actor("judge", "court"))
    assert p.may_record_screening_visit(community) and p.may_record_screening_visit(office)
    assert not p.may_record_screening_visit(actor("judge", "court"))
