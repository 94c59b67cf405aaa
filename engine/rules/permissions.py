"""Who may see and change what: every "may this user do that" of the engine, as pure checks on the actor.

Each check takes the actor and the plain values it needs (the case's district, the task's roles, the
document's issuing agency …) and answers True or False; the services and reads load those values and ask
here. A refusal is raised by ``require`` (or a ``require_…`` helper) with its message from this module, so
``PermissionDenied`` is raised nowhere else. The queries that load a case with its check, and the SQL
conditions "the cases/clues this user may see", are in ``engine.reads.access``.

A user sees the cases of their own district in which their agency takes part; a user completes a task
only when their agency owns the task's lane, the case is in their district and their role is one the
task names.
"""
from collections.abc import Callable
from typing import NoReturn

from engine.errors import PermissionDenied
from engine.reference import COCKPIT_ROLES, LEDGER_ROLES, MUNICIPAL_ROLES, NO_CASEWORK_ROLES

Refusal = tuple[str, str]  # (Chinese, English)


def require(allowed: bool, refusal: Refusal) -> None:
    """Refuse with ``refusal`` unless ``allowed``."""
    if not allowed:
        refuse(refusal)


def refuse(refusal: Refusal) -> NoReturn:
    raise PermissionDenied(*refusal)


# --- accounts ---------------------------------------------------------------------------------------

ACCOUNT_DISABLED = ("账号不存在或已停用。", "The account does not exist or is disabled.")
ACCOUNTS_ADMIN_ONLY = ("仅系统管理员可以管理账号。", "Only an administrator can manage accounts.")
CREATING_ADMIN_ONLY = ("仅系统管理员可以创建账号。", "Only an administrator can create accounts.")
OFFICES_ADMIN_ONLY = ("仅系统管理员可以设置发文机关。", "Only an administrator can set up offices.")
API_CLIENTS_ADMIN_ONLY = ("仅系统管理员可以管理接口客户端。", "Only an administrator manages API clients.")
DEMO_ACCOUNTS_REFUSED = ("该数据库已有正式账号，不能创建演示账号（其密码是公开的）。",
                         "This database has real accounts: demo accounts (whose password is "
                         "published) are not created on it.")


def is_admin(actor) -> bool:
    return actor is not None and actor.role == "admin"


def may_manage_accounts(actor) -> bool:
    return is_admin(actor)


def may_set_up_offices(actor) -> bool:
    return is_admin(actor)


def may_create_account(actor) -> bool:
    """An administrator, or the command line (no actor)."""
    return actor is None or actor.role == "admin"


def may_manage_api_clients(actor) -> bool:
    """An administrator, or the command line (no actor)."""
    return actor is None or actor.role == "admin"


def require_client_scope(scopes, scope: str) -> None:
    """An API client calls only what its scopes grant."""
    require(scope in scopes, (f"该客户端没有 {scope} 权限。", f"This client lacks the scope {scope}."))


# --- cases and clues --------------------------------------------------------------------------------

CASEWORK_REFUSED = ("该账号不办理个案，也不能查看个案。", "This account does not work on cases and may not see them.")
CASE_NOT_YOURS = ("您无权查看此个案：仅限本辖区参与办理的机构。",
                  "You may not see this case: only agencies of its district that work on it may.")

# The women's federation coordinates every case of its district: it joins each case when the case is
# opened (``open_case``), so for its users "takes part" adds nothing to "in the district".
COORDINATING_AGENCY = "womens_federation"

# The agencies that decide whether a clue becomes a case (建档): they see the clues not yet opened.
CLUE_DECIDING_AGENCIES = ("womens_federation", "procuratorate", "court")
OPENING_AGENCIES = CLUE_DECIDING_AGENCIES
OPENING_ROLES = ("caseworker", "prosecutor", "judge", "supervisor")
OPENING_REFUSED = ("仅妇联、检察院、法院的办案人员可以建档。",
                   "Only caseworkers of the women's federation, procuratorate or court open cases.")
REPORT_HANDLING_ROLES = ("caseworker", "supervisor")
REPORT_HANDLING_REFUSED = ("您的角色不能受理强制报告。", "Your role may not handle mandatory reports.")


def works_on_cases(actor) -> bool:
    """Administrators and leaders work on no case: they never see a child's record."""
    return actor.role not in NO_CASEWORK_ROLES


def require_casework(actor) -> None:
    require(works_on_cases(actor), CASEWORK_REFUSED)


def may_view_case(actor, district_id: int, takes_part: bool) -> bool:
    """The case is in the actor's district and the actor's agency takes part in it."""
    return works_on_cases(actor) and actor.district_id == district_id and takes_part


def require_view_case(actor, district_id: int, takes_part: bool) -> None:
    require(may_view_case(actor, district_id, takes_part), CASE_NOT_YOURS)


