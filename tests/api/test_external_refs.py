"""The 案号 of the judicial agencies' own systems on a case: recorded and edited by each agency for itself,
checked, audited, shown on the case page, and read, written and looked up through the API."""
import pytest
from sqlalchemy import select

from engine import services
from engine.actor import actor_by_username
from engine.errors import InvalidInput, PermissionDenied
from engine.models import CaseExternalRef
from engine.services import api_clients, external_refs

from ..conftest import backends
from ..web.conftest import Browser
from .conftest import BASE_CLUE, Client, audit_rows

pytestmark = pytest.mark.parametrize("database_url", backends(), indirect=True)
REF = "渝北检未立〔2026〕12号"


def user(gl, name):
    with gl.reading() as s:
        return actor_by_username(s, name)


@pytest.fixture
def case(gl):
    """A case the police registered and the procuratorate opened: police, procuratorate and the women's
    federation take part; the court does not."""
    clue_id = services.register_clue(gl, user(gl, "police"), {**BASE_CLUE, "source": "police"})
    case_id = services.open_case(gl, user(gl, "prosecutor"), clue_id, {"case_type": "general"})
    with gl.reading() as s:
        from engine.models import Case
        return case_id, s.get(Case, case_id).case_no


def stored(gl, case_id):
    with gl.reading() as s:
        return sorted((r.agency_code, r.ref_no) for r in s.scalars(
            select(CaseExternalRef).where(CaseExternalRef.case_id == case_id)))


def test_each_agency_records_its_own_numbers_audited(gl, case):
    case_id, _ = case
    assert external_refs.set_refs(gl, user(gl, "prosecutor"), case_id, [f" {REF} ", REF, "渝北检未立〔2026〕13号"]) == \
        [REF, "渝北检未立〔2026〕13号"]                       # spaces trimmed, repeats dropped
    external_refs.set_refs(gl, user(gl, "police"), case_id, "渝公(观)立字[2026]0042号\n")
    external_refs.set_refs(gl, user(gl, "pro_supervisor"), case_id, [REF])   # the agency's, not the person's
    assert stored(gl, case_id) == [("police", "渝公(观)立字[2026]0042号"), ("procuratorate", REF)]
    entries = audit_rows(gl, "set_external_refs")
    assert [(e.after["agency"], e.after["refs"]) for e in entries] == [
        ("procuratorate", [REF, "渝北检未立〔2026〕13号"]), ("police", ["渝公(观)立字[2026]0042号"]), ("procuratorate", [REF])]
    external_refs.set_refs(gl, user(gl, "prosecutor"), case_id, [REF])       # the same list: no change, no entry
    assert len(audit_rows(gl, "set_external_refs")) == 3
    external_refs.set_refs(gl, user(gl, "prosecutor"), case_id, [])
    assert stored(gl, case_id) == [("police", "渝公(观)立字[2026]0042号")]


@pytest.mark.parametrize("refs, message", [
    (["12"], "4 to 60"), (["x" * 61 + "1"], "4 to 60"), (["<script>1</script>"], "Chinese characters"),
    (["渝北检未立号"], "digits"), (["渝北\u0000检1234"], "Chinese characters"), ([f"A-{i}234" for i in range(6)], "at most 5"),
    ([12345], "text"),
])
def test_bad_numbers_are_refused_and_nothing_is_written(gl, case, refs, message):
    case_id, _ = case
    with pytest.raises(InvalidInput) as caught:
        external_refs.set_refs(gl, user(gl, "prosecutor"), case_id, refs)
    assert caught.value.field == "refs" and message in caught.value.message_en and caught.value.message
    assert stored(gl, case_id) == [] and audit_rows(gl, "set_external_refs") == []


@pytest.mark.parametrize("username", ["judge", "teacher", "wf_caseworker", "yz_prosecutor", "admin"])
def test_only_a_judicial_agency_on_the_case_records_numbers(gl, case, username):
    with pytest.raises(PermissionDenied):
        external_refs.set_refs(gl, user(gl, username), case[0], [REF])
    assert stored(gl, case[0]) == []


def test_the_case_page_shows_them_and_the_agency_edits_its_own(app, gl, case):
    case_id, case_no = case
    external_refs.set_refs(gl, user(gl, "police"), case_id, ["渝公立字[2026]0042号"])
    prosecutor = Browser(app.test_client())
    prosecutor.login("prosecutor")
    page = prosecutor.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'id="external-refs"' in page and "渝公立字[2026]0042号" in page and 'name="refs"' in page
    saved = prosecutor.post(f"/cases/{case_id}/external-refs", {"refs": f"{REF}\n"}, token_from=f"/cases/{case_id}")
    assert saved.status_code == 302 and saved.headers["Location"].endswith(f"/cases/{case_id}#external-refs")
    assert stored(gl, case_id) == [("police", "渝公立字[2026]0042号"), ("procuratorate", REF)]
    bad = prosecutor.post(f"/cases/{case_id}/external-refs", {"refs": "<b>1</b>"}, token_from=f"/cases/{case_id}")
    assert bad.status_code == 422 and 'id="refs-error"' in bad.get_data(as_text=True)
    assert "&lt;b&gt;1&lt;/b&gt;" in bad.get_data(as_text=True)           # what was typed, escaped, kept
    # the women's federation sees the numbers but has no form; the court is not on the case
    federation = Browser(app.test_client())
    federation.login("wf_caseworker")
    page = federation.get(f"/cases/{case_id}").get_data(as_text=True)
    assert REF in page and 'name="refs"' not in page
    assert federation.post(f"/cases/{case_id}/external-refs", {"refs": "A-1234"},
                           token_from=f"/cases/{case_id}").status_code == 403
    judge = Browser(app.test_client())
    judge.login("judge")
    assert judge.post(f"/cases/{case_id}/external-refs", {"refs": "A-1234"}, token_from="/").status_code == 403


