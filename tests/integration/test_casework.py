"""Casework through the engine's services: the case list, notes and the contact log, attachments —
permission refused, audit written, conflicts detected, bad input refused with nothing written."""
import hashlib
from dataclasses import replace
from datetime import timedelta
from io import BytesIO

import pytest
from PIL import Image
from sqlalchemy import func, select

from engine.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from engine.models import Attachment, AuditEntry, AuditStaged, Case, CaseNote, DocumentRecord
from engine.services import attachments, case_list, notes

from .helpers import assess, new_case


@pytest.fixture
def case(driver):
    return new_case(driver)


@pytest.fixture
def files(gl, tmp_path):
    """The engine context with its attachment store in a folder of the test's own."""
    gl.settings = replace(gl.settings, attachment_dir=tmp_path / "attachments")
    return gl


def _actions(gl, action: str) -> list:
    with gl.reading() as s:
        return [e for model in (AuditEntry, AuditStaged)
                for e in s.scalars(select(model).where(model.action == action))]


def _count(gl, model) -> int:
    with gl.reading() as s:
        return s.scalar(select(func.count()).select_from(model))


def _note(**changes):
    return {"occurred_on": "2026-03-02", "kind": "phone", "participants": "监护人甲", "body": "电话告知回访安排。",
            **changes}


def _png(size=(640, 480), colour=(200, 30, 30)) -> bytes:
    out = BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def _jpeg() -> bytes:
    out = BytesIO()
    Image.new("RGB", (1200, 800), (20, 120, 200)).save(out, "JPEG", quality=85)
    return out.getvalue()


def _pdf(pages=2) -> bytes:
    out = BytesIO()
    first, *rest = [Image.new("RGB", (200, 280), (255, 255, 255)) for _ in range(pages)]
    first.save(out, "PDF", save_all=True, append_images=rest)
    return out.getvalue()


# -- notes -------------------------------------------------------------------------------------------

def test_a_note_is_written_audited_and_read_by_the_agencies_on_the_case(gl, driver, case):
    note_id = notes.add_note(gl, driver.actor("wf_caseworker"), case, _note())
    with gl.reading() as s:
        note = s.get(CaseNote, note_id)
        assert (note.case_id, note.kind, note.author_agency, note.version) == (case, "phone", "womens_federation", 1)
    [entry] = _actions(gl, "add_note")
    assert entry.case_id == case and entry.entity_id == str(note_id) and entry.after["kind"] == "phone"
    from engine.services import view_case
    view = view_case(gl, driver.actor("wf_supervisor"), case)
    assert [n.id for n in view["notes"]] == [note_id]


def test_someone_off_the_case_can_neither_write_nor_read_notes(gl, driver, case):
    for outsider in ("yz_caseworker", "judge"):   # another district; an agency not on the case
        with pytest.raises(PermissionDenied):
            notes.add_note(gl, driver.actor(outsider), case, _note())
    note_id = notes.add_note(gl, driver.actor("wf_caseworker"), case, _note())
    with pytest.raises(PermissionDenied):
        notes.note_for_edit(gl, driver.actor("yz_caseworker"), case, note_id, author_only=False)
    with pytest.raises(PermissionDenied):
        notes.add_note(gl, driver.actor("leader"), case, _note())
    assert _count(gl, CaseNote) == 1


@pytest.mark.parametrize("bad", [{"kind": "gossip"}, {"body": "  \u200b "}, {"occurred_on": "2026-03-09"},
                                 {"occurred_on": "yesterday"}, {"body": "x" * 5001}, {"participants": "a\x00b"}])
def test_bad_input_is_refused_with_nothing_written(gl, driver, case, bad):
    before = _count(gl, AuditEntry)
    with pytest.raises(InvalidInput) as refused:
        notes.add_note(gl, driver.actor("wf_caseworker"), case, _note(**bad))
    assert refused.value.field == next(iter(bad)) and refused.value.message and refused.value.message_en
    assert _count(gl, CaseNote) == 0 and _count(gl, AuditEntry) == before


