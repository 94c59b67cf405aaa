"""Family-education services (家庭教育服务): the landing page, practice bases, activities and quotas, and the
screening register. Every action goes through ``engine.services.bases / activities / screening``."""
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.errors import Conflict, InvalidInput
from engine.reference import FAMILY_TYPES, ORG_KINDS, RISK_FACTORS
from engine.services import activities, bases, parent_school, screening
from engine.workflow.clock import clock
from web.extensions import actor, gl
from web.i18n import pick

bp = Blueprint("services", __name__, url_prefix="/services")

SERVICE_ROLES_REFUSED = ("admin",)


@bp.before_request
def _not_for_administrators():
    if current_user.is_authenticated and current_user.actor.role in SERVICE_ROLES_REFUSED:
        abort(403)


@bp.record_once
def _template_globals(state):
    state.app.jinja_env.globals.update(
        base_statuses=bases.STATUSES,
        status_class={'active': 'met', 'expiring': 'pending', 'expired': 'missing', 'suspended': 'not_required'}, base_service_kinds=bases.SERVICE_KINDS, report_statuses=bases.REPORT_STATUSES,
        org_kinds=ORG_KINDS, edu_activity_kinds=activities.ACTIVITY_KINDS, watch_statuses=screening.WATCH, psych_checks=screening.PSYCH_CHECKS,
        screening_relations=screening.RELATIONS, family_types=FAMILY_TYPES, risk_factors=RISK_FACTORS)


def _form() -> dict:
    """The submitted form, with the fields a form sends several of as lists."""
    data = request.form.to_dict()
    for many in ("service_kinds", "serves", "family_types", "risk_factors"):
        data[many] = request.form.getlist(many)
    for tick in ("suspended", "risk_found", "mandatory_report"):
        data[tick] = tick in request.form
    return data


def _links() -> list[tuple[str, str, str]]:
    """(address, title, description) of the pages this user may open."""
    a = actor()
    links = []
    if parent_school.is_staff(a):
        links += [(url_for("parent_school.index"), _("Parent schools"),
                   _("Parent-school courses and sessions, sign-in by QR code or roster, hours per guardian and "
                     "certificates.")),
                  (url_for("parent_school.participants"), _("Learning records"),
                   _("A guardian's courses and hours across schools and school years.")),
                  (url_for("parent_school.survey_results"), _("Satisfaction surveys"),
                   _("What guardians said of courses and guidance, per provider."))]
    links += [(url_for("services.base_list"), _("Practice bases"),
              _("Family-education practice bases: recognition period, status, service area, activities and annual "
                "reports."))]
    if activities.may_read(a):
        links.append((url_for("services.activity_progress"), _("Activities and quotas"),
                      _("Family-education activities of schools, kindergartens and communities against their "
                        "quotas; who is behind.")))
    if screening.may_read_register(a):
        links.append((url_for("services.screening_list"), _("Screening register"),
                      _("Children in difficulty registered by grid workers, child directors and schools, visited on "
                        "a schedule.")))
    return links


@bp.route("/")
@login_required
def index():
    return render_template("services/index.html", links=_links())


# ---------------------------------------------------------------- practice bases

@bp.route("/bases/")
@login_required
def base_list():
    rows = bases.list_bases(gl(), actor())
    status = request.args.get("status") or None
    if status not in (None, *bases.STATUSES):
        abort(404)
    shown = [r for r in rows if status is None or r.status == status]
    due = bases.reports_due(gl(), actor())
    return render_template("services/bases.html", rows=shown, all_rows=rows, status=status, due=due,
                           last_year=clock.today().year - 1,
                           expiring_days=gl().settings.base_expiring_days)


def _base_page(provider_id: int, *, error=None, form=None, values=None, status=200):
    view = bases.read_base(gl(), actor(), provider_id)
    year = clock.today().year
    report_year = year if clock.today().month == 12 else year - 1
    draft = bases.draft_report(gl(), actor(), provider_id, report_year) if view["may_record"] else None
    return render_template("services/base.html", v=view, error=error, error_form=form, values=values or {},
                           draft=draft, report_year=report_year, today=clock.today()), status


@bp.route("/bases/<int:provider_id>")
@login_required
def base(provider_id):
    return _base_page(provider_id)


def _base_action(provider_id: int, form: str, action):
    data = _form()
    try:
        action(data)
    except (InvalidInput, Conflict) as exc:
        return _base_page(provider_id, error=exc, form=form, values=data,
                          status=409 if isinstance(exc, Conflict) else 422)
    flash(_("Saved."), "success")
    return redirect(url_for("services.base", provider_id=provider_id))


@bp.route("/bases/<int:provider_id>/settings", methods=["POST"])
@login_required
def base_settings(provider_id):
    return _base_action(provider_id, "settings", lambda d: bases.update_base(gl(), actor(), provider_id, d))