def api_client(app, gl, name, agency, scopes=("cases:link",), district="JB"):
    return Client(app, name, api_clients.create_client(gl, None, name=name, agency=agency, district=district,
                                                       scopes=list(scopes))[1])


def test_the_api_records_reads_and_finds_by_the_number(app, gl, case):
    case_id, case_no = case
    procuratorate = api_client(app, gl, "jb-procuratorate", "procuratorate")
    url = f"/api/v1/cases/{case_no}/external-refs"
    put = procuratorate.http.put(url, json={"refs": [REF]}, headers=procuratorate.headers())
    assert put.status_code == 200, put.get_json()
    assert put.get_json() == {"case_no": case_no, "status": "open", "external_refs": {"procuratorate": [REF]}}
    assert procuratorate.http.put(url, json={"refs": [REF]}, headers=procuratorate.headers()).status_code == 200
    assert len(audit_rows(gl, "set_external_refs")) == 1                    # sent again: nothing changes
    external_refs.set_refs(gl, user(gl, "police"), case_id, ["渝公立字[2026]0042号"])
    got = procuratorate.http.get(url, headers=procuratorate.headers()).get_json()
    assert got["external_refs"] == {"police": ["渝公立字[2026]0042号"], "procuratorate": [REF]}
    found = procuratorate.http.get("/api/v1/cases", query_string={"external_ref": "渝公立字[2026]0042号"},
                                   headers=procuratorate.headers())
    assert found.status_code == 200 and [c["case_no"] for c in found.get_json()["cases"]] == [case_no]
    assert "child" not in str(found.get_json())
    none = procuratorate.http.get("/api/v1/cases", query_string={"external_ref": "渝北检未立〔2025〕1号"},
                                  headers=procuratorate.headers())
    assert none.get_json() == {"cases": []}
    lookups = audit_rows(gl, "view_external_ref_lookup")
    assert [e.after["cases"] for e in lookups] == [[case_id], []]


def test_the_api_refuses_others(app, gl, case):
    case_id, case_no = case
    external_refs.set_refs(gl, user(gl, "prosecutor"), case_id, [REF])
    url = f"/api/v1/cases/{case_no}/external-refs"
    court = api_client(app, gl, "jb-court", "court")                     # not on the case: as if missing
    assert court.http.get(url, headers=court.headers()).status_code == 404
    assert court.http.put(url, json={"refs": ["A-1234"]}, headers=court.headers()).status_code == 404
    assert court.http.get("/api/v1/cases", query_string={"external_ref": REF},
                          headers=court.headers()).get_json() == {"cases": []}
    other_district = api_client(app, gl, "yz-procuratorate", "procuratorate", district="YZ")
    assert other_district.http.get(url, headers=other_district.headers()).status_code == 404
    no_scope = api_client(app, gl, "jb-pro-orders", "procuratorate", scopes=("orders:read",))
    assert no_scope.http.get(url, headers=no_scope.headers()).status_code == 403
    federation = api_client(app, gl, "jb-hotline", "womens_federation")   # on the case, no case system
    assert federation.http.get(url, headers=federation.headers()).status_code == 200
    refused = federation.http.put(url, json={"refs": ["A-1234"]}, headers=federation.headers())
    assert refused.status_code == 403 and refused.mimetype == "application/problem+json"
    procuratorate = api_client(app, gl, "jb-procuratorate", "procuratorate")
    bad = procuratorate.http.put(url, json={"refs": ["<x>1"]}, headers=procuratorate.headers())
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "refs"
    bad_query = procuratorate.http.get("/api/v1/cases", query_string={"external_ref": "ab"},
                                       headers=procuratorate.headers())
    assert bad_query.status_code == 422 and bad_query.get_json()["errors"][0] == {
        "field": "external_ref", "pointer": "", "detail": bad_query.get_json()["errors"][0]["detail"],
        "detail_en": "A case number has 4 to 60 characters."}
    assert stored(gl, case_id) == [("procuratorate", REF)]


def test_a_document_of_the_agency_cites_its_own_number_when_the_task_named_none(gl, case):
    from engine.issuing import document_context as doc_context
    from engine.models import Agency, Case, Office
    case_id, _ = case
    external_refs.set_refs(gl, user(gl, "prosecutor"), case_id, [REF])
    with gl.reading() as s:
        kase = s.get(Case, case_id)
        office = s.scalars(select(Office).join(Agency, Agency.id == Office.agency_id)
                           .where(Agency.code == "procuratorate", Office.district_id == kase.district_id)).first()
        named = doc_context.context_for(s, kase, "supervision_order", office, None, None, None,
                                        {"judicial_case": {"cause": "故意伤害", "number": "渝北检刑诉〔2026〕3号"}})
        unnamed = doc_context.context_for(s, kase, "supervision_order", office, None, None, None,
                                          {"judicial_case": {"cause": "故意伤害", "number": ""}})
    assert named["judicial_case"]["number"] == "渝北检刑诉〔2026〕3号"      # what the task named stands
    assert unnamed["judicial_case"]["number"] == REF
    assert unnamed["external_refs"] == {"procuratorate": [REF]}
