"""Records made when something happens (a visit, a guidance session), chases answered by supervisors, and
mandatory reports handled by the police and followed by their reporters."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from engine import reference as ref, services
from engine.errors import Conflict, InvalidInput
from engine.reference import CLUE_STATUSES
from engine.services.chases import CHASE_KINDS
from engine.workflow.clock import clock
from web.extensions import actor, casework_only, gl
from web.i18n import message
from web.task_forms import Field, TaskForm, initial_values, read_submission

bp = Blueprint("records", __name__)
bp.before_request(casework_only)

VISIT_FORM = TaskForm(("记录回访", "Record a follow-up visit"), (
    "回访发生时即记录：按期回访、临时回访或多机构联合回访，本个案的各参与机构均可记录。",
    "Record a visit when it happens — scheduled, ad hoc or joint; any agency on the case may record it."), [
    Field("kind", "choice", ("回访类型", "Kind of visit"), choices=ref.VISIT_KINDS, default="planned"),
    Field("participants", "multi", ("参加机构", "Agencies taking part"), required=False, choices=ref.AGENCIES,
          help=("联合回访请勾选所有参加的机构；本机构自动计入。", "For a joint visit tick every agency; yours counts anyway.")),
    Field("method", "choice", ("回访方式", "Method"), choices=ref.VISIT_METHODS),
    Field("visited_on", "date", ("回访日期", "Date of visit"), default="today"),
    Field("findings", "textarea", ("回访情况", "Findings")),
    Field("orders_complied", "bool", ("监护人履行令状与指导方案", "The guardian carries out the orders and plan"), required=False),
    Field("new_incident", "bool", ("发现新的风险情况", "A new incident was found"), required=False,
          help=("勾选后由妇联承办人研判是否升级。", "The coordinating caseworker then weighs an upgrade.")),
])
SESSION_FORM = TaskForm(("记录家庭教育指导", "Record a guidance session"), (
    "监护人到场且时长达到方案要求的指导计入完成次数。",
    "Sessions the guardian attended for at least the plan's minutes count towards the plan."), [
    Field("kind", "choice", ("指导形式", "Kind"), choices=ref.SESSION_KINDS),
    Field("held_on", "date", ("指导日期", "Date held"), default="today"),
    Field("minutes", "int", ("时长（分钟）", "Minutes"), default=60),
    Field("guardian_attended", "bool", ("监护人到场", "Guardian attended"), required=False, default=True),
    Field("notes", "textarea", ("指导内容", "Notes"), required=False),
    Field("confirm_same_day", "bool", ("确认同日第二次指导", "Confirm a second session on the same day"),
          required=False, help=("同一天已有指导记录时才需要勾选。", "Needed only when a session is already recorded for that day.")),
])
RECORDS = {"visit": (VISIT_FORM, services.record_visit), "session": (SESSION_FORM, services.record_guidance_session)}


def _record(case_id: int, what: str):
    form_def, service = RECORDS[what]
    case = services.view_case(gl(), actor(), case_id)["case"] if request.method == "GET" else None
    values = initial_values(form_def, {}, gl().settings, clock.today())
    error, status, conflict = None, 200, False
    if request.method == "POST":
        values = read_submission(form_def, request.form)
        try:
            version = int(request.form.get("expected_version", ""))
        except ValueError:
            abort(400)
        try:
            result = service(gl(), actor(), case_id, values, version)
        except InvalidInput as exc:
            error, status = exc, 422
        except Conflict as exc:
            # a record adds to the case and overwrites nothing: the form comes back as typed, against the
            # case as it is now, to be checked and sent again
            error, status, conflict = exc, 409, True
        else:
            flash(_("Recorded.") + ("" if result.get("counted") else " " + _(
                "It is on the case's record; this round was not waiting for one.")), "success")
            return redirect(url_for("cases.show", case_id=case_id))
        case = services.view_case(gl(), actor(), case_id)["case"]
    return render_template("record.html", case=case, form_def=form_def, values=values, version=case.version,
                           error=error, error_text=message(error) if error else "", what=what,
                           conflict=conflict), status


@bp.route("/cases/<int:case_id>/visits/new", methods=["GET", "POST"])
@login_required
def visit(case_id):
    return _record(case_id, "visit")


@bp.route("/cases/<int:case_id>/sessions/new", methods=["GET", "POST"])
@login_required
def session(case_id):
    return _record(case_id, "session")


@bp.route("/chases/", methods=["GET"])
@login_required
def chases():
    return render_template("chases.html", rows=services.open_chases(gl(), actor()), kinds=CHASE_KINDS)


@bp.route("/chases/<int:chase_id>", methods=["POST"])
@login_required
def answer(chase_id):
    try:
        services.answer_chase(gl(), actor(), chase_id, {"explanation": request.form.get("explanation", ""),
                                                        "action": request.form.get("action", "")})
    except (InvalidInput, Conflict) as exc:
        flash(message(exc), "error")
    else:
        flash(_("The chase is answered."), "success")
    return redirect(url_for("records.chases"))


@bp.route("/reports/", methods=["GET"])
@login_required
def reports():
    return render_template("reports.html", rows=services.report_queue(gl(), actor()), now=clock.now())


@bp.route("/reports/<int:clue_id>", methods=["POST"])
@login_required
def report(clue_id):
    try:
        if request.form.get("action") == "acknowledge":
            services.acknowledge_report(gl(), actor(), clue_id)
        else:
            services.respond_to_report(gl(), actor(), clue_id, {"response": request.form.get("response", "")})
    except InvalidInput as exc:
        flash(message(exc), "error")
    else:
        flash(_("Saved."), "success")
    return redirect(url_for("records.reports"))


@bp.route("/clues/mine")
@login_required
def my_clues():
    return render_template("my_clues.html", rows=services.my_reports(gl(), actor()), statuses=CLUE_STATUSES)
