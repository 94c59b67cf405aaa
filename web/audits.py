"""The closed-loop audit page (闭环审查): closed and closing cases with their checklists; sign off, return for
rework, draw a random sample."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from engine.errors import Conflict, InvalidInput, NotFound
from engine.services import loop_reviews as audits
from web.extensions import actor, casework_only, gl
from web.i18n import message

bp = Blueprint("audits", __name__, url_prefix="/audits")
bp.before_request(casework_only)
STATES = ("closed", "closing", "sampled")


@bp.route("/")
@login_required
def index():
    state = request.args.get("state") or None
    if state not in (None, *STATES):
        abort(404)
    listing = audits.audit_list(gl(), actor(), state=state)
    return render_template("audits.html", state=state, states=STATES, steps=audits.REWORK_STEPS, **listing)


@bp.route("/rounds/<int:round_id>/sign-off", methods=["POST"])
@login_required
def sign_off(round_id):
    return _act(lambda: audits.sign_off(gl(), actor(), round_id, request.form.get("note", "")),
                _("The closed loop is signed off."), round_id)


@bp.route("/rounds/<int:round_id>/rework", methods=["POST"])
@login_required
def rework(round_id):
    def go():
        try:
            version = int(request.form.get("expected_version", ""))
        except ValueError:
            raise InvalidInput("expected_version", "表单不完整，请刷新页面。", "The form was incomplete; reload the page.")
        return audits.return_for_rework(gl(), actor(), round_id, request.form.get("step", ""),
                                        request.form.get("reason", ""), version)
    return _act(go, _("Returned for rework: the case is open again and its round is back at the chosen step."),
                round_id)


@bp.route("/sample", methods=["POST"])
@login_required
def sample():
    def go():
        return audits.draw_sample(gl(), actor(), request.form.get("size", ""), request.form.get("days", "365"))
    return _act(go, _("A random sample was drawn; its cases are marked below."), None, state="sampled")


def _act(action, done: str, round_id, **query):
    try:
        action()
    except (InvalidInput, Conflict, NotFound) as exc:
        flash(message(exc), "error")
    else:
        flash(done, "success")
    anchor = f"#round-{round_id}" if round_id else ""
    return redirect(url_for("audits.index", **query) + anchor)
