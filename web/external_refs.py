"""The 案号 the judicial agencies give a case in their own systems: shown on the case page, recorded and
edited there by each agency for itself (``engine.services.external_refs``)."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from engine.errors import InvalidInput
from engine.rules.permissions import REF_AGENCIES
from engine.services import external_refs as service
from web.extensions import actor, gl
from web.i18n import message

bp = Blueprint("external_refs", __name__, url_prefix="/cases")


@bp.app_template_global("case_external_refs")
def case_external_refs(case_id: int) -> dict:
    """For the case page (which checked the permission): every agency's numbers, the user's own agency's,
    and whether the user may edit them."""
    me = actor()
    refs = service.case_refs(gl(), me, case_id)
    return {"refs": refs, "mine": [r.ref_no for r in refs if r.agency == me.agency],
            "editable": me.agency in REF_AGENCIES}


@bp.route("/<int:case_id>/external-refs", methods=["POST"])
@login_required
def save(case_id):
    text = request.form.get("refs", "")
    try:
        service.set_refs(gl(), actor(), case_id, text)
    except InvalidInput as exc:
        return render_template("external_refs_form.html", case_id=case_id,
                               case_no=service.case_number(gl(), actor(), case_id), refs=text, error=exc,
                               error_text=message(exc)), 422
    flash(_("Your agency's case numbers are saved."), "success")
    return redirect(url_for("cases.show", case_id=case_id) + "#external-refs")
