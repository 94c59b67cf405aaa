"""One generic view renders and submits every task form declared in ``task_forms``."""
from dataclasses import dataclass
from types import SimpleNamespace

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.wrappers import Response as WerkzeugResponse

from engine import services
from engine.errors import Conflict, InvalidInput
from engine.reads import tasks as task_pages
from engine.services import assignment
from engine.services.approvals import previewed_before_approval
from engine.workflow.catalog import APPROVAL_TASKS, DRAFT_APPROVALS, TASK_DOCUMENTS, Task
from engine.workflow.clock import clock
from web.extensions import actor, casework_only, gl
from web.i18n import label, message, pick
from web.task_forms import AWAITED, FORMS, form_for, initial_values, read_submission

bp = Blueprint("tasks", __name__)
bp.before_request(casework_only)


def _wants_guardians(spec: str, variables: dict) -> bool:
    """Whether the task's form chooses among the case's guardians (only then are they read)."""
    form_def = form_for(spec, variables)
    return form_def is not None and any(f.kind == "guardians" for f in form_def.fields)


def _context(case_id: int, task_id: str, log_view: bool) -> dict:
    ctx = task_pages.task_form(gl(), actor(), case_id, task_id, wants_guardians=_wants_guardians, log_view=log_view)
    if ctx["item"].kind == "await":  # no form: the record it waits for is made on its own page
        return ctx
    form_def = form_for(ctx["item"].task_spec, ctx["variables"])
    if form_def is None:
        abort(404)
    variables, referral = ctx["variables"], ctx["referral"]
    judicial = (referral.judicial_case if referral else None) or {}
    variables.update(referral_case_number=judicial.get("number"), referral_case_cause=judicial.get("cause"),
                     referral_case_stage=judicial.get("stage"))
    ctx["form_def"] = form_def
    return ctx


def _already_done(exc: task_pages.TaskAlreadyDone, task_id: str):
    """409: the task was completed a moment ago by someone else. Show the form again with what was typed."""
    form_def = FORMS.get(exc.spec)
    if form_def is None:  # an order's draft: its form depends on the measure, which is gone with the task
        return redirect(url_for("cases.show", case_id=exc.case.id))
    item = SimpleNamespace(task_spec=exc.spec, task_id=task_id, step="", lane=actor().agency)
    values = read_submission(form_def, request.form) if request.method == "POST" else {}
    return render_template("task.html", case=exc.case, item=item, form_def=form_def, variables={}, providers=[],
                           request=None, returned=None, people={}, values=values, guardians=[], referral=None, version=exc.case.version, error=exc,
                           error_text=message(exc), conflict=True, done=True,
                           shows_reassessment=exc.spec == Task.DECIDE_OUTCOME), 409


@dataclass(frozen=True)
class Refused:
    """A submission the engine refused: the form is shown again with what was typed and why."""
    error: Exception
    version: int


class _NoForm(Exception):
    """The task has no form to submit (a waiting step): the page's read says where to go."""


class _Submission:
    """Reads the posted form as the task's form, once the completion has found the task (its spec and
    variables decide the fields), so a submission reads nothing before the completion's unit of work."""

    def __init__(self, form):
        self.form, self.spec, self.form_def = form, None, None

    def __call__(self, spec: str, variables: dict) -> dict:
        self.spec, self.form_def = spec, form_for(spec, variables)
        if self.form_def is None:
            raise _NoForm(spec)
        self.values = read_submission(self.form_def, self.form)
        return self.values


