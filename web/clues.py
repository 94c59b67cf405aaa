"""Registering a risk clue (登记风险线索), the clue list (search and filters), and deciding a clue: opening a
case from it (建档), merging it into another clue or a case, or rejecting it with a reason."""
import re
import secrets

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from engine import services
from engine.errors import Conflict, InvalidInput
from engine.reads import lists as queries
from engine.reference import CLUE_STATUSES
from engine.rules.masking import mask_id
from engine.rules.permissions import may_open_case
from engine.services import clues
from engine.services.clues import GUARDIAN_RELATIONS, NO_MATCH
from engine.workflow.clock import clock
from web.extensions import actor, casework_only, gl
from web.i18n import message

bp = Blueprint("clues", __name__, url_prefix="/clues")
bp.before_request(casework_only)
GUARDIAN_ROWS = 2          # rows the form starts with; "add another person" adds one, up to MAX_GUARDIANS
MAX_GUARDIANS = 20
GUARDIAN_FIELDS = ("name", "relation", "is_guardian", "phone", "id_number", "address")
_GUARDIAN_KEY = re.compile(r"^guardians-(\d{1,2})-")
# the clue's source as the registering user's agency reports it (the form is prefilled, and may be changed)
AGENCY_SOURCES = {"education": "school", "police": "police", "womens_federation": "womens_federation",
                  "procuratorate": "procuratorate", "court": "court", "community": "community"}
CHILD_FIELDS = ("child_name", "child_sex", "child_birth_date", "child_id_number", "child_school", "child_address")
CLUE_FIELDS = ("source", "reporter_name", "reporter_contact", "received_at", "description", "linked_case_no")


def _guardian_rows(form) -> int:
    """How many guardian rows the form sent: its ``guardian_rows`` count, or the highest row present (rows
    added by the page's script), at least one and at most ``MAX_GUARDIANS``."""
    present = [int(m.group(1)) + 1 for key in form.keys() if (m := _GUARDIAN_KEY.match(key))]
    declared = form.get("guardian_rows", "")
    declared = int(declared) if declared.isdigit() and len(declared) < 3 else 0
    return max(1, min(MAX_GUARDIANS, max([declared, *present])))


def _form_data(form) -> dict:
    data = {name: form.get(name, "") for name in CLUE_FIELDS + CHILD_FIELDS}
    data["mandatory_report"] = form.get("mandatory_report") == "on"
    data["family_types"] = form.getlist("family_types")
    data["risk_factors"] = form.getlist("risk_factors")
    data["guardians"] = [{f: (form.get(f"guardians-{i}-{f}") == "on" if f == "is_guardian"
                              else form.get(f"guardians-{i}-{f}", "")) for f in GUARDIAN_FIELDS}
                         for i in range(_guardian_rows(form))]
    return data


FILTERS = ("status", "source", "from", "to", "q")


@bp.route("/")
@login_required
def index():
    filters = {k: request.args.get(k, "") for k in FILTERS}
    error, status, rows = None, 200, []
    try:
        rows = queries.clues(gl(), actor(), filters)
    except InvalidInput as exc:
        error, status = exc, 400
    return render_template("clues.html", clues=rows, can_open=may_open_case(actor()),
                           filters=filters, error=error, statuses=CLUE_STATUSES, mask_id=mask_id), status


def _new_form_token() -> str:
    return secrets.token_urlsafe(24)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    me = actor()
    data = {"guardians": [{} for _ in range(GUARDIAN_ROWS)], "received_at": clock.today().isoformat(),
            "source": AGENCY_SOURCES.get(me.agency, ""), "reporter_name": me.display_name}
    error, check, status, token = None, NO_MATCH, 200, _new_form_token()
    if request.method == "POST":
        token = request.form.get("form_token", "")
        already = clues.registered_from_form(gl(), actor(), token)
        if already:  # back and resubmit, or a double click: the clue is registered once
            flash(_("This form was already sent: clue %(number)s is registered.", number=already), "info")
            return redirect(url_for("clues.index"))
        data = _form_data(request.form)
        if request.form.get("add_guardian"):   # "add another person" without JavaScript: the form again, one row more
            if len(data["guardians"]) < MAX_GUARDIANS:
                data["guardians"].append({})
            return render_template("clue_form.html", data=data, error=None, error_text="", check=NO_MATCH,
                                   form_token=token, relations=GUARDIAN_RELATIONS, max_rows=MAX_GUARDIANS,
                                   focus_row=len(data["guardians"]) - 1)
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
                           check=check, form_token=token, relations=GUARDIAN_RELATIONS,
                           max_rows=MAX_GUARDIANS, focus_row=None), status


def _decision_page(clue, error=None, status=200, form=None):
    return render_template("clue_open.html", clue=clue, error=error, form=form or {}, mask_id=mask_id,
                           statuses=CLUE_STATUSES), status


@bp.route("/<int:clue_id>/open", methods=["GET", "POST"])
@login_required
def open_case(clue_id):
    # the page's GET logged the view; a submission is checked, and its page shown again, without a new one
    clue = clues.view_clue_for_opening(gl(), actor(), clue_id, log=request.method == "GET")
    if request.method == "POST":
        try:
            case_id = services.open_case(gl(), actor(), clue_id, {"case_type": request.form.get("case_type")})
        except (InvalidInput, Conflict) as exc:
            return _decision_page(clue, message(exc), 422 if isinstance(exc, InvalidInput) else 409,
                                  {"action": "open"})
        flash(_("Case opened; the first round has started."), "success")
        return redirect(url_for("cases.show", case_id=case_id))
    return _decision_page(clue)


def _decide(clue_id, action: str, decide, done: str):
    # who may decide, and the page to show again (the page's GET logged the view)
    clue = clues.view_clue_for_opening(gl(), actor(), clue_id, log=False)
    form = {k: request.form.get(k, "") for k in ("reason", "into_clue", "into_case")}
    try:
        decide(gl(), actor(), clue_id, form)
    except (InvalidInput, Conflict) as exc:
        return _decision_page(clue, message(exc), 422 if isinstance(exc, InvalidInput) else 409,
                              {**form, "action": action, "field": getattr(exc, "field", None)})
    flash(done, "success")
    return redirect(url_for("clues.index"))


@bp.route("/<int:clue_id>/reject", methods=["POST"])
@login_required
def reject(clue_id):
    return _decide(clue_id, "reject", clues.reject_clue,
                   _("The clue was rejected; the reporting agency sees the reason."))


@bp.route("/<int:clue_id>/merge", methods=["POST"])
@login_required
def merge(clue_id):
    return _decide(clue_id, "merge", clues.merge_clue,
                   _("The clue was merged; the reporting agency sees what it was merged into."))