@bp.route("/bases/<int:provider_id>/renew", methods=["POST"])
@login_required
def base_renew(provider_id):
    return _base_action(provider_id, "renew", lambda d: bases.renew_base(gl(), actor(), provider_id, d))


@bp.route("/bases/<int:provider_id>/activities", methods=["POST"])
@login_required
def base_activity(provider_id):
    return _base_action(provider_id, "activity", lambda d: bases.record_base_activity(gl(), actor(), provider_id, d))


@bp.route("/bases/<int:provider_id>/report", methods=["POST"])
@login_required
def base_report(provider_id):
    return _base_action(provider_id, "report", lambda d: bases.submit_annual_report(gl(), actor(), provider_id, d))


@bp.route("/bases/<int:provider_id>/reports/<int:report_id>/review", methods=["POST"])
@login_required
def base_review(provider_id, report_id):
    return _base_action(provider_id, f"review-{report_id}",
                        lambda d: bases.review_annual_report(gl(), actor(), report_id, d))


# ---------------------------------------------------------------- activities and quotas

def _day_arg() -> date | None:
    value = (request.args.get("on") or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        abort(404)


def _activity_page(*, error=None, form=None, values=None, status=200):
    view = activities.read_progress(gl(), actor(), _day_arg())
    orgs = [(o.id, f"{o.name}（{pick(ORG_KINDS[o.kind])}）") for o in activities.organisations_for(gl(), actor())]
    return render_template("services/activities.html", v=view, orgs=orgs,
                           error=error, error_form=form, values=values or {}), status


@bp.route("/activities/")
@login_required
def activity_progress():
    return _activity_page()


@bp.route("/activities/organisations", methods=["POST"])
@login_required
def add_organisation():
    data = _form()
    try:
        activities.add_organisation(gl(), actor(), data)
    except InvalidInput as exc:
        return _activity_page(error=exc, form="organisation", values=data, status=422)
    flash(_("Saved."), "success")
    return redirect(url_for("services.activity_progress"))


@bp.route("/activities/new", methods=["POST"])
@login_required
def record_activity():
    data = _form()
    try:
        activities.record_activity(gl(), actor(), data.get("organisation_id"), data)
    except InvalidInput as exc:
        return _activity_page(error=exc, form="activity", values=data, status=422)
    flash(_("Saved."), "success")
    return redirect(url_for("services.activity_progress"))


# ---------------------------------------------------------------- screening register

@bp.route("/screening/")
@login_required
def screening_list():
    overdue = request.args.get("overdue") == "1"
    rows = screening.list_entries(gl(), actor(), overdue_only=overdue)
    return render_template("services/screening.html", rows=rows, overdue=overdue,
                           may_register=screening.may_register(actor()))


@bp.route("/screening/new", methods=["GET", "POST"])
@login_required
def screening_new():
    if not screening.may_register(actor()):
        abort(403)
    if request.method == "GET":
        return render_template("services/screening_form.html", values={}, error=None)
    data = _form()
    try:
        entry = screening.register_entry(gl(), actor(), data)
    except InvalidInput as exc:
        return render_template("services/screening_form.html", values=data, error=exc), 422
    flash(_("Saved."), "success")
    return redirect(url_for("services.screening_entry", entry_id=entry))


def _entry_page(entry_id: int):
    view = screening.read_entry(gl(), actor(), entry_id)
    return render_template("services/screening_entry.html", v=view, error=None, error_form=None, values={},
                           may_register=screening.may_register(actor()))


def _entry_form_again(entry_id: int, form: str, error, values: dict):
    """The visit or clue form sent back with its error: the masked entry only, so nothing is logged or written."""
    entry = screening.entry_for_form(gl(), actor(), entry_id)
    return render_template("services/screening_action.html", e=entry, form=form, error=error,
                           values=values), 409 if isinstance(error, Conflict) else 422


@bp.route("/screening/<int:entry_id>")
@login_required
def screening_entry(entry_id):
    return _entry_page(entry_id)


@bp.route("/screening/<int:entry_id>/visits", methods=["POST"])
@login_required
def screening_visit(entry_id):
    data = _form()
    try:
        screening.record_visit(gl(), actor(), entry_id, data)
    except (InvalidInput, Conflict) as exc:
        return _entry_form_again(entry_id, "visit", exc, data)
    flash(_("Saved."), "success")
    return redirect(url_for("services.screening_entry", entry_id=entry_id))


@bp.route("/screening/<int:entry_id>/clue", methods=["POST"])
@login_required
def screening_clue(entry_id):
    data = _form()
    try:
        clue = screening.to_clue(gl(), actor(), entry_id, data)
    except (InvalidInput, Conflict) as exc:
        return _entry_form_again(entry_id, "clue", exc, data)
    flash(_("The risk clue was registered."), "success")
    return redirect(url_for("records.my_clues"))
