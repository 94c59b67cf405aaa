"""Registering a risk clue (登记风险线索) and opening a case from it (建档)."""
import secrets

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from engine import queries, services
from engine.clock import clock
from engine.errors import InvalidInput
from engine.services import clues
from engine.services.clues import GUARDIAN_RELATIONS, NO_MATCH, OPENING_AGENCIES

from .extensions import actor, casework_only, gl
from .i18n import message

bp = Blueprint("clues", __name__, url_prefix="/clues")
bp.before_request(casework_only)
GUARDIAN_ROWS = 3
GUARDIAN_FIELDS = ("name", "relation", "is_guardian", "phone", "id_number", "address")
CHILD_FIELDS = ("child_name", "child_sex", "child_birth_date", "child_id_number", "child_school", "child_address")
CLUE_FIELDS = ("source", "reporter_name", "reporter_contact", "received_at", "description", "linked_case_no")


def _form_data(form) -> dict:
    data = {name: form.get(name, "") for name in CLUE_FIELDS + CHILD_FIELDS}
    data["mandatory_report"] = form.get("mandatory_report") == "on"
    data["family_types"] = form.getlist("family_types")
    data["risk_factors"] = form.getlist("risk_factors")
    data["guardians"] = [{f: (form.get(f"guardians-{i}-{f}") == "on" if f == "is_guardian"
                              else form.get(f"guardians-{i}-{f}", "")) for f in GUARDIAN_FIELDS}
                         for i in range(GUARDIAN_ROWS)]
    return data


@bp.route("/")
@login_required
def index():
    return render_template("clues.html", clues=queries.clues(gl(), actor()),
                           can_open=actor().agency in OPENING_AGENCIES)


def _new_form_token() -> str:
    return secrets.token_urlsafe(24)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    data = {"guardians": [{}] * GUARDIAN_ROWS, "received_at": clock.today().isoformat()}
    error, check, status, token = None, NO_MATCH, 200, _new_form_token()
    if request.method == "POST":
        token = request.form.get("form_token", "")
        already = clues.registered_from_form(gl(), actor(), token)
        if already:  # back and resubmit, or a double click: the clue is registered once
            flash(_("This form was already sent: clue %(number)s is registered.", number=already), "info")
            return redirect(url_for("clues.index"))
        data = _form_data(request.form)
        check = services.check_duplicates(gl(), actor(), id_number=data["child_id_number"] or None,
                                          name=data["child_name"] or None,
                                          birth_date=data["child_birth_date"] or None)
        if not check.matched or request.form.get("confirm_duplicates") == "on":
            try:
                services.register_clue(gl(), actor(), data, form_token=token)
            except InvalidInput as exc:
                error, status = exc, 422
            else:
                flash(_("Risk clue registered."), "success")
                return redirect(url_for("clues.index"))
    return render_template("clue_form.html", data=data, error=error, error_text=message(error) if error else "",
                           check=check, form_token=token, rows=GUARDIAN_ROWS, relations=GUARDIAN_RELATIONS), status


@bp.route("/<int:clue_id>/open", methods=["GET", "POST"])
@login_required
def open_case(clue_id):
    clue = clues.view_clue_for_opening(gl(), actor(), clue_id)
    error, status = None, 200
    if request.method == "POST":
        try:
            case_id = services.open_case(gl(), actor(), clue_id, {"case_type": request.form.get("case_type")})
        except InvalidInput as exc:
            error, status = message(exc), 422
        else:
            flash(_("Case opened; the first round has started."), "success")
            return redirect(url_for("cases.show", case_id=case_id))
    return render_template("clue_open.html", clue=clue, error=error), status
