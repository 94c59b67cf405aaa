"""Clue intake and status over /api/v1: idempotency, the form's validation and duplicate rule, the
mandatory-report routing, status for the sender only, problem details, no session and no CSRF token."""
from sqlalchemy import func, select

from engine import services
from engine.actor import actor_by_username
from engine.models import ApiClient, Notification, RiskClue

from .conftest import BASE_CLUE, audit_rows

PROBLEM = "application/problem+json"


def clue_count(gl):
    with gl.reading() as s:
        return s.scalar(select(func.count(RiskClue.id)))


def as_user(gl, username):
    with gl.reading() as s:
        return actor_by_username(s, username)


def test_a_clue_posted_twice_with_one_key_is_one_clue(gl, register):
    school = register()
    first = school.post_clue(BASE_CLUE, "hotline-2026-0001")
    again = school.post_clue(dict(reversed(list(BASE_CLUE.items()))), "hotline-2026-0001")  # same body, keys reordered
    assert first.status_code == again.status_code == 201
    assert first.get_json() == again.get_json()
    assert "Idempotent-Replayed" not in first.headers and again.headers["Idempotent-Replayed"] == "true"
    assert first.headers["Location"] == f"/api/v1/clues/{first.get_json()['id']}"
    assert clue_count(gl) == 1
    body = first.get_json()
    assert body["clue_no"].startswith("JB-XS-2026-") and body["status"] == "received"
    with gl.reading() as s:
        clue = s.get(RiskClue, body["id"])
        client = s.scalars(select(ApiClient).where(ApiClient.name == "jb-school")).one()
        assert clue.registered_by == client.user_id and clue.registering_agency == "education"
        assert clue.child["id_number"] == "110105201605040018"


def test_the_same_key_with_another_body_is_refused_and_creates_nothing(gl, register):
    school = register()
    assert school.post_clue(BASE_CLUE, "k-1").status_code == 201
    other = school.post_clue({**BASE_CLUE, "description": "另一件事"}, "k-1")
    assert other.status_code == 422 and other.mimetype == PROBLEM
    problem = other.get_json()
    assert problem["type"] == "urn:guardloop:problem:idempotency-key-reused"
    assert problem["errors"][0]["field"] == "Idempotency-Key"
    assert clue_count(gl) == 1


def test_keys_are_per_client(gl, register):
    school, hospital = register(), register("jb-hospital", agency="community")
    assert school.post_clue(BASE_CLUE, "same").status_code == 201
    assert hospital.post_clue(BASE_CLUE, "same").status_code == 201
    assert clue_count(gl) == 2


def test_a_bad_id_number_is_rejected_with_the_field_named_in_both_languages(gl, register):
    school = register()
    response = school.post_clue({**BASE_CLUE, "child_id_number": "110105201605040019"}, "k-bad")
    assert response.status_code == 422 and response.mimetype == PROBLEM
    problem = response.get_json()
    assert problem["status"] == 422 and problem["type"] == "urn:guardloop:problem:invalid-input"
    assert problem["errors"] == [{"field": "child_id_number", "pointer": "/child_id_number",
                                  "detail": "身份证号码校验位不正确。", "detail_en": "The ID number's check digit is wrong."}]
    short = school.post_clue({**BASE_CLUE, "child_id_number": "1101052016"}, "k-short").get_json()
    assert short["errors"][0]["detail_en"] == "A resident ID number has 18 characters."
    # the failed key is free again: corrected, the same key registers the clue
    assert school.post_clue(BASE_CLUE, "k-bad").status_code == 201
    assert clue_count(gl) == 1


def test_the_forms_rules_apply(gl, register):
    school = register()
    cases = {
        "child_name": ({k: v for k, v in BASE_CLUE.items() if k != "child_name"}, "Missing data for required field."),
        "child_birth_date": ({**BASE_CLUE, "child_birth_date": "2016-13-40"}, "Use the date format YYYY-MM-DD."),
        "received_at": ({**BASE_CLUE, "received_at": "2099-01-01"}, "The date cannot be in the future."),
        "guardians-0-relation": ({**BASE_CLUE, "guardians": [{"name": "张三", "relation": "uncle"}]}, None),
        "source": ({**BASE_CLUE, "source": "satellite"}, None),
    }
    for field, (body, message) in cases.items():
        response = school.post_clue(body, f"k-{field}")
        assert response.status_code == 422, field
        error = response.get_json()["errors"][0]
        assert error["field"] == field, (field, error)
        assert error["detail"] and error["detail_en"]
        if message:
            assert error["detail_en"] == message
    adult = school.post_clue({**BASE_CLUE, "child_birth_date": "2000-05-04", "child_id_number": ""}, "k-adult")
    assert adult.get_json()["errors"][0]["detail_en"] == "The child must be under 18."
    unknown = school.post_clue({**BASE_CLUE, "favourite_colour": "red"}, "k-unknown")
    assert unknown.status_code == 422 and unknown.get_json()["errors"][0]["pointer"] == "/favourite_colour"
    assert clue_count(gl) == 0


