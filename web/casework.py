"""Casework beside the procedure: the case list, notes and the contact log, attachments, case owners."""
from io import BytesIO

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import login_required

from engine.errors import Conflict, InvalidInput
from engine.services import attachments, case_list, notes, owners
from engine.workflow.clock import clock
from web.extensions import actor, casework_only, gl
from web.i18n import message
from web.task_forms import Field, TaskForm, initial_values, read_submission

bp = Blueprint("casework", __name__)
bp.before_request(casework_only)


@bp.record_once
def _template_globals(state):
    state.app.jinja_env.globals.update(note_kinds=notes.NOTE_KINDS, note_editable=_note_editable,
                                       media_label=_media_label,
                                       attachment_max_mb=lambda: gl().settings.attachment_max_bytes // (1024 * 1024))


def _note_editable(note) -> bool:
    """Whether the signed-in user may still edit this note (the engine decides again on saving)."""
    return note.author_id == actor().id and clock.now() <= notes.editable_until(gl(), note)


def _media_label(row) -> str:
    if row.media_type == "application/pdf":
        return _("PDF, %(n)s pages", n=row.pages or 0)
    return _("Image %(w)s × %(h)s", w=row.width or 0, h=row.height or 0)


NOTE_FORM = TaskForm(("记录 / 联系记录", "Note or contact"), (
    "电话、走访、会议、信息往来等。本个案的各参与机构均可查看；记录人可在写入后 {minutes} 分钟内修改，此后只能新增更正记录。",
    "Calls, visits, meetings, messages. Every agency on the case reads it; you may edit it for {minutes} minutes "
    "after writing it, after that a correction is a new note."), [
    Field("occurred_on", "date", ("日期", "Date"), default="today"),
    Field("kind", "choice", ("类型", "Kind"), choices=notes.NOTE_KINDS),
    Field("participants", "text", ("参与人", "Participants"), required=False,
          help=("如：监护人张某、班主任；多人以顿号分隔。", "e.g. the guardian, the class teacher.")),
    Field("body", "textarea", ("内容", "What was said or done")),
])


@bp.route("/cases/")
@login_required
def case_list_page():
    try:
        query = case_list.read_query(request.args)
    except InvalidInput:
        abort(404)
    result = case_list.list_cases(gl(), actor(), **query)
    shown = {"view": query["view"], "sort": query["sort"], "dir": "desc" if query["descending"] else "asc",
             "status": query["status"], "code": query["code"], "step": query["step"],
             "family_type": query["family_type"]}

    def link(**changes) -> str:
        """This list's address with ``changes`` (another page, another order)."""
        args = {**shown, **changes}
        return url_for("casework.case_list_page", **{k: x for k, x in args.items() if x not in (None, "", 1)})

    return render_template("case_list.html", result=result, rows=result.rows, query=query, link=link,
                           can_filter=case_list.can_filter(actor()), views=case_list.VIEWS)


def _note_page(case_id: int, values: dict, *, note=None, corrects=None, error=None, status=200, version=None):
    case = notes.case_for_form(gl(), actor(), case_id)
    return render_template("note_form.html", case=case, form_def=NOTE_FORM, values=values, note=note,
                           corrects=corrects, error=error, error_text=message(error) if error else "",
                           conflict=isinstance(error, Conflict), version=version,
                           minutes=gl().settings.note_edit_minutes), status


@bp.route("/cases/<int:case_id>/notes/new", methods=["GET", "POST"])
@login_required
def new_note(case_id):
    corrects_id = request.values.get("corrects") or None
    if request.method == "GET":
        corrects = notes.note_for_edit(gl(), actor(), case_id, corrects_id, author_only=False) if corrects_id else None
        values = initial_values(NOTE_FORM, {}, gl().settings, clock.today())
        if corrects is not None:
            values.update(kind=corrects.kind, participants=corrects.participants or "", body=corrects.body,
                          occurred_on=corrects.occurred_on.isoformat())
        return _note_page(case_id, values, corrects=corrects, version=corrects.version if corrects else None)
    values = read_submission(NOTE_FORM, request.form)
    data = dict(values, corrects=corrects_id, corrects_version=request.form.get("corrects_version"))
    try:
        notes.add_note(gl(), actor(), case_id, data)
    except (InvalidInput, Conflict) as exc:
        corrects = (notes.note_for_edit(gl(), actor(), case_id, corrects_id, author_only=False, log=False)
                    if corrects_id else None)
        # after a conflict the form comes back against the note as it is now, to be checked and sent again
        return _note_page(case_id, values, corrects=corrects, error=exc, status=_status(exc),
                          version=_version_after(exc, corrects, request.form.get("corrects_version")))
    flash(_("The correction was recorded.") if corrects_id else _("The note was recorded."), "success")
    return redirect(url_for("cases.show", case_id=case_id) + "#notes")


@bp.route("/cases/<int:case_id>/notes/<int:note_id>/edit", methods=["GET", "POST"])
@login_required
def edit_note(case_id, note_id):
    if request.method == "GET":
        note = notes.note_for_edit(gl(), actor(), case_id, note_id)
        values = {"occurred_on": note.occurred_on.isoformat(), "kind": note.kind,
                  "participants": note.participants or "", "body": note.body}
        return _note_page(case_id, values, note=note, version=note.version)
    values = read_submission(NOTE_FORM, request.form)
    try:
        notes.edit_note(gl(), actor(), case_id, note_id, values, request.form.get("expected_version"))
    except (InvalidInput, Conflict) as exc:
        note = notes.note_for_edit(gl(), actor(), case_id, note_id, log=False)
        return _note_page(case_id, values, note=note, error=exc, status=_status(exc),
                          version=_version_after(exc, note, request.form.get("expected_version")))
    flash(_("The note was saved."), "success")
    return redirect(url_for("cases.show", case_id=case_id) + "#notes")


def _version_after(exc, note, sent):
    return note.version if isinstance(exc, Conflict) and note is not None else sent


def _status(exc) -> int:
    return 409 if isinstance(exc, Conflict) else 422


@bp.url_value_preprocessor
def _room_for_files(endpoint, values):
    """An upload may be as large as the file limit and the form around it (the app's limit is for forms
    without files). Set before any ``before_request`` reads the form: URL value preprocessors run first."""
    if endpoint == "casework.upload":
        request.max_content_length = gl().settings.attachment_max_bytes + 64 * 1024


@bp.route("/cases/<int:case_id>/attachments/new", methods=["GET", "POST"])
@login_required
def upload(case_id):
    settings = gl().settings
    if request.method == "GET":
        case, documents = attachments.case_for_upload(gl(), actor(), case_id)
        return render_template("attachment_form.html", case=case, documents=documents, error=None, values={})
    upload_file = request.files.get("file")
    values = {"description": request.form.get("description", ""), "subject": request.form.get("subject", "")}
    data = upload_file.read(settings.attachment_max_bytes + 1) if upload_file else b""
    try:
        attachments.add_attachment(gl(), actor(), case_id, data, upload_file.filename if upload_file else None,
                                   values)
    except InvalidInput as exc:
        case, documents = attachments.case_for_upload(gl(), actor(), case_id)
        return render_template("attachment_form.html", case=case, documents=documents, error=exc,
                               error_text=message(exc), values=values), 422
    flash(_("The file was attached."), "success")
    return redirect(url_for("cases.show", case_id=case_id) + "#attachments")


def _send(data: bytes, media_type: str, filename: str) -> Response:
    """The bytes as the type the content check found, never cached, shown in the browser (``download=1``:
    saved), under the uploader's file name."""
    response = send_file(BytesIO(data), mimetype=media_type, download_name=filename,
                         as_attachment=request.args.get("download") == "1", conditional=False, etag=False,
                         max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/attachments/<int:attachment_id>")
@login_required
def attachment(attachment_id):
    row, data = attachments.open_attachment(gl(), actor(), attachment_id)
    return _send(data, row.media_type, row.filename)


@bp.route("/attachments/<int:attachment_id>/thumbnail")
@login_required
def thumbnail(attachment_id):
    row, data = attachments.open_attachment(gl(), actor(), attachment_id, thumbnail=True)
    return _send(data, "image/jpeg", row.filename.rsplit(".", 1)[0] + "-thumbnail.jpg")


@bp.route("/cases/<int:case_id>/owner", methods=["GET", "POST"])
@login_required
def owner(case_id):
    """The supervisor assigns the case's owner in their agency, or hands it over, with a reason."""
    error, status = None, 200
    values = {"owner": request.form.get("owner", ""), "reason": request.form.get("reason", "")}
    if request.method == "POST":
        try:
            owners.assign_owner(gl(), actor(), case_id, {**values, "expected_owner": request.form.get("expected_owner")})
        except (InvalidInput, Conflict) as exc:
            error, status = exc, _status(exc)
        else:
            flash(_("The case owner was recorded."), "success")
            return redirect(url_for("cases.show", case_id=case_id) + "#owners")
    case, current, candidates = owners.owner_form(gl(), actor(), case_id)
    return render_template("owner_form.html", case=case, current=current, candidates=candidates, values=values,
                           error=error, error_text=message(error) if error else ""), status
