"""Parent schools (家长学校) at /services/courses/: courses and sessions, sign-in (QR sheet, roster, staff entry),
the participant register and learning records, certificates, satisfaction surveys and their results.

Two public pages need no sign-in and show no personal data: the sign-in sheet a guardian opens by QR code
(``/services/courses/s/<token>``) and the survey form (``/services/courses/q/<token>``); both are rate
limited per address (``web.rate_limits``) and their links expire."""
import segno
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from engine.errors import InvalidInput, NotFound, PermissionDenied
from engine.reference import COURSE_KINDS
from engine.services import parent_school as ps, parent_school_surveys as surveys
from engine.workflow.clock import clock
from web.extensions import actor, gl
from web.i18n import message

bp = Blueprint("parent_school", __name__, url_prefix="/services/courses")
MAX_ROSTER = 2 * 1024 * 1024


@bp.record_once
def _template_globals(state):
    state.app.jinja_env.globals.update(
        ps_course_kinds=COURSE_KINDS, ps_provider_kinds=ps.PROVIDER_KINDS, ps_methods=ps.METHODS,
        ps_hours=ps.hours, ps_year_label=ps.year_label, ps_questions=surveys.QUESTIONS)


def _staff():
    if not ps.is_staff(actor()):
        abort(403)


def qr_data_uri(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=5, border=2)


def _year() -> int:
    year = request.args.get("year", type=int)
    return year if year and 2000 <= year <= 2100 else ps.school_year_of(clock.today())


# --- courses --------------------------------------------------------------------------------------

@bp.route("/")
@login_required
def index():
    _staff()
    year = _year()
    return render_template("parent_school/index.html", rows=ps.courses(gl(), actor(), year), year=year)


def _bases():
    return ps.course_providers(gl(), actor())


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new_course():
    _staff()
    values = request.form.to_dict() if request.method == "POST" else {"school_year": ps.school_year_of(clock.today())}
    error = None
    if request.method == "POST":
        try:
            course_id = ps.create_course(gl(), actor(), values)
        except InvalidInput as exc:
            error = exc
        else:
            flash(_("The course was created."), "success")
            return redirect(url_for(".course", course_id=course_id))
    return render_template("parent_school/course_form.html", values=values, error=error, bases=_bases()), \
        422 if error else 200


@bp.route("/<int:course_id>", methods=["GET", "POST"])
@login_required
def course(course_id):
    _staff()
    values, error = {}, None
    if request.method == "POST":
        values = request.form.to_dict()
        try:
            ps.add_session(gl(), actor(), course_id, values)
        except InvalidInput as exc:
            error = exc
        else:
            flash(_("The session was added."), "success")
            return redirect(url_for(".course", course_id=course_id))
    detail = ps.course_detail(gl(), actor(), course_id)
    return render_template("parent_school/course.html", d=detail, values=values, error=error), 422 if error else 200


@bp.route("/sessions/<int:session_id>")
@login_required
def session_page(session_id):
    _staff()
    detail = ps.session_detail(gl(), actor(), session_id)
    link = detail["link"]
    qr = url = None
    if link is not None:
        url = url_for(".signin", token=link.token, _external=True)
        qr = qr_data_uri(url)
    return render_template("parent_school/session.html", d=detail, qr=qr, url=url, values={}, error=None)


@bp.route("/sessions/<int:session_id>/qr", methods=["POST"])
@login_required
def open_qr(session_id):
    _staff()
    if request.form.get("action") == "close":
        ps.close_signin(gl(), actor(), session_id)
        flash(_("The sign-in QR code was closed."), "success")
    else:
        ps.open_signin(gl(), actor(), session_id)
        flash(_("A new sign-in QR code is open; earlier ones no longer work."), "success")
    return redirect(url_for(".session_page", session_id=session_id))


@bp.route("/sessions/<int:session_id>/attend", methods=["POST"])
@login_required
def attend(session_id):
    _staff()
    values = request.form.to_dict()
    try:
        result = ps.record_attendance(gl(), actor(), session_id, values)
    except InvalidInput as exc:
        detail = ps.session_detail(gl(), actor(), session_id, log_view=False)
        return render_template("parent_school/session.html", d=detail, qr=None, url=None, values=values,
                               error=exc), 422
    flash(_("Signed in.") if result["signed"] else _("Already signed in to this session."), "success")
    return redirect(url_for(".session_page", session_id=session_id))


