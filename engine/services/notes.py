"""Case notes and the contact log (个案记录 / 联系记录): what was said on the phone, at a visit, at a meeting,
by message. Every agency on the case reads them and may write one.

The author may edit a note for ``Settings.note_edit_minutes`` after writing it; after that it stands as
written, and a correction is a new note naming the one it corrects. Each note carries a version: an edit
or a correction made against a version that is no longer current is refused (``Conflict``).
"""
from datetime import timedelta

from sqlalchemy import bindparam, select

from engine.actor import Actor
from engine.auditlog import record as audit
from engine.context import GuardLoop
from engine.errors import Conflict, InvalidInput, NotFound
from engine.models import CaseNote
from engine.reads.access import require_case
from engine.rules import validate as v
from engine.rules.permissions import NOTE_EDIT_REFUSED, may_edit_note, require
from engine.workflow.clock import clock

NOTE_KINDS = {
    "phone": ("电话", "Phone call"),
    "visit": ("走访/面谈", "Visit"),
    "meeting": ("会议", "Meeting"),
    "message": ("短信/微信/信件", "Message"),
    "other": ("其他", "Other"),
}
BODY_MAX = 5000
PARTICIPANTS_MAX = 300

# along the case's notes (``ix_case_note_case``): has this note been corrected?
_CORRECTED = select(CaseNote.id).where(CaseNote.case_id == bindparam("case_id"),
                                       CaseNote.corrects_id == bindparam("note_id")).limit(1)


def _fields(data: dict) -> dict:
    return {"occurred_on": v.day(data, "occurred_on"), "kind": v.choice(data, "kind", NOTE_KINDS),
            "participants": v.text(data, "participants", required=False, max_len=PARTICIPANTS_MAX) or None,
            "body": v.text(data, "body", max_len=BODY_MAX)}


def _version(value, field: str) -> int:
    """A number the form carried (a version, a note's id): an int4, or the form was not one of ours."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        number = -1
    if not 0 <= number < 2**31:
        raise InvalidInput(field, "表单不完整，请刷新页面。", "The form was incomplete; reload the page.")
    return number


def _stale_note() -> Conflict:
    return Conflict("该记录刚被修改，请刷新后查看；您填写的内容未丢失。",
                    "This note changed a moment ago; reload to see it. What you typed is kept.")


def _note_of_case(session, case_id: int, note_id) -> CaseNote:
    note = session.get(CaseNote, _version(note_id, "corrects")) if note_id not in (None, "") else None
    if note is None or note.case_id != case_id:
        raise NotFound("记录不存在。", "No such note.")
    return note


def editable_until(gl: GuardLoop, note: CaseNote):
    return note.created_at + timedelta(minutes=gl.settings.note_edit_minutes)


def add_note(gl: GuardLoop, actor: Actor, case_id: int, data: dict) -> int:
    """记录: a note or contact by anyone whose agency is on the case. With ``corrects`` (a note id) and
    ``corrects_version`` (the version read), it is the correction of that note."""
    fields = _fields(data)
    with gl.transaction() as session:
        case = require_case(session, actor, case_id)
        corrects = None
        if data.get("corrects") not in (None, ""):
            corrects = _note_of_case(session, case.id, data.get("corrects"))
            if corrects.version != _version(data.get("corrects_version"), "corrects_version"):
                raise _stale_note()
        note = CaseNote(case_id=case.id, author_id=actor.id, author_agency=actor.agency, created_at=clock.now(),
                        corrects_id=corrects.id if corrects else None, **fields)
        session.add(note)
        session.flush()
        audit.record(session, actor, "correct_note" if corrects else "add_note", "case_note", note.id, case.id,
                     {"note": corrects.id} if corrects else None,
                     {"kind": fields["kind"], "occurred_on": fields["occurred_on"]})
        return note.id


def edit_note(gl: GuardLoop, actor: Actor, case_id: int, note_id: int, data: dict, expected_version) -> None:
    """The author's own edit within the edit window; after it, or once corrected, the note stands."""
    fields = _fields(data)
    expected = _version(expected_version, "expected_version")
    with gl.transaction() as session:
        case = require_case(session, actor, case_id)
        note = _note_of_case(session, case.id, note_id)
        require(may_edit_note(actor, note.author_id), NOTE_EDIT_REFUSED)
        if clock.now() > editable_until(gl, note) or session.scalar(_CORRECTED, {"case_id": case.id, "note_id": note.id}):
            raise InvalidInput("body", f"记录已超过 {gl.settings.note_edit_minutes} 分钟或已被更正，不能再修改；"
                               "如需更正，请新增一条更正记录。",
                               f"A note can be edited only in the first {gl.settings.note_edit_minutes} minutes and "
                               "before it is corrected; add a correction instead.")
        if note.version != expected:
            raise _stale_note()
        before = {"kind": note.kind, "occurred_on": note.occurred_on, "participants": note.participants,
                  "body": note.body}
        for name, value in fields.items():
            setattr(note, name, value)
        note.edited_at = clock.now()
        session.flush()   # UPDATE … WHERE version = the one read: a concurrent edit makes this a Conflict
        audit.record(session, actor, "edit_note", "case_note", note.id, case.id, before,
                     {"kind": note.kind, "occurred_on": note.occurred_on, "participants": note.participants,
                      "body": note.body})


def case_for_form(gl: GuardLoop, actor: Actor, case_id: int):
    """The case a note form is about (its number and code: the form shows no child data)."""
    with gl.reading() as session:
        return require_case(session, actor, case_id)


def note_for_edit(gl: GuardLoop, actor: Actor, case_id: int, note_id, *, author_only: bool = True,
                  log: bool = True) -> CaseNote:
    """A note of the case to edit (its author only) or to correct (anyone on the case). Opening the form is
    an access entry (``log``); showing a refused submission's form again is not a new one."""
    with (gl.transaction() if log else gl.reading()) as session:
        case = require_case(session, actor, case_id)
        note = _note_of_case(session, case.id, note_id)
        require(not author_only or may_edit_note(actor, note.author_id), NOTE_EDIT_REFUSED)
        if log:
            audit.record(session, actor, "view_note", "case_note", note.id, case.id)
        return note