def may_see_clue(actor, district_id: int, registered_by: int | None, case_id: int | None,
                 takes_part: Callable[[], bool]) -> bool:
    """A clue's child data is for its registrar, the agencies deciding whether to open a case from it
    while it is open to decision and, once a case is opened from it, the agencies taking part in that case
    (``takes_part``, asked only then)."""
    if not works_on_cases(actor) or district_id != actor.district_id:
        return False
    if registered_by == actor.id:
        return True
    if case_id is None:
        return actor.agency in CLUE_DECIDING_AGENCIES
    return takes_part()


def may_open_case(actor) -> bool:
    """建档: caseworkers of the agencies deciding on clues."""
    return actor.agency in OPENING_AGENCIES and actor.role in OPENING_ROLES


def may_handle_report(actor) -> bool:
    return actor.role in REPORT_HANDLING_ROLES


# --- case work --------------------------------------------------------------------------------------

FILTERING_ROLES = ("supervisor",)
FILTERING_REFUSED = ("只有督导可以按风险等级、环节和家庭类型筛选个案。",
                     "Only supervisors may filter cases by code, step and family type.")
VISIT_RECORDING_ROLES = ("caseworker", "counsellor", "supervisor", "prosecutor", "judge")
VISIT_RECORDING_REFUSED = ("您的角色不能记录回访或指导。", "Your role may not record visits or sessions.")
NOTE_EDIT_REFUSED = ("只有记录人本人可以修改该记录；如需更正，请新增一条更正记录。",
                     "Only its author may edit a note; add a correction instead.")
ASSIGNING_ROLES = ("supervisor",)
OWNER_ASSIGNING_REFUSED = ("只有本机构督导可以指定或变更承办人。", "Only the agency's supervisor may assign or hand over a case.")
REF_AGENCIES = ("procuratorate", "court", "police")
REF_REFUSED = ("仅检察院、法院、公安机关可以登记本单位案号。",
               "Only the procuratorate, court and police record their own case numbers.")


def may_filter_cases(actor) -> bool:
    """Filtering by code, step and family type is supervision."""
    return actor.role in FILTERING_ROLES


def may_record_visits(actor) -> bool:
    return works_on_cases(actor) and actor.role in VISIT_RECORDING_ROLES


def may_edit_note(actor, author_id: int) -> bool:
    return author_id == actor.id


def may_assign_owner(actor) -> bool:
    return actor.role in ASSIGNING_ROLES


def may_record_case_numbers(actor) -> bool:
    """Only agencies with a case system of their own have a case number to record."""
    return actor.agency in REF_AGENCIES


# --- tasks ------------------------------------------------------------------------------------------

TASK_OTHER_DISTRICT = ("该任务不属于您的辖区。", "This task is not in your district.")
TASK_OTHER_AGENCY = ("该任务由其他机构办理。", "Another agency owns this task.")
TASK_WRONG_ROLE = ("您的角色不能办理该任务。", "Your role may not complete this task.")
RELEASE_REFUSED = ("只有认领人可以释放该任务。", "Only the person holding a task may release it.")
TASK_ASSIGNING_REFUSED = ("只有本机构督导可以指派任务。", "Only the supervisor of the task's agency may assign it.")


def role_allowed(roles, agency: str, role: str) -> bool:
    """The task names the role, alone or of this agency (``agency:role``)."""
    return role in roles or f"{agency}:{role}" in roles


def require_task_rights(actor, item) -> None:
    """``item``: anything with the task's ``district_id``, ``lane`` (owning agency) and ``roles``."""
    require(actor.district_id == item.district_id, TASK_OTHER_DISTRICT)
    require(actor.agency == item.lane, TASK_OTHER_AGENCY)
    require(role_allowed(item.roles, actor.agency, actor.role), TASK_WRONG_ROLE)


def may_complete_held_task(actor, holder_id: int | None) -> bool:
    """A held task is completed by its holder only."""
    return holder_id is None or holder_id == actor.id


def refuse_held_task(holder_name: str) -> NoReturn:
    name = holder_name
    refuse((f"该任务已由{name}认领或被指派，只有{name}可以办理；如需改由他人办理，请本机构督导重新指派。",
            f"This task is assigned to {name}; only {name} may complete it. "
            "Ask your agency's supervisor to reassign it."))


def may_release_task(actor, holder_id: int | None) -> bool:
    return holder_id == actor.id


def may_assign_task(actor, district_id: int, lane: str) -> bool:
    return actor.role in ASSIGNING_ROLES and actor.agency == lane and actor.district_id == district_id


# --- approvals, closure, supervision ----------------------------------------------------------------

