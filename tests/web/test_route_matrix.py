"""Every route × every demo role × both districts (and signed out), generated from the app's URL map.

``EXPECTED`` holds one line per endpoint: who gets through. A route added without a line fails
``test_every_route_has_an_expectation``. Each cell is one of:
  ok       2xx, or a redirect that is not to the sign-in page (a form that answers with a flash counts)
  login    a redirect to the sign-in page (signed out)
  refused  403, or 404 for an object outside the user's reach (it answers as a missing one)
Nothing may answer 5xx.
"""
import re
from dataclasses import replace
from io import BytesIO

import pytest
from PIL import Image
from sqlalchemy import select

from engine.infra.bootstrap import DEMO_USERS
from engine.reference import NO_CASEWORK_ROLES
from engine.models import (Approval, BaseAnnualReport, Case, CaseAgency, Chase, DocumentRecord, EduOrganisation,
                           GuidanceProvider, ModelVersion, Notification, Office, RiskClue, Round, ScreeningEntry, User,
                           WorkItem)
from engine.workflow.clock import clock
from engine.services import account_admin, api_clients, attachments, clue_import, notes
from engine.actor import actor_by_username

from .conftest import Browser

USERS = [u[0] for u in DEMO_USERS]
ANONYMOUS = "anonymous"
EVERYONE = set(USERS) | {ANONYMOUS}
SIGNED_IN = set(USERS)
CASEWORK = SIGNED_IN - {"admin", "leader", "base_staff"}
JB_CASEWORK = CASEWORK - {"yz_caseworker", "yz_prosecutor"}
JB_WOMENS_FEDERATION = {"wf_caseworker", "wf_caseworker2", "wf_counsellor", "wf_supervisor"}
SUPERVISORS = {"wf_supervisor", "pro_supervisor", "court_supervisor", "police_supervisor", "civil_supervisor"}
ADMIN = {"admin"}
PS_STAFF = {u for u, _, agency, role, district in DEMO_USERS if district == "JB" and role not in NO_CASEWORK_ROLES
            and agency in ("education", "community", "womens_federation", "civil_affairs")}
PS_MANAGERS = {"teacher"} | JB_WOMENS_FEDERATION      # a course of the school's (education), and the district office
JB_OFFICE = {"wf_caseworker", "wf_caseworker2", "wf_supervisor"}    # the district family-education office
SCREENING_REGISTRARS = {"community", "civil_affairs", "civil_supervisor", "teacher"}


def _agencies_on(objects, case_id) -> set:
    """The JB users whose agency takes part in the case (the district and agency rule, from the data)."""
    agencies = objects["agencies"][case_id]
    return {u for u, _, agency, role, district in DEMO_USERS
            if district == "JB" and agency in agencies and role not in NO_CASEWORK_ROLES}


def _deliverers(objects, document) -> set:
    """Officers of the issuing agency who may record the delivery of its corrected document."""
    from engine.rules.permissions import DELIVERING_ROLES
    return {u for u, _, agency, role, district in DEMO_USERS
            if district == "JB" and agency == document.issuing_agency and role in DELIVERING_ROLES}


def _issuers(objects, document) -> set:
    """Officers of the issuing agency who may correct its document (``correct_document``)."""
    from engine.rules.permissions import ISSUING_ROLES
    roles = ISSUING_ROLES.get(document.doc_type, ("caseworker", "supervisor", "prosecutor", "judge"))
    return {u for u, _, agency, role, district in DEMO_USERS
            if district == "JB" and agency == document.issuing_agency and role in roles
            and agency in objects["agencies"][document.case_id]}


