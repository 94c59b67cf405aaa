"""One generic view renders and submits every task form declared in ``task_forms``."""
from types import SimpleNamespace

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select

from engine import queries, services
from engine.clock import clock
from engine.errors import Conflict, InvalidInput
from engine.handlers.review import ORDER_APPROVALS
from engine.models import GuidanceProvider, User
from engine.services.documents import TASK_DOCUMENTS

from .extensions import actor, casework_only, gl
from .i18n import label, message, pick
from .task_forms import FORMS, initial_values, read_submission

bp = Blueprint("tasks", __name__)
bp.before_request(casework_only)


def _context(case_id: int, task_id: str) -> dict:
    ctx = queries.task_form(gl(), actor(), case_id, task_id)
    form_def = FORMS.get(ctx["item"].task_spec)
    if form_def is None:
        abort(404)
    asked = [a for a in (ctx["request"], ctx["returned"]) if a is not None]
    people = {a.requested_by for a in asked} | {a.decided_by for a in asked if a.decided_by}
    with gl().reading() as db:
        ctx["providers"] = db.scalars(select(GuidanceProvider).where(
            (GuidanceProvider.district_id == ctx["case"].district_id) | (GuidanceProvider.kind == "practice_base"))
            .order_by(GuidanceProvider.district_id != ctx["case"].district_id, GuidanceProvider.id)).all()
        ctx["people"] = dict(db.execute(select(User.id, User.display_name).where(User.id.in_(people))).all())
    ctx["form_def"] = form_def
    return ctx


def _already_done(exc: queries.TaskAlreadyDone, task_id: str):
    """409: the task was completed a moment ago by someone else. Show the form again with what was typed."""
    form_def = FORMS[exc.spec]
    item = SimpleNamespace(task_spec=exc.spec, task_id=task_id, step="", lane=actor().agency)
    values = read_submission(form_def, request.form) if request.method == "POST" else {}
    return render_template("task.html", case=exc.case, item=item, form_def=form_def, variables={}, providers=[],
                           request=None, returned=None, people={}, values=values, version=exc.case.version, error=exc,
                           error_text=message(exc), conflict=True, done=True), 409


@bp.route("/cases/<int:case_id>/tasks/<task_id>", methods=["GET", "POST"])
@login_required
def task(case_id, task_id):
    try:
        ctx = _context(case_id, task_id)
    except queries.TaskAlreadyDone as exc:
        return _already_done(exc, task_id)
    values = initial_values(ctx["form_def"], ctx["variables"], gl().settings, clock.today())
    if ctx["returned"] is not None and ctx["returned"].payload:  # a returned draft comes back as it was
        values.update({k: x for k, x in ctx["returned"].payload.items() if isinstance(x, (str, int))})
    version, error, status, conflict = ctx["case"].version, None, 200, False
    if request.method == "POST":
        values = read_submission(ctx["form_def"], request.form)
        try:
            version = int(request.form.get("expected_version", ""))
        except ValueError:
            abort(400)
        try:
            result = services.complete_task(gl(), actor(), case_id, task_id, values, version)
        except InvalidInput as exc:
            error, status = exc, 422
        except Conflict as exc:
            error, status, conflict = exc, 409, True
        else:
            flash(_("Saved: %(task)s.", task=pick(ctx["form_def"].title)), "success")
            if result.get("outcome"):
                flash(_("The round ended: %(outcome)s.", outcome=label("ROUND_OUTCOMES", result["outcome"])), "info")
            return redirect(url_for("cases.show", case_id=case_id))
    draftable = ctx["item"].task_spec in TASK_DOCUMENTS or ctx["item"].task_spec in ORDER_APPROVALS
    return render_template("task.html", **ctx, values=values, version=version, error=error,
                           error_text=message(error) if error else "", conflict=conflict, draftable=draftable), status