def test_a_missing_key_or_token_and_bad_json(gl, register):
    school = register()
    no_key = school.http.post("/api/v1/clues", json=BASE_CLUE, headers=school.headers())
    assert no_key.status_code == 422 and no_key.get_json()["errors"][0]["field"] == "Idempotency-Key"
    no_token = school.http.post("/api/v1/clues", json=BASE_CLUE, headers={"Idempotency-Key": "x"})
    assert no_token.status_code == 401 and no_token.headers["WWW-Authenticate"].startswith("Bearer")
    wrong = school.http.post("/api/v1/clues", json=BASE_CLUE, headers={"Idempotency-Key": "x",
                                                                       "Authorization": "Bearer glk_nope"})
    assert wrong.status_code == 401 and wrong.mimetype == PROBLEM
    broken = school.http.post("/api/v1/clues", data="{not json", headers=school.headers("x", **{
        "Content-Type": "application/json"}))
    assert broken.status_code in (400, 422) and broken.mimetype == PROBLEM
    assert clue_count(gl) == 0


def test_a_mandatory_report_is_routed_to_the_police_as_the_form_routes_it(gl, register):
    school = register()
    receipt = school.post_clue({**BASE_CLUE, "mandatory_report": True}, "k-report").get_json()
    assert receipt["mandatory_report"] is True and receipt["report_to"] == "police" and receipt["ack_due_at"]
    plain = school.post_clue({**BASE_CLUE, "child_id_number": "500105201508120027", "child_sex": "F",
                              "child_birth_date": "2015-08-12", "child_name": "李小红"}, "k-plain").get_json()
    assert plain["mandatory_report"] is False and plain["report_to"] is None
    from engine.services.reports import report_queue
    queue = report_queue(gl, as_user(gl, "police"))
    assert [row.clue_id for row in queue] == [receipt["id"]]


def test_the_status_is_followed_to_opened_as_case(gl, register):
    school = register()
    clue_id = school.post_clue({**BASE_CLUE, "mandatory_report": True}, "k-1").get_json()["id"]
    status = school.status(clue_id).get_json()
    assert status["status"] == "received" and status["case"] is None
    assert status["report"]["routed_to"] == "police" and status["report"]["acknowledged_at"] is None
    from engine.services.reports import acknowledge_report, respond_to_report
    police = as_user(gl, "police")
    acknowledge_report(gl, police, clue_id)
    respond_to_report(gl, police, clue_id, {"response": "已出警核查，已训诫。"})
    services.open_case(gl, as_user(gl, "wf_caseworker"), clue_id, {"case_type": "general"})
    response = school.status(clue_id)
    assert response.status_code == 200
    status = response.get_json()
    assert status["status"] == "opened_as_case"
    assert status["case"]["closed"] is False and status["case"]["opened_at"]
    assert status["report"]["acknowledged_at"] and status["report"]["response"] == "已出警核查，已训诫。"
    # nothing of the child beyond what the sender sent: the name masked, no ID number, school or case number
    assert status["child"] == "张**"
    text = response.get_data(as_text=True)
    for secret in ("110105201605040018", "张小明", "江北区某小学", "张三", "JB-2026"):
        assert secret not in text


def test_another_client_gets_404(gl, register):
    school = register()
    clue_id = school.post_clue(BASE_CLUE, "k-1").get_json()["id"]
    other_agency = register("jb-hospital", agency="community")
    other_district = register("yz-school", agency="education", district="YZ")
    for client in (other_agency, other_district):
        response = client.status(clue_id)
        assert response.status_code == 404 and response.mimetype == PROBLEM
    assert school.status(clue_id).status_code == 200
    assert school.status(999999).status_code == 404
    assert school.status(99999999999).status_code == 404   # beyond a database integer: a problem, not a 5xx