def test_the_author_edits_within_the_window_then_the_note_stands(gl, driver, case, clock):
    caseworker = driver.actor("wf_caseworker")
    note_id = notes.add_note(gl, caseworker, case, _note())
    notes.edit_note(gl, caseworker, case, note_id, _note(body="电话告知：下周二回访。"), 1)
    with gl.reading() as s:
        note = s.get(CaseNote, note_id)
        assert (note.body, note.version) == ("电话告知：下周二回访。", 2) and note.edited_at is not None
    [entry] = _actions(gl, "edit_note")
    assert entry.before["body"] == "电话告知回访安排。" and entry.after["body"] == "电话告知：下周二回访。"
    with pytest.raises(PermissionDenied):          # not the author, though on the case
        notes.edit_note(gl, driver.actor("wf_caseworker2"), case, note_id, _note(body="改"), 2)
    clock.advance(timedelta(minutes=gl.settings.note_edit_minutes, seconds=1))
    with pytest.raises(InvalidInput):              # the window has passed
        notes.edit_note(gl, caseworker, case, note_id, _note(body="改"), 2)
    with gl.reading() as s:
        assert s.get(CaseNote, note_id).body == "电话告知：下周二回访。"


def test_an_edit_against_an_old_version_is_a_conflict(gl, driver, case):
    caseworker = driver.actor("wf_caseworker")
    note_id = notes.add_note(gl, caseworker, case, _note())
    notes.edit_note(gl, caseworker, case, note_id, _note(body="第一次修改"), 1)
    with pytest.raises(Conflict):
        notes.edit_note(gl, caseworker, case, note_id, _note(body="在旧页面上的修改"), 1)
    with gl.reading() as s:
        assert s.get(CaseNote, note_id).body == "第一次修改"
    assert len(_actions(gl, "edit_note")) == 1


def test_a_correction_is_a_new_note_pointing_to_the_old_one(gl, driver, case, clock):
    caseworker = driver.actor("wf_caseworker")
    note_id = notes.add_note(gl, caseworker, case, _note())
    supervisor = driver.actor("wf_supervisor")
    notes.edit_note(gl, caseworker, case, note_id, _note(body="修改"), 1)
    with pytest.raises(Conflict):                  # the supervisor read the note before the author's edit
        notes.add_note(gl, supervisor, case, _note(body="更正", corrects=note_id, corrects_version=1))
    correction = notes.add_note(gl, supervisor, case, _note(body="更正：为走访。", kind="visit", corrects=note_id,
                                                            corrects_version=2))
    with gl.reading() as s:
        assert s.get(CaseNote, correction).corrects_id == note_id
        assert s.get(CaseNote, note_id).body == "修改"           # the old note stands as it was
    [entry] = _actions(gl, "correct_note")
    assert entry.before == {"note": note_id}
    with pytest.raises(InvalidInput):              # corrected: no longer editable, even within the window
        notes.edit_note(gl, caseworker, case, note_id, _note(body="再改"), 2)
    other = new_case(driver, child_id_number="500105201405010028", child_sex="F", child_name="另一儿童")
    with pytest.raises(NotFound):                  # a note of another case cannot be corrected from this one
        notes.add_note(gl, supervisor, other, _note(corrects=note_id, corrects_version=2))


# -- attachments -------------------------------------------------------------------------------------

def test_an_image_is_stored_by_its_hash_with_a_thumbnail_and_audited(files, driver, case):
    data = _png()
    attachment_id = attachments.add_attachment(files, driver.actor("wf_caseworker"), case, data, "../照片 1.PNG",
                                               {"description": "家中情况"})
    digest = hashlib.sha256(data).hexdigest()
    stored = files.settings.attachment_dir / digest[:2] / digest[2:4] / digest
    assert stored.read_bytes() == data
    with files.reading() as s:
        row = s.get(Attachment, attachment_id)
        assert (row.sha256, row.size, row.media_type, row.width, row.height) == (digest, len(data), "image/png", 640, 480)
        assert row.filename == "照片 1.png" and row.thumbnail_sha256
    thumb = Image.open(BytesIO(attachments.store(files).read(row.thumbnail_sha256)))
    assert thumb.format == "JPEG" and max(thumb.size) == 320
    [entry] = _actions(files, "add_attachment")
    assert entry.after["sha256"] == digest and entry.case_id == case
    # the same bytes again: one file in the store, two rows
    attachments.add_attachment(files, driver.actor("teacher"), case, data, "again.png", {})
    assert len([p for p in files.settings.attachment_dir.rglob("*") if p.is_file()]) == 2   # the file, its thumbnail