# endpoint -> (method, url(objects), data(objects) for a POST, who is let through(objects))
EXPECTED = {
    "static": ("GET", lambda o: "/static/style.css", None, lambda o: EVERYONE),
    "auth.login": ("GET", lambda o: "/login", None, lambda o: EVERYONE),
    "auth.logout": ("POST", lambda o: "/logout", {}, lambda o: SIGNED_IN),
    "auth.change_password": ("GET", lambda o: "/account/password", None, lambda o: SIGNED_IN),
    "auth.reset_password": ("GET", lambda o: f"/reset/{o['reset_token']}", None, lambda o: EVERYONE),
    "main.inbox": ("GET", lambda o: "/", None, lambda o: SIGNED_IN),
    "main.language": ("GET", lambda o: "/lang/en", None, lambda o: EVERYONE),
    "main.search": ("GET", lambda o: "/search?q=JB-2026", None, lambda o: SIGNED_IN),
    "main.notification_centre": ("GET", lambda o: "/notifications/", None, lambda o: CASEWORK),
    "main.read_all_notifications": ("POST", lambda o: "/notifications/read-all", {}, lambda o: CASEWORK),
    "main.digest_settings": ("POST", lambda o: "/notifications/digest", {"email": "", "digest_opt_in": ""},
                             lambda o: CASEWORK),
    "main.read_notification": ("POST", lambda o: f"/notifications/{o['notification']}/read", {},
                               lambda o: JB_WOMENS_FEDERATION),
    "clues.index": ("GET", lambda o: "/clues/", None, lambda o: CASEWORK),
    "clues.new": ("GET", lambda o: "/clues/new", None, lambda o: CASEWORK),
    # opened into a case of the women's federation alone: its caseworkers and supervisor (counsellors do not
    # open cases); the procuratorate and the court no longer see it
    "clues.open_case": ("GET", lambda o: f"/clues/{o['clue']}/open", None,
                        lambda o: {"wf_caseworker", "wf_caseworker2", "wf_supervisor"}),
    "clues.reject": ("POST", lambda o: f"/clues/{o['clue']}/reject", {"reason": ""},
                     lambda o: {"wf_caseworker", "wf_caseworker2", "wf_supervisor"}),
    "clues.merge": ("POST", lambda o: f"/clues/{o['clue']}/merge", {"reason": ""},
                    lambda o: {"wf_caseworker", "wf_caseworker2", "wf_supervisor"}),
    "cases.show": ("GET", lambda o: f"/cases/{o['case']}", None, lambda o: _agencies_on(o, o["case"])),
    # a valid form from a stale page: those on the case get the conflict message, nothing changes
    "cases.case_file": ("GET", lambda o: f"/cases/{o['case']}/file.pdf", None, lambda o: _agencies_on(o, o["case"])),
    "cases.upgrade": ("POST", lambda o: f"/cases/{o['case']}/upgrade",
                      lambda o: {"code": "red", "reason": "x", "expected_version": o["version"] - 1},
                      lambda o: _agencies_on(o, o["case"])),
    "tasks.task": ("GET", lambda o: f"/cases/{o['investigation'].case_id}/tasks/{o['investigation'].task_id}", None,
                   lambda o: {"wf_caseworker", "wf_caseworker2"}),
    # claimed by the caseworker who may complete it, then released by them; assigned by the supervisor
    "tasks.claim": ("POST", lambda o: f"/cases/{o['investigation'].case_id}/tasks/{o['investigation'].task_id}/claim",
                    {}, lambda o: {"wf_caseworker", "wf_caseworker2"}),
    "tasks.release": ("POST",
                      lambda o: f"/cases/{o['investigation'].case_id}/tasks/{o['investigation'].task_id}/release",
                      {}, lambda o: {"wf_caseworker", "wf_caseworker2"}),
    "tasks.assign": ("GET", lambda o: f"/cases/{o['investigation'].case_id}/tasks/{o['investigation'].task_id}/assign",
                     None, lambda o: {"wf_supervisor"}),
    "documents.draft": ("POST", lambda o: f"/cases/{o['order_approval'].case_id}/tasks/{o['order_approval'].task_id}/draft",
                        {}, lambda o: {"court_supervisor"}),
    "documents.pdf": ("GET", lambda o: f"/documents/{o['document'].id}.pdf", None,
                      lambda o: _agencies_on(o, o["document"].case_id)),
    "documents.correct": ("POST", lambda o: f"/documents/{o['document'].id}/correct", {"reason": ""},
                          lambda o: _issuers(o, o["document"])),
    "documents.deliver": ("POST", lambda o: f"/documents/{o['document'].id}/deliver", {"expected_version": "1"},
                          lambda o: _deliverers(o, o["document"])),
    "documents.verify": ("GET", lambda o: f"/verify/{o['document'].verification_code}", None, lambda o: EVERYONE),
    "approvals.queue": ("GET", lambda o: "/approvals/", None, lambda o: SUPERVISORS),
    "approvals.decide": ("POST", lambda o: f"/approvals/{o['approval'].id}",
                         lambda o: {"decision": "", "reason": "", "expected_version": o["approval_version"]},
                         lambda o: {"court_supervisor"}),
    "overdue.index": ("GET", lambda o: "/overdue/", None, lambda o: SUPERVISORS),
    "audits.index": ("GET", lambda o: "/audits/", None, lambda o: SUPERVISORS),
    "audits.sign_off": ("POST", lambda o: f"/audits/rounds/{o['closed_round']}/sign-off", {"note": ""},
                        lambda o: {"wf_supervisor"}),
    "audits.rework": ("POST", lambda o: f"/audits/rounds/{o['closed_round']}/rework",
                      {"step": "guide", "reason": "x", "expected_version": "0"}, lambda o: {"wf_supervisor"}),
    "audits.sample": ("POST", lambda o: "/audits/sample", {"size": "", "days": ""}, lambda o: SUPERVISORS),
    "cockpit.index": ("GET", lambda o: "/cockpit/", None, lambda o: SUPERVISORS | {"leader"}),
    "cockpit.export_table": ("POST", lambda o: "/cockpit/export/overdue.csv", {},
                             lambda o: SUPERVISORS | {"leader"}),
    "cockpit.export_ledger": ("POST", lambda o: "/cockpit/ledger.csv", {}, lambda o: SUPERVISORS),
    "main.vendor": ("GET", lambda o: "/vendor/bpmn-viewer.js", None, lambda o: EVERYONE),   # a published library
    "main.diagram_css": ("GET", lambda o: "/diagram.css", None, lambda o: EVERYONE),   # the diagrams' stylesheet
    "cases.model": ("GET", lambda o: f"/cases/models/{o['model_version']}/intervention_round.bpmn", None,
                    lambda o: CASEWORK),
    "records.visit": ("GET", lambda o: f"/cases/{o['case']}/visits/new", None, lambda o: _agencies_on(o, o["case"])),
    "records.session": ("GET", lambda o: f"/cases/{o['case']}/sessions/new", None,
                        lambda o: _agencies_on(o, o["case"])),
    "records.chases": ("GET", lambda o: "/chases/", None, lambda o: SUPERVISORS),
    # an empty answer: the chase's own supervisors are told what is missing, nobody else reaches it
    "records.answer": ("POST", lambda o: f"/chases/{o['chase'].id}", {"explanation": "", "action": ""},
                       lambda o: {u for u, _, agency, role, district in DEMO_USERS
                                  if district == "JB" and role == "supervisor" and agency == o["chase"].to_agency}),
    "records.reports": ("GET", lambda o: "/reports/", None, lambda o: CASEWORK),
    "records.report": ("POST", lambda o: f"/reports/{o['report']}", {"response": ""},
                       lambda o: {"police", "police_supervisor"}),
    "records.my_clues": ("GET", lambda o: "/clues/mine", None, lambda o: CASEWORK),
    "offices.index": ("GET", lambda o: "/admin/offices/", None, lambda o: ADMIN),
    "offices.edit": ("GET", lambda o: f"/admin/offices/{o['office']}", None, lambda o: ADMIN),
    "admin.users": ("GET", lambda o: "/admin/users", None, lambda o: ADMIN),
    "admin.user": ("GET", lambda o: f"/admin/users/{o['target']}", None, lambda o: ADMIN),
    "admin.disable": ("POST", lambda o: f"/admin/users/{o['target']}/disable", {}, lambda o: ADMIN),
    "admin.enable": ("POST", lambda o: f"/admin/users/{o['target']}/enable", {}, lambda o: ADMIN),
    "admin.unlock": ("POST", lambda o: f"/admin/users/{o['target']}/unlock", {}, lambda o: ADMIN),
    "admin.sign_out": ("POST", lambda o: f"/admin/users/{o['target']}/sign-out", {}, lambda o: ADMIN),
    "admin.reset": ("POST", lambda o: f"/admin/users/{o['target']}/reset", {}, lambda o: ADMIN),
    "admin.api_clients_page": ("GET", lambda o: "/admin/api-clients", None, lambda o: ADMIN),
    "admin.api_client": ("GET", lambda o: "/admin/api-clients/matrix-client", None, lambda o: ADMIN),
    # no scopes, no URL: the administrator is told what is missing (422), nothing changes
    "admin.api_client_scopes": ("POST", lambda o: "/admin/api-clients/matrix-client/scopes", {}, lambda o: ADMIN),
    "admin.api_client_webhook": ("POST", lambda o: "/admin/api-clients/matrix-client/webhook", {"webhook_url": ""},
                                 lambda o: ADMIN),
    "admin.api_client_rotate": ("POST", lambda o: "/admin/api-clients/matrix-client/rotate", {}, lambda o: ADMIN),
    "admin.api_client_revoke": ("POST", lambda o: "/admin/api-clients/matrix-client/revoke", {}, lambda o: ADMIN),
    # an empty list: the judicial agencies on the case (their own 案号) may send it
    "external_refs.save": ("POST", lambda o: f"/cases/{o['case']}/external-refs", {"refs": ""},
                           lambda o: {u for u in _agencies_on(o, o["case"])
                                      if dict((n, a) for n, _, a, *_ in DEMO_USERS)[u] in ("procuratorate", "court", "police")}),
    "clue_import.template": ("GET", lambda o: "/clues/import/template.xlsx", None, lambda o: CASEWORK),
    "clue_import.upload": ("GET", lambda o: "/clues/import/", None, lambda o: CASEWORK),
    "clue_import.report": ("GET", lambda o: f"/clues/import/{o['upload']}", None, lambda o: {"teacher"}),
    "clue_import.report_xlsx": ("GET", lambda o: f"/clues/import/{o['upload']}/report.xlsx", None,
                                lambda o: {"teacher"}),
    "casework.case_list_page": ("GET", lambda o: "/cases/", None, lambda o: CASEWORK),
    # an empty note: those on the case are told what is missing (422), nothing is written
    "casework.new_note": ("POST", lambda o: f"/cases/{o['case']}/notes/new", {}, lambda o: _agencies_on(o, o["case"])),
    "casework.edit_note": ("GET", lambda o: f"/cases/{o['case']}/notes/{o['note']}/edit", None,
                           lambda o: {"wf_caseworker"}),     # its author, within the edit window
    "casework.upload": ("GET", lambda o: f"/cases/{o['case']}/attachments/new", None,
                        lambda o: _agencies_on(o, o["case"])),
    "casework.attachment": ("GET", lambda o: f"/attachments/{o['attachment']}", None,
                            lambda o: _agencies_on(o, o["case"])),
    "casework.thumbnail": ("GET", lambda o: f"/attachments/{o['attachment']}/thumbnail", None,
                           lambda o: _agencies_on(o, o["case"])),
    "casework.owner": ("GET", lambda o: f"/cases/{o['case']}/owner", None,
                       lambda o: {u for u in _agencies_on(o, o["case"]) if u in SUPERVISORS}),
    # parent schools: the staff of schools, communities and the district office of their own district; the
    # agency running a course (and the district office) manages it; the QR pages are public
    "parent_school.index": ("GET", lambda o: "/services/courses/", None, lambda o: PS_STAFF | {"yz_caseworker"}),
    "parent_school.new_course": ("GET", lambda o: "/services/courses/new", None, lambda o: PS_STAFF | {"yz_caseworker"}),
    "parent_school.course": ("GET", lambda o: f"/services/courses/{o['ps']['course']}", None, lambda o: PS_STAFF),
    "parent_school.session_page": ("GET", lambda o: f"/services/courses/sessions/{o['ps']['session']}", None,
                                   lambda o: PS_STAFF),
    "parent_school.open_qr": ("POST", lambda o: f"/services/courses/sessions/{o['ps']['session']}/qr",
                              {"action": "close"}, lambda o: PS_MANAGERS),
    "parent_school.attend": ("POST", lambda o: f"/services/courses/sessions/{o['ps']['session']}/attend", {},
                             lambda o: PS_MANAGERS),
    "parent_school.roster": ("POST", lambda o: f"/services/courses/sessions/{o['ps']['session']}/roster", {},
                             lambda o: PS_MANAGERS),
    "parent_school.signin": ("GET", lambda o: f"/services/courses/s/{o['ps']['signin']}", None, lambda o: EVERYONE),
    "parent_school.survey": ("GET", lambda o: f"/services/courses/q/{o['ps']['survey']}", None, lambda o: EVERYONE),
    "parent_school.paper_survey": ("GET", lambda o: f"/services/courses/survey/course/{o['ps']['course']}", None,
                                   lambda o: PS_STAFF),
    "parent_school.survey_results": ("GET", lambda o: "/services/courses/surveys", None,
                                     lambda o: PS_STAFF | {"yz_caseworker"}),
    "parent_school.participants": ("GET", lambda o: "/services/courses/participants?q=王", None,
                                   lambda o: PS_STAFF | {"yz_caseworker"}),
    "parent_school.participant": ("GET", lambda o: f"/services/courses/participants/{o['ps']['participant']}", None,
                                  lambda o: PS_STAFF),
    "parent_school.certificate": ("GET", lambda o: f"/services/courses/certificates/{o['ps']['certificate']}.pdf", None,
                                  lambda o: PS_STAFF),
    "parent_school.case_learning": ("GET", lambda o: f"/services/courses/cases/{o['ps']['case']}/learning", None,
                                    lambda o: _agencies_on(o, o["ps"]["case"])),
    # family-education services: everyone signed in but the administrator reads the landing page and the bases
    "services.index": ("GET", lambda o: "/services/", None, lambda o: SIGNED_IN - ADMIN),
    "services.base_list": ("GET", lambda o: "/services/bases/", None, lambda o: SIGNED_IN - ADMIN),
    "services.base": ("GET", lambda o: f"/services/bases/{o['base']}", None, lambda o: SIGNED_IN - ADMIN),
    # empty forms: the base's district office (or its staff) is told what is missing (422), others refused
    "services.base_settings": ("POST", lambda o: f"/services/bases/{o['base']}/settings", {}, lambda o: JB_OFFICE),
    "services.base_renew": ("POST", lambda o: f"/services/bases/{o['base']}/renew", {}, lambda o: JB_OFFICE),
    "services.base_activity": ("POST", lambda o: f"/services/bases/{o['base']}/activities", {},
                               lambda o: JB_OFFICE | {"base_staff"}),
    "services.base_report": ("POST", lambda o: f"/services/bases/{o['base']}/report", {}, lambda o: {"base_staff"}),
    "services.base_review": ("POST", lambda o: f"/services/bases/{o['base']}/reports/{o['base_report']}/review", {},
                             lambda o: JB_OFFICE),
    "services.activity_progress": ("GET", lambda o: "/services/activities/", None,
                                   lambda o: SIGNED_IN - ADMIN - {"base_staff"}),
    "services.add_organisation": ("POST", lambda o: "/services/activities/organisations", {"kind": "school"},
                                  lambda o: JB_OFFICE | {"yz_caseworker", "teacher"}),
    "services.record_activity": ("POST", lambda o: "/services/activities/new", lambda o: {"organisation_id": o["school"]},
                                 lambda o: JB_OFFICE | {"teacher"}),
    "services.screening_list": ("GET", lambda o: "/services/screening/", None,
                                lambda o: SCREENING_REGISTRARS | JB_OFFICE | {"yz_caseworker"}),
    "services.screening_new": ("GET", lambda o: "/services/screening/new", None, lambda o: SCREENING_REGISTRARS),
    # an entry a grid worker registered: the community's staff and the district office
    "services.screening_entry": ("GET", lambda o: f"/services/screening/{o['screening']}", None,
                                 lambda o: JB_OFFICE | {"community"}),
    "services.screening_visit": ("POST", lambda o: f"/services/screening/{o['screening']}/visits", {},
                                 lambda o: JB_OFFICE | {"community"}),
    "services.screening_clue": ("POST", lambda o: f"/services/screening/{o['screening']}/clue", {},
                                lambda o: {"community"}),
}