def test_the_forms_duplicate_rule(gl, register):
    school = register()
    clue_id = school.post_clue(BASE_CLUE, "k-1").get_json()["id"]
    case_id = services.open_case(gl, as_user(gl, "wf_caseworker"), clue_id, {"case_type": "general"})
    hospital = register("jb-hospital", agency="community")
    again = hospital.post_clue({**BASE_CLUE, "source": "hospital", "description": "急诊发现多处外伤"}, "k-2")
    assert again.status_code == 409 and again.mimetype == PROBLEM
    problem = again.get_json()
    assert problem["type"] == "urn:guardloop:problem:possible-duplicate"
    assert problem["cases"] == []   # the community takes no part in the case: its number is not disclosed
    assert clue_count(gl) == 1
    with gl.reading() as s:  # the coordinating agency is told instead, as for the form
        notes = s.scalars(select(Notification).where(Notification.kind == "duplicate_check")).all()
        assert [(n.agency_code, n.case_id) for n in notes] == [("womens_federation", case_id)]
    confirmed = hospital.post_clue({**BASE_CLUE, "source": "hospital", "description": "急诊发现多处外伤",
                                    "confirm_duplicate": True}, "k-2")
    assert confirmed.status_code == 201
    assert clue_count(gl) == 2
    # the school registered the first clue, so its agency joined the case: it is told the case number
    own = school.post_clue({**BASE_CLUE, "description": "又有人报告"}, "k-3").get_json()
    assert own["type"] == "urn:guardloop:problem:possible-duplicate" and own["cases"][0].startswith("JB-")
    # the same child by name and birth date alone (no ID number) matches too
    by_name = hospital.post_clue({**BASE_CLUE, "child_id_number": ""}, "k-4")
    assert by_name.status_code == 409
    assert clue_count(gl) == 2


def test_no_session_and_no_csrf_token(app, gl, register):
    school = register()
    response = school.post_clue(BASE_CLUE, "k-1")   # no CSRF token: the API is exempt
    assert response.status_code == 201
    assert "Set-Cookie" not in response.headers
    assert "Set-Cookie" not in school.status(response.get_json()["id"]).headers
    # a signed-in browser's session cookie opens nothing in the API, and web forms still need the CSRF token
    from tests.web.conftest import Browser
    browser = Browser(app.test_client())
    assert browser.login("wf_caseworker").status_code == 302
    assert browser.client.get(f"/api/v1/clues/{response.get_json()['id']}").status_code == 401
    assert browser.client.post("/clues/new", data={}).status_code == 400


def test_every_call_is_audited_with_the_clients_identity(gl, register):
    school = register()
    with gl.reading() as s:
        user_id = s.scalars(select(ApiClient.user_id).where(ApiClient.name == "jb-school")).one()
    clue_id = school.post_clue(BASE_CLUE, "k-1").get_json()["id"]
    school.post_clue(BASE_CLUE, "k-1")
    school.status(clue_id)
    school.post_clue({**BASE_CLUE, "child_id_number": "1"}, "k-2")
    registered = audit_rows(gl, "register_clue")
    assert [(r.user_id, r.entity_id) for r in registered] == [(user_id, str(clue_id))]
    calls = [(r.user_id, r.after["method"], r.after["status"], r.after.get("replayed"))
             for r in audit_rows(gl) if r.action in ("api_call", "view_api_call")]
    assert calls == [(user_id, "POST", 201, False), (user_id, "POST", 201, True), (user_id, "GET", 200, None),
                     (user_id, "POST", 422, None)]
    assert all(r.after["client"] == "jb-school" for r in audit_rows(gl, "api_call"))
    rejected = [r.after for r in audit_rows(gl, "api_call") if r.after["status"] == 422]
    assert [(r["problem"], r["fields"]) for r in rejected] == [("invalid-input", ["child_id_number"])]
    assert [r.entity_id for r in audit_rows(gl, "view_clue_status")] == [str(clue_id)]


def test_unknown_api_paths_answer_problems(app):
    client = app.test_client()
    for path in ("/api/v1/", "/api/v1/case-files", "/api/v1/clues/abc"):
        response = client.get(path)
        assert response.status_code == 404 and response.mimetype == PROBLEM, path


def test_a_rejected_or_merged_clue_reports_its_decision_and_no_case_number(gl, register):
    from engine.services import clues
    school = register()
    first = school.post_clue(BASE_CLUE, "k-r1").get_json()["id"]
    second = school.post_clue(BASE_CLUE, "k-r2").get_json()["id"]
    deciding = as_user(gl, "wf_caseworker")
    clues.reject_clue(gl, deciding, first, {"reason": "经核实系误报。"})
    status = school.status(first).get_json()
    assert status["status"] == "rejected" and status["case"] is None
    assert status["decision"]["reason"] == "经核实系误报。" and status["decision"]["merged_into"] is None
    own = services.register_clue(gl, deciding, BASE_CLUE)
    case_id = services.open_case(gl, deciding, own, {"case_type": "general"})
    with gl.reading() as s:
        from engine.models import Case
        case_no = s.get(Case, case_id).case_no
    clues.merge_clue(gl, deciding, second, {"reason": "同一事实", "into_case": case_no})
    response = school.status(second)
    status = response.get_json()
    assert status["status"] == "merged" and status["decision"]["merged_into"] == "case"
    assert status["decision"]["merged_into_clue"] is None and case_no not in response.get_data(as_text=True)
