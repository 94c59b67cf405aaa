"""Documents: the PDF of an issued document, the draft of a task's document, corrections, and the
public verification page (核验) that shows no personal data."""
from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from engine.errors import Conflict, InvalidInput, RenderFailed
from engine.services import documents as docs
from engine.services.parent_school import verify_certificate
from web.errors import page
from web.extensions import actor, casework_only, gl
from web.i18n import message

bp = Blueprint("documents", __name__)
MAX_UPLOAD = 20 * 1024 * 1024


def _pdf(data: bytes, filename: str) -> Response:
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f"inline; filename*=UTF-8''{filename}"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/documents/<int:document_id>.pdf")
@login_required
def pdf(document_id):
    casework_only()
    try:
        doc, data = docs.document_file(gl(), actor(), document_id)
    except RenderFailed as exc:   # the document is issued and kept; only its PDF is not there yet
        current_app.logger.warning("PDF of document %s not available: %s", document_id, exc.reason)
        body, status = page(503, _("The document is issued and kept, but its PDF could not be generated just "
                                   "now. It is tried again automatically; try again in a minute."))
        return body, status, {"Retry-After": "60"}
    return _pdf(data, f"document-{doc.id}.pdf")


@bp.route("/cases/<int:case_id>/tasks/<task_id>/draft", methods=["POST"])
@login_required
def draft(case_id, task_id):
    casework_only()
    data = {k: request.form.get(k, "") for k in request.form if k not in ("csrf_token", "expected_version")}
    return _pdf(docs.draft_pdf(gl(), actor(), case_id, task_id, data), "draft.pdf")


@bp.route("/documents/<int:document_id>/correct", methods=["POST"])
@login_required
def correct(document_id):
    casework_only()
    case_id = request.form.get("case_id", type=int)
    try:
        docs.correct_document(gl(), actor(), document_id, request.form.to_dict())
    except (InvalidInput, Conflict) as exc:
        flash(message(exc), "error")
    else:
        flash(_("The correction was sent to your head of department for approval; the document stays in force "
                "until it is approved."), "success")
    return redirect(url_for("cases.show", case_id=case_id) + "#h-docs" if case_id else url_for("main.inbox"))


@bp.route("/documents/<int:document_id>/deliver", methods=["POST"])
@login_required
def deliver(document_id):
    casework_only()
    case_id = request.form.get("case_id", type=int)
    version = request.form.get("expected_version", type=int)
    try:
        if version is None:
            raise InvalidInput("expected_version", "表单不完整，请刷新页面。", "The form was incomplete; reload the page.")
        docs.deliver_correction(gl(), actor(), document_id, request.form.to_dict(), version)
    except (InvalidInput, Conflict) as exc:
        flash(message(exc), "error")
    else:
        flash(_("The delivery of the corrected document is recorded."), "success")
    return redirect(url_for("cases.show", case_id=case_id) + "#h-docs" if case_id else url_for("main.inbox"))


@bp.route("/verify", methods=["GET", "POST"])
@bp.route("/verify/<code>", methods=["GET", "POST"])
def verify(code=None):
    code = (code or request.values.get("code") or "").strip().upper()[:12]
    if request.method == "POST" and not code:
        abort(400)
    upload = None
    if request.method == "POST":
        file = request.files.get("pdf")
        if file is None or not file.filename:
            flash(_("Choose the PDF file to compare."), "error")
        else:
            upload = file.read(MAX_UPLOAD + 1)
            if len(upload) > MAX_UPLOAD:
                abort(413)
    result = docs.verify_document(gl(), code, upload) if code else None
    if code and result is None:   # a parent-school certificate (结业证书) carries a code of the same kind
        certificate = verify_certificate(gl(), code, upload)
        if certificate is not None:
            return render_template("parent_school/verify_certificate.html", code=code, result=certificate,
                                   uploaded=upload is not None)
    status = 404 if code and result is None else 200
    return render_template("verify.html", code=code, result=result, uploaded=upload is not None), status