APPROVING_REFUSED = ("仅督导可以审批。", "Only supervisors decide approvals.")
OWN_REQUEST_APPROVAL = ("不能审批本人提出的申请。", "You cannot approve your own request.")
OWN_REQUEST_DECISION = ("不能审批本人提出的申请。", "You cannot decide your own request.")
CLOSURE_UNAPPROVED = ("结案须经督导审批。", "A case closes only with a supervisor's approval on record.")
CHASES_REFUSED = ("仅督导可以办理督办。", "Only supervisors answer chases.")
LOOP_REVIEW_REFUSED = ("仅督导可以进行闭环审查。", "Only supervisors audit closed loops.")
OVERDUE_REFUSED = ("仅督导可以查看逾期督办清单。", "Only supervisors see the overdue list.")


def may_decide_approvals(actor) -> bool:
    return actor.role == "supervisor"


def may_approve(actor, requested_by: int | None) -> bool:
    """Nobody decides their own request."""
    return requested_by != actor.id


def may_answer_chases(actor) -> bool:
    return actor.role == "supervisor"


def may_review_loops(actor) -> bool:
    return actor.role == "supervisor"


def may_read_overdue(actor) -> bool:
    return actor.role == "supervisor"


# --- documents --------------------------------------------------------------------------------------

ISSUING_ROLES = {"supervision_order": ("prosecutor",), "guidance_order": ("judge",), "protection_order": ("judge",)}
ISSUING_ROLES_DEFAULT = ("caseworker", "supervisor", "prosecutor", "judge")
DELIVERING_ROLES = ("prosecutor", "judge", "caseworker")
CORRECTION_REQUEST_REFUSED = ("只有制发机关的承办人员可以申请更正该文书。",
                              "Only the issuing agency's officers may ask to correct this document.")
CORRECTION_APPROVAL_REFUSED = ("更正须由制发机关负责人审批。",
                               "A correction is approved by a head of department of the issuing agency.")
DELIVERY_REFUSED = ("只有制发机关的承办人员可以送达该文书。", "Only the issuing agency's officers may deliver this document.")


def may_issue(actor, issuing_agency: str, doc_type: str) -> bool:
    """An officer of the issuing agency whose role issues this kind of document."""
    return actor.agency == issuing_agency and actor.role in ISSUING_ROLES.get(doc_type, ISSUING_ROLES_DEFAULT)


def may_approve_correction(actor, issuing_agency: str, district_id: int) -> bool:
    """A head of department (supervisor) of the issuing agency, in the case's district."""
    return actor.role == "supervisor" and actor.agency == issuing_agency and actor.district_id == district_id


def may_deliver(actor, issuing_agency: str) -> bool:
    return actor.agency == issuing_agency and actor.role in DELIVERING_ROLES


# --- cockpit, ledger --------------------------------------------------------------------------------

COCKPIT_REFUSED = ("仅督导和领导可以查看数字驾驶舱。", "Only supervisors and leaders may read the cockpit.")
OTHER_DISTRICT_FIGURES = ("督导只能查看本辖区的数据。", "Supervisors see their own district's figures only.")
LEDGER_EXPORT_REFUSED = ("领导账号只查看汇总数字，不能导出个案台账。",
                         "Leaders read aggregate figures only: the case ledger cannot be exported.")


def may_read_cockpit(actor) -> bool:
    return actor.role in COCKPIT_ROLES


def may_read_district(actor, district_id: int | None) -> bool:
    """The figures of ``district_id`` (None: all districts): one's own, or any for the municipality."""
    return actor.role in MUNICIPAL_ROLES or (district_id is not None and district_id == actor.district_id)


def may_export_ledger(actor) -> bool:
    return actor.role in LEDGER_ROLES


# --- family education: parent schools, bases, activities, the screening register --------------------

# 区家庭教育指导中心: the women's federation's caseworkers and supervisors of a district.
OFFICE_AGENCY, OFFICE_ROLES = "womens_federation", ("caseworker", "supervisor")
PARENT_SCHOOL_AGENCIES = ("education", "community", "womens_federation", "civil_affairs")
PARENT_SCHOOL_REFUSED = ("只有学校、社区和区家庭教育指导中心的工作人员可以办理家长学校事务。",
                         "Only school, community and district family-education staff run parent schools.")
COURSE_OTHER_DISTRICT = ("该课程不属于您的辖区。", "This course is not in your district.")
COURSE_OTHER_ORGANISATION = ("该课程由其他单位开设。", "Another organisation runs this course.")
CERTIFICATE_REFUSED = ("您无权查看该证书。", "You may not see this certificate.")
SIGNIN_LOCKED = ("签到尝试次数过多，请向现场工作人员登记。", "Too many attempts: please ask the staff on site to sign you in.")
SURVEY_CLOSED = ("该问卷已停止收集。", "This survey is no longer collecting answers.")
BASE_OFFICE_ONLY = ("仅基地所在区县的家庭教育指导中心（妇联办案人员、督导）可以管理该基地。",
                    "Only the family-education office of the base's district (women's federation "
                    "caseworkers and supervisors) manages this base.")
