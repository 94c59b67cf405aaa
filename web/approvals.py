"""The approval queue (待审批): requests the supervisor's agency decides, approved or returned from the list."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from engine import services
from engine.errors import Conflict, InvalidInput, NotFound
from engine.services import reach
from engine.services.approvals import approval_task_of, require_draft_previewed
from engine.workflow.clock import clock
from web.extensions import actor, casework_only, gl
from web.i18n import message

bp = Blueprint("approvals", __name__, url_prefix="/approvals")
bp.before_request(casework_only)


@bp.route("/")
@login_required
def queue():
    return render_template("approvals.html", rows=services.approval_queue(gl(), actor()), now=clock.now())


@bp.route("/<int:approval_id>", methods=["POST"])
@login_required
def decide(approval_id):
    reach.require_approval_in_reach(gl(), actor(), approval_id)  # another district's: as if missing (404)
    try:
        version = int(request.form.get("expected_version", ""))
    except ValueError:
        flash(_("The form was incomplete; reload the page."), "error")
        return redirect(url_for("approvals.queue"))
    decision = request.form.get("decision", "")
    try:
        order = approval_task_of(gl(), approval_id)
        if order is not None and decision == "approved":   # an order is approved by someone who read its draft
            require_draft_previewed(gl(), actor(), order[1], order[2])
        services.decide_approval(gl(), actor(), approval_id, decision, request.form.get("reason", ""), version)
    except InvalidInput as exc:
        flash(_("A return needs the reason: what is to be corrected.") if exc.field == "reason" else message(exc),
              "error")
        if exc.field == "decision" and order is not None:
            return redirect(url_for("tasks.task", case_id=order[1], task_id=order[2]))
        return redirect(url_for("approvals.queue") + f"#approval-{approval_id}")
    except (Conflict, NotFound) as exc:
        flash(message(exc), "error")
        return redirect(url_for("approvals.queue") + f"#approval-{approval_id}")
    flash({"approved": _("Approved."), "refused": _("Refused, with your reason.")}.get(
        decision, _("Returned for correction with your reason.")), "success")
    return redirect(url_for("approvals.queue"))