@bp.route("/cases/<int:case_id>/tasks/<task_id>", methods=["GET", "POST"])
@login_required
def task(case_id, task_id):
    refused = _submit(case_id, task_id) if request.method == "POST" else None
    if isinstance(refused, WerkzeugResponse):
        return refused             # saved: on to the case page, without reading the form again
    try:  # the view is logged by the GET; a form shown again after a refused POST is a read only
        ctx = _context(case_id, task_id, log_view=request.method == "GET")
    except task_pages.TaskAlreadyDone as exc:
        return _already_done(exc, task_id)
    if ctx["item"].kind == "await":  # a waiting step is done by making the record it waits for
        return redirect(url_for(AWAITED[ctx["item"].task_spec], case_id=case_id))
    values = initial_values(ctx["form_def"], ctx["variables"], gl().settings, clock.today())
    if ctx["returned"] is not None and ctx["returned"].payload:  # a returned draft comes back as it was
        values.update({k: x for k, x in ctx["returned"].payload.items() if isinstance(x, (str, int))})
    version, error, status, conflict = ctx["case"].version, None, 200, False
    if refused is not None:
        values, version, error = read_submission(ctx["form_def"], request.form), refused.version, refused.error
        status, conflict = (409, True) if isinstance(error, Conflict) else (422, False)
    draftable = ctx["item"].task_spec in TASK_DOCUMENTS or ctx["item"].task_spec in DRAFT_APPROVALS
    return render_template("task.html", **ctx, values=values, version=version, error=error,
                           error_text=message(error) if error else "", conflict=conflict, draftable=draftable,
                           shows_reassessment=ctx["item"].task_spec == Task.DECIDE_OUTCOME), status


def _submit(case_id: int, task_id: str):
    """Complete the task from the posted form: a redirect when saved, ``Refused`` when the engine said no,
    None when the task has no form (the page's read then says where to go)."""
    try:
        version = int(request.form.get("expected_version", ""))
    except ValueError:
        abort(400)
    submission = _Submission(request.form)
    try:
        result = services.complete_task(gl(), actor(), case_id, task_id, submission, version,
                                        check=previewed_before_approval)
    except _NoForm:
        return None
    except (InvalidInput, Conflict) as exc:
        return Refused(exc, version)
    decision = submission.values.get("decision") if submission.spec in APPROVAL_TASKS else None
    flash({"approved": _("Approved."), "refused": _("Refused, with your reason."),
           "returned": _("Returned for correction with your reason.")}.get(
        decision, _("Saved: %(task)s.", task=pick(submission.form_def.title))), "success")
    if result.get("outcome"):
        flash(_("The round ended: %(outcome)s.", outcome=label("ROUND_OUTCOMES", result["outcome"])), "info")
    return redirect(url_for("cases.show", case_id=case_id))


def _back(case_id: int, task_id: str):
    """Where a claim or release returns: the inbox it came from, or the task."""
    if request.form.get("back") == "inbox":
        return redirect(url_for("main.inbox", held=request.form.get("held") or None))
    return redirect(url_for("tasks.task", case_id=case_id, task_id=task_id))


@bp.route("/cases/<int:case_id>/tasks/<task_id>/claim", methods=["POST"])
@login_required
def claim(case_id, task_id):
    assignment.claim(gl(), actor(), case_id, task_id)
    flash(_("You hold this task now: only you may complete it until you release it."), "success")
    return _back(case_id, task_id)


@bp.route("/cases/<int:case_id>/tasks/<task_id>/release", methods=["POST"])
@login_required
def release(case_id, task_id):
    assignment.release(gl(), actor(), case_id, task_id)
    flash(_("Task released: anyone of your agency may claim it."), "success")
    return _back(case_id, task_id)


@bp.route("/cases/<int:case_id>/tasks/<task_id>/assign", methods=["GET", "POST"])
@login_required
def assign(case_id, task_id):
    """The agency's supervisor assigns or reassigns a task to a named person, with a reason."""
    error, status = None, 200
    values = {"assignee": request.form.get("assignee", ""), "reason": request.form.get("reason", "")}
    if request.method == "POST":
        try:
            assignment.assign(gl(), actor(), case_id, task_id,
                              {**values, "expected_assignee": request.form.get("expected_assignee")})
        except (InvalidInput, Conflict) as exc:
            error, status = exc, 409 if isinstance(exc, Conflict) else 422
        else:
            flash(_("The task's assignment was recorded."), "success")
            return redirect(url_for("tasks.task", case_id=case_id, task_id=task_id))
    item, holder, people = assignment.assign_form(gl(), actor(), case_id, task_id)
    return render_template("task_assign.html", case_id=case_id, item=item, holder=holder, people=people,
                           values=values, error=error, error_text=message(error) if error else ""), status