@bp.route("/sessions/<int:session_id>/roster", methods=["POST"])
@login_required
def roster(session_id):
    _staff()
    file = request.files.get("file")
    content = file.read(MAX_ROSTER + 1) if file is not None and file.filename else b""
    if len(content) > MAX_ROSTER:
        abort(413)
    try:
        report = ps.import_roster(gl(), actor(), session_id, content)   # no file: the engine says so (422)
    except InvalidInput as exc:
        detail = ps.session_detail(gl(), actor(), session_id, log_view=False)
        return render_template("parent_school/session.html", d=detail, qr=None, url=None, values={},
                               error=exc), 422
    detail = ps.session_detail(gl(), actor(), session_id)
    return render_template("parent_school/roster_report.html", d=detail, report=report)


# --- the public sign-in sheet and survey form ------------------------------------------------------

@bp.route("/s/<token>", methods=["GET", "POST"])
def signin(token):
    try:
        page = ps.public_signin_page(gl(), token)
    except NotFound as exc:
        return render_template("parent_school/public_closed.html", text=message(exc)), 404
    values, error, outcome = {}, None, None
    if request.method == "POST":
        values = {k: request.form.get(k, "") for k in ("name", "last4", "phone")}
        try:
            outcome = ps.public_signin(gl(), token, values)
        except (InvalidInput, PermissionDenied, NotFound) as exc:
            error = exc
    status = 422 if isinstance(error, InvalidInput) else 403 if isinstance(error, PermissionDenied) else 200
    return render_template("parent_school/public_signin.html", page=page, values=values, error=error,
                           outcome=outcome), status


@bp.route("/q/<token>", methods=["GET", "POST"])
def survey(token):
    try:
        page = surveys.public_page(gl(), token)
    except NotFound as exc:
        return render_template("parent_school/public_closed.html", text=message(exc)), 404
    values, error, done = {}, None, False
    if request.method == "POST":
        values = {k: request.form.get(k, "") for k in (*surveys.QUESTIONS, "comment")}
        try:
            surveys.submit_public(gl(), token, values)
            done = True
        except (InvalidInput, PermissionDenied, NotFound) as exc:
            error = exc
    return render_template("parent_school/public_survey.html", page=page, values=values, error=error, done=done), \
        422 if isinstance(error, InvalidInput) else 200


# --- surveys: paper entry, QR, results ------------------------------------------------------------

@bp.route("/survey/<subject>/<int:subject_id>", methods=["GET", "POST"])
@login_required
def paper_survey(subject, subject_id):
    if subject not in surveys.SUBJECTS:
        abort(404)
    values, error, qr, url = {}, None, None, None
    if request.method == "POST" and request.form.get("action") == "qr":
        token = surveys.open_link(gl(), actor(), subject, subject_id)
        url = url_for(".survey", token=token, _external=True)
        qr = qr_data_uri(url)
    elif request.method == "POST":
        values = request.form.to_dict()
        try:
            surveys.record_paper(gl(), actor(), subject, subject_id, values)
        except InvalidInput as exc:
            error = exc
        else:
            flash(_("The questionnaire was recorded."), "success")
            return redirect(url_for(".paper_survey", subject=subject, subject_id=subject_id))
    else:
        surveys.require_subject(gl(), actor(), subject, subject_id)   # the permission check, before any form
    back = (url_for(".course", course_id=subject_id) if subject == "course" else request.args.get("case")
            and url_for("cases.show", case_id=request.args.get("case", type=int)))
    return render_template("parent_school/paper_survey.html", subject=subject, subject_id=subject_id, values=values,
                           error=error, qr=qr, url=url, back=back), 422 if error else 200


@bp.route("/surveys")
@login_required
def survey_results():
    _staff()
    return render_template("parent_school/survey_results.html", r=surveys.results(gl(), actor(), _year()))


# --- register, learning record, certificates ------------------------------------------------------

@bp.route("/participants")
@login_required
def participants():
    _staff()
    query = request.args.get("q", "")
    return render_template("parent_school/participants.html", q=query,
                           found=ps.search_participants(gl(), actor(), query) if query.strip() else None)


@bp.route("/participants/<int:participant_id>")
@login_required
def participant(participant_id):
    _staff()
    return render_template("parent_school/participant.html", r=ps.learning_record(gl(), actor(), participant_id))


@bp.route("/certificates/<int:certificate_id>.pdf")
@login_required
def certificate(certificate_id):
    row, pdf = ps.certificate_pdf(gl(), actor(), certificate_id)
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="certificate-{row.id}.pdf"', "Cache-Control": "no-store"})


@bp.route("/cases/<int:case_id>/learning")
@login_required
def case_learning(case_id):
    return render_template("parent_school/case_learning.html", case_id=case_id,
                           records=ps.case_learning(gl(), actor(), case_id))