# the API (/api/v1) takes bearer tokens, not sessions: its routes are in tests/api/test_api_routes.py
API_BLUEPRINTS = ("api.", "api_meta.")


def test_every_route_has_an_expectation(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if not rule.endpoint.startswith(API_BLUEPRINTS)}
    assert endpoints - set(EXPECTED) == set(), "add the new route's expectation to EXPECTED"
    assert set(EXPECTED) - endpoints == set(), "an expectation for a route that no longer exists"


@pytest.fixture
def objects(gl, tmp_path):
    gl.settings = replace(gl.settings, attachment_dir=tmp_path / "attachments")
    with gl.reading() as s:
        items = {w.task_spec: w for w in s.scalars(select(WorkItem))}
        approval = s.scalars(select(Approval).where(Approval.status == "pending", Approval.kind == "order")).first()
        closed = s.scalars(select(Round).join(Case, Case.id == Round.case_id)
                           .where(Case.status == "closed", Round.outcome == "closed")).first()
        case = s.scalars(select(Case).where(Case.child_name == "陈小雨")).one()   # red, domestic violence
        chase = s.scalars(select(Chase).where(Chase.answered_at.is_(None)).order_by(Chase.id)).first()
        report = s.scalars(select(RiskClue.id).where(RiskClue.report_to == "police").order_by(RiskClue.id)).first()
        office = s.scalars(select(Office.id).order_by(Office.id)).first()
        model_version = s.scalars(select(ModelVersion.version)).first()
        document = s.scalars(select(DocumentRecord).where(DocumentRecord.number.is_not(None),
                                                          DocumentRecord.status == "issued")).first()
        agencies = {}
        for case_id, agency in s.execute(select(CaseAgency.case_id, CaseAgency.agency_code)):
            agencies.setdefault(case_id, set()).add(agency)
        clue = s.scalars(select(RiskClue).where(RiskClue.case_id.is_not(None)).order_by(RiskClue.id)).first()
        target = s.scalars(select(User.id).where(User.username == "community")).one()
        admin = actor_by_username(s, "admin")
        caseworker = actor_by_username(s, "wf_caseworker")
        approval_version = s.get(Case, approval.case_id).version
        base = s.scalars(select(GuidanceProvider.id).where(GuidanceProvider.name == "江北区妇女儿童活动中心")).one()
        base_report = s.scalars(select(BaseAnnualReport.id).where(BaseAnnualReport.provider_id == base)).first()
        school = s.scalars(select(EduOrganisation.id).where(EduOrganisation.name == "江北区观音桥小学")).one()
        screening = s.scalars(select(ScreeningEntry.id).where(ScreeningEntry.child_name == "刘小飞")).one()
    with gl.transaction() as s:
        note = Notification(district_id=case.district_id, agency_code="womens_federation", kind="duplicate_check",
                            case_id=case.id, payload={"by": "x", "agency": "education"}, created_at=clock.now())
        s.add(note)
        s.flush()
        note_id = note.id
    # a note of the caseworker's (its author, within the edit window) and a photo on the red case
    case_note = notes.add_note(gl, caseworker, case.id, {"occurred_on": "2026-03-02", "kind": "phone", "body": "电话"})
    photo = BytesIO()
    Image.new("RGB", (60, 40), (0, 90, 200)).save(photo, "PNG")
    attachment = attachments.add_attachment(gl, caseworker, case.id, photo.getvalue(), "photo.png", {})
    # an API client for the administrator's pages; a teacher's upload of a sheet of clues (one bad row)
    if "matrix-client" not in {c.name for c in api_clients.list_clients(gl, admin)}:   # a module's database
        api_clients.create_client(gl, admin, name="matrix-client", agency="court", district="JB",
                                  scopes=["orders:read"])
    from openpyxl import Workbook
    sheet = Workbook()
    sheet.active.append(clue_import.KEYS)
    sheet.active.append(["school"])
    content = BytesIO()
    sheet.save(content)
    with gl.reading() as s:
        teacher = actor_by_username(s, "teacher")
    upload = clue_import.import_clues(gl, teacher, "matrix.xlsx", content.getvalue())
    return {"ps": _parent_school_objects(gl), "note": case_note, "attachment": attachment, "investigation": items["social_investigation"], "order_approval": items["approve_order"],
            "chase": chase, "report": report, "office": office, "model_version": model_version,
            "approval": approval, "approval_version": approval_version, "closed_round": closed.id, "case": case.id,
            "version": case.version, "document": document, "agencies": agencies, "clue": clue.id,
            "target": target, "notification": note_id, "base": base, "base_report": base_report, "school": school,
            "screening": screening, "upload": upload,
            "reset_token": account_admin.issue_reset_link(gl, admin, target)}


