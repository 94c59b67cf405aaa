"""Bulk import of risk clues from an XLSX sheet (``engine.services.clue_import``): the template to fill in,
the upload, and the per-row report as a page and as a sheet."""
from flask import Blueprint, abort, make_response, redirect, render_template, request, url_for
from flask_login import login_required

from engine.errors import InvalidInput
from engine.rules.permissions import works_on_cases
from engine.services import clue_import as service
from web.extensions import actor, gl
from web.i18n import message

bp = Blueprint("clue_import", __name__, url_prefix="/clues/import")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.before_request
@login_required
def casework_only():
    if not works_on_cases(actor()):
        abort(403)


def _xlsx(content: bytes, filename: str):
    response = make_response(content)
    response.headers["Content-Type"] = XLSX
    response.headers["Content-Disposition"] = f"attachment; filename={filename}"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/template.xlsx")
def template():
    return _xlsx(service.template(), "guardloop-clue-import-template.xlsx")


@bp.route("/", methods=["GET", "POST"])
def upload():
    error, status = None, 200
    if request.method == "POST":
        file = request.files.get("file")
        content = file.read(service.MAX_BYTES + 1) if file is not None and file.filename else b""
        try:
            import_id = service.import_clues(gl(), actor(), file.filename if file is not None else "", content)
        except InvalidInput as exc:
            error, status = exc, 422
        else:
            return redirect(url_for("clue_import.report", import_id=import_id))
    return render_template("clue_import.html", error=error, error_text=message(error) if error else "",
                           max_rows=service.MAX_ROWS, max_kb=service.MAX_BYTES // 1024), status


@bp.route("/<int:import_id>")
def report(import_id):
    upload = service.get_import(gl(), actor(), import_id)
    return render_template("clue_import_report.html", upload=upload, headers=service.HEADERS,
                           status_names=service.STATUS_NAMES)


@bp.route("/<int:import_id>/report.xlsx")
def report_xlsx(import_id):
    upload = service.get_import(gl(), actor(), import_id)
    return _xlsx(service.report_xlsx(upload), f"guardloop-clue-import-{import_id}.xlsx")
