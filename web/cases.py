"""The case page: summary, code history, the round's diagram, tasks, evidence and audit trail."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from engine import services
from engine.clock import clock
from engine.errors import Conflict, InvalidInput
from engine.reference import AGENCIES

from .diagram import render_round_svg
from .extensions import actor, casework_only, gl
from .i18n import lane_label, message

bp = Blueprint("cases", __name__, url_prefix="/cases")
bp.before_request(casework_only)


@bp.route("/<int:case_id>")
@login_required
def show(case_id):
    view = services.view_case(gl(), actor(), case_id)
    source, states = view["diagram"]
    svg = render_round_svg(source, states, title=_("Round diagram"),
                           lane_labels={code: lane_label(code) for code in AGENCIES}) if source else ""
    return render_template("case.html", v=view, svg=svg, now=clock.now())


@bp.route("/<int:case_id>/upgrade", methods=["POST"])
@login_required
def upgrade(case_id):
    data = {"code": request.form.get("code", ""), "reason": request.form.get("reason", "")}
    try:
        version = int(request.form.get("expected_version", ""))
        services.upgrade_on_incident(gl(), actor(), case_id, data, version)
    except ValueError:
        flash(_("The form was incomplete; reload the page."), "error")
    except (InvalidInput, Conflict) as exc:
        flash(message(exc), "error")
    else:
        flash(_("The risk code was raised and a new round has started."), "success")
    return redirect(url_for("cases.show", case_id=case_id) + "#upgrade")