def _parent_school_objects(gl) -> dict:
    """A JB school's course and session, live QR links (to another session: the matrix closes the first's) to its sign-in sheet and survey, a JB guardian with a
    certificate (not on any case), the demo case whose plan requires courses."""
    from engine.models import Certificate, Course, CourseSession, Participant, PlanCourseRequirement
    from engine.services import parent_school as ps, parent_school_surveys as surveys
    with gl.reading() as s:
        course = s.scalars(select(Course).where(Course.agency == "education", Course.district_id == s.scalars(
            select(User.district_id).where(User.username == "teacher")).one()).order_by(Course.id)).first()
        session_id, other = s.scalars(select(CourseSession.id).where(CourseSession.course_id == course.id)
                                      .order_by(CourseSession.id).limit(2)).all()   # other: a QR not closed
        certificate = s.scalars(select(Certificate).join(Participant, Participant.id == Certificate.participant_id)
                                .where(Participant.guardian_id.is_(None), Certificate.district_id == course.district_id)
                                .order_by(Certificate.id)).first()
        case_id = s.scalars(select(PlanCourseRequirement.case_id)).first()
        teacher = actor_by_username(s, "teacher")
    return {"course": course.id, "session": session_id, "participant": certificate.participant_id,
            "certificate": certificate.id, "case": case_id, "signin": ps.open_signin(gl, teacher, other),
            "survey": surveys.open_link(gl, teacher, "course", course.id)}


