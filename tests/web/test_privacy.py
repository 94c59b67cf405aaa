"""A child's data only for those on the clue or the case, each view logged; a duplicate check that
discloses no other agency's case; a clue form that registers once; previews logged."""
import re

from sqlalchemy import func, select

from engine import services
from engine.models import AuditEntry, Case, Notification, RiskClue
from engine.demo.scenario import Driver, scores
from engine.infra.workers import chain_views

CLUE = {"source": "school", "reporter_name": "班主任", "description": "旷课", "child_sex": "F",
        "child_birth_date": "2013-03-03"}


def _count(gl, model, *where):
    if model is AuditEntry:
        chain_views(gl)   # views are staged off the chain's lock; a worker chains them
    with gl.reading() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def _case_of_the_procuratorate(gl):
    """A demo case the procuratorate works on and the court does not, with its child."""
    from engine.models import CaseAgency
    with gl.reading() as s:
        court = set(s.scalars(select(CaseAgency.case_id).where(CaseAgency.agency_code == "court")))
        ids = s.scalars(select(CaseAgency.case_id).where(CaseAgency.agency_code == "procuratorate")).all()
        return s.get(Case, next(i for i in ids if i not in court and s.get(Case, i).child_id_number))


def test_an_opened_clue_is_only_for_the_agencies_on_its_case_and_every_view_is_logged(gl, as_user):
    with gl.reading() as s:
        clue = s.scalars(select(RiskClue).where(RiskClue.case_id.is_not(None))).first()
        child = clue.child["name"]
    url = f"/clues/{clue.id}/open"
    for outsider in ("judge", "prosecutor", "yz_caseworker"):
        response = as_user(outsider).get(url)
        assert response.status_code == 404 and child not in response.get_data(as_text=True), outsider
    before = _count(gl, AuditEntry, AuditEntry.action == "view_clue")
    page = as_user("wf_caseworker").get(url)
    assert page.status_code == 200 and child in page.get_data(as_text=True)
    assert _count(gl, AuditEntry, AuditEntry.action == "view_clue", AuditEntry.entity_id == str(clue.id)) == before + 1


def test_the_duplicate_check_discloses_no_other_agencys_case_and_tells_the_owner(gl, as_user):
    case = _case_of_the_procuratorate(gl)
    teacher = as_user("teacher")
    form = {**CLUE, "child_name": "随便", "child_id_number": case.child_id_number,
            "child_birth_date": case.child_birth_date.isoformat(), "child_sex": case.child_sex,
            "received_at": "2026-03-01"}
    response = teacher.post("/clues/new", form)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "已有匹配记录，已通知负责机构" in page
    assert case.case_no not in page and case.child_name not in page
    with gl.reading() as s:
        note = s.scalars(select(Notification).where(Notification.case_id == case.id,
                                                    Notification.kind == "duplicate_check")).one()
        assert (note.agency_code, note.kind, note.payload["agency"]) == ("womens_federation", "duplicate_check",
                                                                         "education")
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "check_duplicates")).one()
        assert entry.after["notified"] == [case.id]
    teacher.post("/clues/new", form)  # the same check again: logged again, but one note while it is unread
    assert _count(gl, Notification, Notification.case_id == case.id, Notification.kind == "duplicate_check") == 1
    assert _count(gl, AuditEntry, AuditEntry.action == "check_duplicates") == 2
    inbox = as_user("wf_caseworker").get("/").get_data(as_text=True)
    assert case.case_no in inbox and "正在登记一条与个案" in inbox
    assert case.case_no not in as_user("police").get("/").get_data(as_text=True)
    # someone on the case sees which of their cases match
    own = as_user("wf_caseworker").post("/clues/new", form).get_data(as_text=True)
    assert case.case_no in own


def test_the_same_clue_form_sent_twice_registers_one_clue(gl, as_user):
    b = as_user("teacher")
    page = b.get("/clues/new").get_data(as_text=True)
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    form = {**CLUE, "child_name": "重复提交", "received_at": "2026-03-01", "form_token": token}
    before = _count(gl, RiskClue)
    first = b.post("/clues/new", form)
    again = b.post("/clues/new", form)  # back and resubmit
    assert first.status_code == again.status_code == 302
    assert _count(gl, RiskClue) == before + 1
    listing = b.get("/clues/").get_data(as_text=True)
    assert "已提交过" in listing


def test_hostile_clue_values_are_refused_with_the_field_named(gl, as_user):
    b = as_user("teacher")
    before = _count(gl, RiskClue)
    for field, value in (("child_id_number", "50010520130303002²"), ("received_at", "0001-01-01T00:00:00"),
                         ("received_at", "1000-01-01"), ("child_name", "\u200b\u200b\u200b"),
                         ("child_birth_date", "9999-12-31")):
        response = b.post("/clues/new", {**CLUE, "child_name": "某某", "received_at": "2026-03-01", field: value})
        assert response.status_code == 422, (field, value)
        assert f'id="{field}-error"' in response.get_data(as_text=True), (field, value)
    assert _count(gl, RiskClue) == before


def test_a_full_width_id_number_is_stored_as_ascii_and_found_as_a_duplicate(gl, as_user):
    number = "５００１０５２０１３０３０３００２ｘ".replace("ｘ", "")  # 17 full-width digits …
    from engine.rules.idcard import checksum_char
    ascii_number = "50010520130303002" + checksum_char("50010520130303002")
    full_width = number + chr(ord(ascii_number[-1]) + 0xFEE0)
    b = as_user("wf_caseworker")
    assert b.post("/clues/new", {**CLUE, "child_name": "全角", "received_at": "2026-03-01",
                                 "child_id_number": full_width}).status_code == 302
    with gl.reading() as s:
        clue = s.scalars(select(RiskClue).order_by(RiskClue.id.desc())).first()
    assert clue.child["id_number"] == ascii_number
    services.open_case(gl, Driver(gl).actor("wf_caseworker"), clue.id, {"case_type": "general"})
    check = services.check_duplicates(gl, Driver(gl).actor("wf_caseworker"), id_number=ascii_number.lower())
    assert check.matched and len(check.own_cases) == 1


def test_a_draft_preview_is_an_access_entry(gl, as_user):
    dr = Driver(gl)
    clue = services.register_clue(gl, dr.actor("teacher"), {**CLUE, "received_at": dr.today(), "child_name": "草稿"})
    case = services.open_case(gl, dr.actor("wf_caseworker"), clue, {"case_type": "minor_victim"})
    dr.do("wf_caseworker", case, "social_investigation", {"findings": "x", "investigated_on": dr.today()})
    dr.do("wf_caseworker", case, "scored_assessment", {**scores(18), "risk_factors": ["criminal_victim"],
                                                       "summary": "x"})
    dr.do("wf_caseworker", case, "propose_measures", {"refer_supervision_order": True, "reason": "x"})
    dr.do("prosecutor", case, "decide_referral", {"decision": "accept"})
    form = f"/cases/{case}/tasks/{dr.item(case, 'draft_order').task_id}"
    b = as_user("prosecutor")
    response = b.post(form + "/draft", {"failings": "x", "duties": "y", "deadline": "garbage"}, token_from=form)
    assert response.status_code == 200
    with gl.reading() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "preview_draft")).one()
        assert entry.case_id == case and entry.after == {"type": "supervision_order"}