BASE_STAFF_OR_OFFICE_ONLY = ("仅该基地的工作人员或所在区县的家庭教育指导中心可以记录。",
                             "Only this base's staff or the family-education office of its district may record this.")
BASES_REFUSED = ("该账号不能查看实践基地。", "This account may not read the practice bases.")
ANNUAL_REPORT_REFUSED = ("年度报告由本基地工作人员提交。", "The annual report is submitted by the base's own staff.")
ACTIVITY_RECORDING_AGENCIES = {"school": ("education",), "kindergarten": ("education",),
                               "community": ("community", "civil_affairs")}
ACTIVITY_RECORDING_ROLES = ("caseworker", "supervisor", "counsellor")
ACTIVITIES_REFUSED = ("该账号不能查看家庭教育活动。", "This account may not read family-education activities.")
ORGANISATION_REFUSED = ("仅区家庭教育指导中心或该类机构的主管部门人员可以登记机构。",
                        "Only the district family-education office or staff of this kind of organisation "
                        "may register one.")
ACTIVITY_REFUSED = ("您不能为该机构记录活动。", "You may not record activities for this organisation.")
REGISTERING_AGENCIES = ("community", "civil_affairs", "education")
REGISTERING_ROLES = ("caseworker", "supervisor", "counsellor")
REGISTER_READING_REFUSED = ("仅登记单位（社区、民政、学校）和区家庭教育指导中心可以查看摸排台账。",
                            "Only the registering agencies (community, civil affairs, schools) and the district "
                            "family-education office may read the screening register.")
REGISTERING_REFUSED = ("仅网格员、儿童主任和学校可以登记摸排台账。",
                       "Only grid workers, child directors and schools register children on the register.")
VISIT_REFUSED = ("您不能记录走访。", "You may not record visits.")
CLUE_FROM_REGISTER_REFUSED = ("线索由登记单位提交。", "The registering agency reports the clue.")


def is_family_education_office(actor) -> bool:
    """Of a district's family-education office (区家庭教育指导中心), whatever district."""
    return actor.agency == OFFICE_AGENCY and actor.role in OFFICE_ROLES


def is_district_office(actor, district_id: int | None) -> bool:
    return is_family_education_office(actor) and actor.district_id == district_id


def is_parent_school_staff(actor) -> bool:
    return works_on_cases(actor) and actor.agency in PARENT_SCHOOL_AGENCIES


def require_parent_school_staff(actor, district_id: int | None = None) -> None:
    require(is_parent_school_staff(actor), PARENT_SCHOOL_REFUSED)
    require(district_id is None or district_id == actor.district_id, COURSE_OTHER_DISTRICT)


def may_manage_course(actor, district_id: int, agency: str) -> bool:
    """The agency that runs the course, or the district office, in the course's district."""
    return (is_parent_school_staff(actor) and actor.district_id == district_id
            and actor.agency in (agency, OFFICE_AGENCY))


def may_read_bases(actor) -> bool:
    return actor.role not in ("admin",)


def may_record_for_base(actor, provider_id: int, district_id: int | None, staff_of: int | None) -> bool:
    """The base's own staff (``staff_of``: the base the actor works for) or its district's office."""
    return staff_of == provider_id or is_district_office(actor, district_id)


def may_read_activities(actor) -> bool:
    return actor.role not in ("admin", "base_staff")


def may_register_organisation(actor, kind: str) -> bool:
    return is_family_education_office(actor) or (actor.agency in ACTIVITY_RECORDING_AGENCIES[kind]
                                                 and actor.role in ACTIVITY_RECORDING_ROLES)


def may_add_organisations(actor) -> bool:
    """Offered the form to register an organisation: the office, or staff of an agency that records for one."""
    return is_family_education_office(actor) or (actor.agency in ("education", "community", "civil_affairs")
                                                 and actor.role in ACTIVITY_RECORDING_ROLES)


def may_record_activities(actor, district_id: int, kind: str) -> bool:
    """For an organisation of ``kind`` in ``district_id``."""
    return actor.district_id == district_id and may_register_organisation(actor, kind)


def may_register(actor) -> bool:
    """摸排台账: grid workers, child directors and schools register children."""
    return actor.agency in REGISTERING_AGENCIES and actor.role in REGISTERING_ROLES


def may_read_register(actor) -> bool:
    return may_register(actor) or is_family_education_office(actor)


def may_record_screening_visit(actor) -> bool:
    """A visit to a child on the register: its registering agencies or the district office."""
    return may_register(actor) or is_family_education_office(actor)