def _outcome(response) -> str:
    if response.status_code >= 500:
        return f"error {response.status_code}"
    if response.status_code in (403, 404):
        return "refused"
    if response.status_code in (301, 302, 303) and "/login" in response.headers.get("Location", ""):
        return "login"
    return "ok"


def _request(browser, method, url, data):
    if method == "GET":
        return browser.get(url)
    form = dict(data or {})
    form["csrf_token"] = browser.token("/login")  # a page every session can open
    return browser.client.post(url, data=form)


@pytest.mark.parametrize("username", USERS + [ANONYMOUS])
def test_the_route_matrix_for_each_role_and_district(app, objects, username):
    browser = Browser(app.test_client())
    if username != ANONYMOUS:
        assert browser.login(username).status_code == 302
    wrong = []
    for endpoint, (method, url, data, allowed) in EXPECTED.items():
        if endpoint == "auth.logout":
            continue  # last: it ends the session
        data = data(objects) if callable(data) else data
        got = _outcome(_request(browser, method, url(objects), data))
        want = "ok" if username in allowed(objects) else ("login" if username == ANONYMOUS else "refused")
        if got != want:
            wrong.append((endpoint, got, want))
    assert wrong == [], f"{username}: (endpoint, got, expected) {wrong}"
    # signing out (or being sent to sign in) leaves a session that opens nothing
    assert _outcome(_request(browser, "POST", "/logout", {})) == "login"
    assert _outcome(browser.get("/")) == "login"