def test_pdf_and_jpeg_are_accepted_by_their_content_whatever_their_name(files, driver, case):
    actor = driver.actor("wf_caseworker")
    pdf = attachments.add_attachment(files, actor, case, _pdf(3), "scan.jpg", {})
    jpeg = attachments.add_attachment(files, actor, case, _jpeg(), "receipt", {})
    with files.reading() as s:
        assert (s.get(Attachment, pdf).media_type, s.get(Attachment, pdf).pages) == ("application/pdf", 3)
        assert s.get(Attachment, pdf).filename == "scan.pdf" and s.get(Attachment, pdf).thumbnail_sha256 is None
        assert s.get(Attachment, jpeg).media_type == "image/jpeg" and s.get(Attachment, jpeg).filename == "receipt.jpg"


@pytest.mark.parametrize("name, data", [
    ("text named as an image", b"<html><script>alert(1)</script></html>"),
    ("an executable named .pdf", b"MZ\x90\x00" + b"\x00" * 200),
    ("a truncated PNG", None),
    ("a PDF signature on garbage", b"%PDF-1.7\n" + b"garbage " * 100),
    ("a truncated PDF", "pdf-half"),
    ("an empty file", b""),
])
def test_files_that_are_not_what_they_claim_are_refused_with_nothing_written(files, driver, case, name, data):
    if data is None:
        data = _png()[:300]
    elif data == "pdf-half":
        whole = _pdf()
        data = whole[:len(whole) // 2]
    before = _count(files, AuditEntry)
    with pytest.raises(InvalidInput) as refused:
        attachments.add_attachment(files, driver.actor("wf_caseworker"), case, data, "photo.png", {})
    assert refused.value.field == "file"
    assert _count(files, Attachment) == 0 and _count(files, AuditEntry) == before
    assert not files.settings.attachment_dir.exists() or not any(files.settings.attachment_dir.rglob("*"))


@pytest.mark.parametrize("kind", ["png", "jpeg", "progressive jpeg"])
def test_truncated_images_are_refused_even_where_pillow_would_pad_them(files, driver, case, monkeypatch, kind):
    # WeasyPrint sets this for the whole process on import; Pillow then loads a truncated image padded
    from PIL import ImageFile
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    out = BytesIO()
    noise = Image.effect_noise((300, 200), 60).convert("RGB")
    noise.save(out, "PNG") if kind == "png" else noise.save(out, "JPEG", progressive=kind.startswith("progressive"))
    whole = out.getvalue()
    actor = driver.actor("wf_caseworker")
    for cut in (len(whole) - 10, len(whole) // 2):
        with pytest.raises(InvalidInput, match="损坏"):
            attachments.add_attachment(files, actor, case, whole[:cut], "photo", {})
    # what a phone appends after the image's end (a motion photo's video) is not a truncation
    assert attachments.add_attachment(files, actor, case, whole + b"\x00trailer" * 20, "photo", {})


def test_size_and_pixel_limits(files, driver, case):
    files.settings = replace(files.settings, attachment_max_bytes=50_000, attachment_max_pixels=1_000_000)
    actor = driver.actor("wf_caseworker")
    with pytest.raises(InvalidInput, match="过大"):
        attachments.add_attachment(files, actor, case, b"%PDF-1.4" + b"0" * 50_000, "big.pdf", {})
    with pytest.raises(InvalidInput, match="像素"):
        attachments.add_attachment(files, actor, case, _png(size=(1200, 1000), colour=(0, 0, 0)), "big.png", {})
    assert _count(files, Attachment) == 0


def test_only_those_on_the_case_attach_or_open_and_every_view_is_audited(files, driver, case):
    with pytest.raises(PermissionDenied):
        attachments.add_attachment(files, driver.actor("yz_caseworker"), case, _png(), "x.png", {})
    assert not files.settings.attachment_dir.exists()        # refused before anything was stored
    attachment_id = attachments.add_attachment(files, driver.actor("wf_caseworker"), case, _png(), "x.png", {})
    for outsider in ("yz_caseworker", "judge", "leader"):
        with pytest.raises(PermissionDenied):
            attachments.open_attachment(files, driver.actor(outsider), attachment_id)
    assert _actions(files, "view_attachment") == []
    row, data = attachments.open_attachment(files, driver.actor("wf_supervisor"), attachment_id)
    assert data == _png() and row.media_type == "image/png"
    _, thumb = attachments.open_attachment(files, driver.actor("teacher"), attachment_id, thumbnail=True)
    assert thumb.startswith(b"\xff\xd8\xff")
    views = _actions(files, "view_attachment")
    assert len(views) == 2 and {v.case_id for v in views} == {case} and views[1].after == {"thumbnail": True}
    with pytest.raises(NotFound):
        attachments.open_attachment(files, driver.actor("wf_supervisor"), attachment_id + 1000)


def test_a_file_changed_on_disk_is_not_served(files, driver, case):
    attachment_id = attachments.add_attachment(files, driver.actor("wf_caseworker"), case, _png(), "x.png", {})
    digest = hashlib.sha256(_png()).hexdigest()
    (files.settings.attachment_dir / digest[:2] / digest[2:4] / digest).write_bytes(b"tampered")
    with pytest.raises(NotFound):
        attachments.open_attachment(files, driver.actor("wf_caseworker"), attachment_id)
    assert _actions(files, "view_attachment") == []


def test_a_signed_receipt_attaches_to_a_document_of_its_own_case_only(files, driver, case):
    assess(driver, case, 9, ["truancy"])
    with files.reading() as s:
        document = s.scalars(select(DocumentRecord).where(DocumentRecord.case_id == case)).first()
    other = new_case(driver, child_id_number="500105201405010028", child_sex="F", child_name="另一儿童")
    actor = driver.actor("wf_caseworker")
    assert document is not None, "the assessment issues a document"
    attachment_id = attachments.add_attachment(files, actor, case, _jpeg(), "回证.jpg",
                                               {"subject": f"document:{document.id}"})
    with files.reading() as s:
        assert s.get(Attachment, attachment_id).subject == f"document:{document.id}"
    with pytest.raises(InvalidInput):
        attachments.add_attachment(files, actor, other, _jpeg(), "回证.jpg", {"subject": f"document:{document.id}"})
    for subject in ("document:99999", "task:1", "document:1e3", "document:" + "9" * 30):
        with pytest.raises(InvalidInput):
            attachments.add_attachment(files, actor, case, _jpeg(), "回证.jpg", {"subject": subject})


# -- the case list -----------------------------------------------------------------------------------

def test_views_show_only_visible_cases_masked(gl, driver, case):
    listed = case_list.list_cases(gl, driver.actor("wf_caseworker"))
    assert [r.id for r in listed.rows] == [case] and listed.rows[0].child == "测***"
    assert listed.rows[0].steps == ("assess",)
    assert case_list.list_cases(gl, driver.actor("yz_caseworker")).rows == []
    assert case_list.list_cases(gl, driver.actor("judge")).rows == []          # the court is not on it
    with pytest.raises(PermissionDenied):
        case_list.list_cases(gl, driver.actor("leader"))


def test_mine_is_what_i_completed_or_hold(gl, driver, case):
    assert case_list.list_cases(gl, driver.actor("wf_caseworker"), view="mine").rows == []
    driver.do("wf_caseworker", case, "social_investigation", {"findings": "走访", "investigated_on": driver.today()})
    assert [r.id for r in case_list.list_cases(gl, driver.actor("wf_caseworker"), view="mine").rows] == [case]
    assert case_list.list_cases(gl, driver.actor("wf_caseworker2"), view="mine").rows == []


def test_overdue_filters_sort_and_pages(gl, driver, case, clock):
    second = new_case(driver, child_id_number="500105201405010028", child_sex="F", child_name="另一儿童",
                      family_types=["single_parent"])
    supervisor = driver.actor("wf_supervisor")
    assert case_list.list_cases(gl, supervisor, view="overdue").rows == []
    clock.advance(timedelta(days=60))
    late = case_list.list_cases(gl, supervisor, view="overdue")
    assert {r.id for r in late.rows} == {case, second} and all(r.overdue for r in late.rows)
    by_no = case_list.list_cases(gl, supervisor, sort="case_no", descending=False, per_page=1)
    assert (by_no.total, by_no.pages, [r.id for r in by_no.rows]) == (2, 2, [case])
    assert [r.id for r in case_list.list_cases(gl, supervisor, sort="case_no", descending=False, per_page=1,
                                               page=2).rows] == [second]
    assert [r.id for r in case_list.list_cases(gl, supervisor, family_type="single_parent").rows] == [second]
    assert case_list.list_cases(gl, supervisor, step="handle").rows == []
    assert len(case_list.list_cases(gl, supervisor, step="assess").rows) == 2
    assert case_list.list_cases(gl, supervisor, code="red").rows == []
    with pytest.raises(PermissionDenied):       # the filters are the supervisors'
        case_list.list_cases(gl, driver.actor("wf_caseworker"), code="red")
    with gl.reading() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 2


def test_the_query_string_is_checked():
    assert case_list.read_query({})["view"] == "agency"
    for bad in ({"view": "all"}, {"sort": "child_name"}, {"page": "0"}, {"page": "x"}, {"code": "purple"},
                {"page": "99999999999"}):
        with pytest.raises(InvalidInput):
            case_list.read_query(bad)


# -- case owners -------------------------------------------------------------------------------------

def _user_id(gl, username: str) -> int:
    from engine.models import User
    with gl.reading() as s:
        return s.scalar(select(User.id).where(User.username == username))


def test_the_supervisor_assigns_and_hands_over_with_a_reason(gl, driver, case):
    from engine.models import CaseOwner
    from engine.services import owners
    supervisor = driver.actor("wf_supervisor")
    first, second = _user_id(gl, "wf_caseworker"), _user_id(gl, "wf_caseworker2")
    owners.assign_owner(gl, supervisor, case, {"owner": first, "reason": "首次指定", "expected_owner": ""})
    assert [r.id for r in case_list.list_cases(gl, driver.actor("wf_caseworker"), view="mine").rows] == [case]
    with pytest.raises(Conflict):               # a page read before the assignment
        owners.assign_owner(gl, supervisor, case, {"owner": second, "reason": "交接", "expected_owner": ""})
    owners.assign_owner(gl, supervisor, case, {"owner": second, "reason": "李娟休假，交周敏承办",
                                               "expected_owner": str(first)})
    with gl.reading() as s:
        row = s.get(CaseOwner, (case, "womens_federation"))
        assert (row.user_id, row.reason, row.version) == (second, "李娟休假，交周敏承办", 2)
    [assigned] = _actions(gl, "assign_owner")
    [handed] = _actions(gl, "hand_over_case")
    assert assigned.before is None and assigned.after["owner"] == first
    assert handed.before == {"owner": first} and handed.after == {"owner": second, "agency": "womens_federation",
                                                                  "reason": "李娟休假，交周敏承办"}
    assert [r.id for r in case_list.list_cases(gl, driver.actor("wf_caseworker2"), view="mine").rows] == [case]


def test_only_the_agencys_supervisor_assigns_and_only_to_its_people(gl, driver, case):
    from engine.models import CaseOwner
    from engine.services import owners
    caseworker = _user_id(gl, "wf_caseworker")
    for who in ("wf_caseworker", "yz_caseworker", "leader"):
        with pytest.raises(PermissionDenied):
            owners.assign_owner(gl, driver.actor(who), case, {"owner": caseworker, "reason": "x", "expected_owner": ""})
    with pytest.raises(PermissionDenied):       # the supervisor of an agency not on the case
        owners.assign_owner(gl, driver.actor("pro_supervisor"), case,
                            {"owner": _user_id(gl, "prosecutor"), "reason": "x", "expected_owner": ""})
    supervisor = driver.actor("wf_supervisor")
    for owner in (_user_id(gl, "prosecutor"), _user_id(gl, "yz_caseworker"), _user_id(gl, "leader"), 2**40, "x"):
        with pytest.raises(InvalidInput) as refused:
            owners.assign_owner(gl, supervisor, case, {"owner": owner, "reason": "x", "expected_owner": ""})
        assert refused.value.field == "owner"
    with pytest.raises(InvalidInput) as refused:
        owners.assign_owner(gl, supervisor, case, {"owner": caseworker, "reason": " ", "expected_owner": ""})
    assert refused.value.field == "reason"
    assert _count(gl, CaseOwner) == 0 and _actions(gl, "assign_owner") == []
