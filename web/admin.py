"""Administration: user accounts of every agency, role and district — create, edit, disable and enable,
unlock, sign out everywhere, and one-time password-reset links; the API clients of the agencies' own
systems — register, rotate, revoke, scopes and webhook. The engine checks every action."""
from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from engine import services
from engine.errors import InvalidInput, NotFound
from engine.reads import accounts as account_reads
from engine.services import account_admin, api_clients
from engine.workflow.clock import clock
from web.extensions import actor, gl
from web.i18n import message

bp = Blueprint("admin", __name__, url_prefix="/admin")
FIELDS = ("username", "display_name", "password", "agency", "role", "district")
EDIT_FIELDS = ("display_name", "agency", "role", "district")


@bp.before_request
@login_required
def admins_only():
    if actor().role != "admin":
        abort(403)


def districts():
    return account_reads.districts(gl())


@bp.route("/users", methods=["GET", "POST"])
def users():
    data, error, status = {}, None, 200
    if request.method == "POST":
        data = {name: request.form.get(name, "") for name in FIELDS}
        try:
            services.create_user(gl(), actor(), data)
        except InvalidInput as exc:
            error, status = exc, 422
        else:
            flash(_("Account created. Its password is temporary: it must be changed at the first sign-in."),
                  "success")
            return redirect(url_for("admin.users"))
    accounts = account_reads.accounts(gl(), actor())
    data.pop("password", None)
    return render_template("admin_users.html", accounts=accounts, districts=districts(), data=data, error=error,
                           error_text=message(error) if error else "", now=clock.now()), status


def _user(user_id: int):
    user = account_reads.account(gl(), actor(), user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user(user_id):
    account, error, status = _user(user_id), None, 200
    data = {"display_name": account.display_name, "agency": account.agency.code, "role": account.role,
            "district": account.district.code}
    if request.method == "POST":
        data = {name: request.form.get(name, "") for name in EDIT_FIELDS}
        try:
            account_admin.update_user(gl(), actor(), user_id, data)
        except InvalidInput as exc:
            error, status = exc, 422
        else:
            flash(_("Account saved."), "success")
            return redirect(url_for("admin.user", user_id=user_id))
    return render_template("admin_user.html", account=account, data=data, districts=districts(), error=error,
                           error_text=message(error) if error else "", now=clock.now(), reset_link=None), status


def _act(user_id: int, action, done: str):
    try:
        action()
    except InvalidInput as exc:
        flash(message(exc), "error")
    else:
        flash(done, "success")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.route("/users/<int:user_id>/disable", methods=["POST"])
def disable(user_id):
    return _act(user_id, lambda: account_admin.set_active(gl(), actor(), user_id, False),
                _("Account disabled; its sessions have ended."))


@bp.route("/users/<int:user_id>/enable", methods=["POST"])
def enable(user_id):
    return _act(user_id, lambda: account_admin.set_active(gl(), actor(), user_id, True), _("Account enabled."))


@bp.route("/users/<int:user_id>/unlock", methods=["POST"])
def unlock(user_id):
    return _act(user_id, lambda: account_admin.unlock(gl(), actor(), user_id), _("Account unlocked."))


@bp.route("/users/<int:user_id>/sign-out", methods=["POST"])
def sign_out(user_id):
    return _act(user_id, lambda: account_admin.sign_out_everywhere(gl(), actor(), user_id),
                _("Every session of this account has ended."))


@bp.route("/users/<int:user_id>/reset", methods=["POST"])
def reset(user_id):
    """Show the one-time link once, on this page only (it is stored as a hash and cannot be shown again)."""
    token = account_admin.issue_reset_link(gl(), actor(), user_id)
    account = _user(user_id)
    data = {"display_name": account.display_name, "agency": account.agency.code, "role": account.role,
            "district": account.district.code}
    response = make_response(render_template(
        "admin_user.html", account=account, data=data, districts=districts(), error=None, error_text="",
        now=clock.now(), reset_link=url_for("auth.reset_password", token=token, _external=True)))
    response.headers["Cache-Control"] = "no-store"
    return response


# --- API clients (the agencies' own systems, /api/v1) ------------------------------------------------------

CLIENT_FIELDS = ("name", "agency", "district", "webhook_url")


def _shown_once(template: str, **context):
    """A page that shows a token or a signing key: never kept by a cache or the browser's history."""
    response = make_response(render_template(template, **context))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/api-clients", methods=["GET", "POST"])
def api_clients_page():
    data, error, status = {"scopes": []}, None, 200
    if request.method == "POST":
        data = {name: request.form.get(name, "") for name in CLIENT_FIELDS}
        data["scopes"] = request.form.getlist("scopes")
        try:
            registered = api_clients.register_client(
                gl(), actor(), name=data["name"], agency=data["agency"], district=data["district"],
                scopes=data["scopes"], webhook_url=data["webhook_url"] or None)
        except InvalidInput as exc:
            error, status = exc, 422
        else:
            return _shown_once("admin_api_client.html", client=api_clients.get_client(gl(), actor(), data["name"]),
                               scopes=api_clients.SCOPES, data={}, error=None, error_text="",
                               token=registered.token, webhook_key=registered.webhook_key, created=True)
    return render_template("admin_api_clients.html", clients=api_clients.list_clients(gl(), actor()),
                           districts=districts(), scopes=api_clients.SCOPES, data=data, error=error,
                           error_text=message(error) if error else ""), status


def _client_page(name, *, data=None, error=None, status=200, token=None, webhook_key=None):
    try:
        client = api_clients.get_client(gl(), actor(), name)
    except NotFound:
        abort(404)
    context = {"client": client, "scopes": api_clients.SCOPES, "data": data or {}, "error": error,
               "error_text": message(error) if error else "", "token": token, "webhook_key": webhook_key,
               "created": False}
    if token or webhook_key:
        return _shown_once("admin_api_client.html", **context)
    return render_template("admin_api_client.html", **context), status


@bp.route("/api-clients/<name>")
def api_client(name):
    return _client_page(name)


@bp.route("/api-clients/<name>/scopes", methods=["POST"])
def api_client_scopes(name):
    scopes = request.form.getlist("scopes")
    try:
        api_clients.set_scopes(gl(), actor(), name, scopes)
    except InvalidInput as exc:
        return _client_page(name, data={"scopes": scopes}, error=exc, status=422)
    flash(_("Scopes saved."), "success")
    return redirect(url_for("admin.api_client", name=name))


@bp.route("/api-clients/<name>/webhook", methods=["POST"])
def api_client_webhook(name):
    url = request.form.get("webhook_url", "").strip()
    remove = request.form.get("remove") == "1"
    try:
        key = api_clients.set_webhook(gl(), actor(), name, None if remove else url, field="webhook_url")
    except InvalidInput as exc:
        return _client_page(name, data={"webhook_url": url}, error=exc, status=422)
    if key is None:
        flash(_("Webhook removed: no more events are sent to this system."), "success")
        return redirect(url_for("admin.api_client", name=name))
    return _client_page(name, webhook_key=key)


@bp.route("/api-clients/<name>/rotate", methods=["POST"])
def api_client_rotate(name):
    try:
        token = api_clients.rotate_token(gl(), actor(), name)
    except InvalidInput as exc:
        flash(message(exc), "error")
        return redirect(url_for("admin.api_client", name=name))
    return _client_page(name, token=token)


@bp.route("/api-clients/<name>/revoke", methods=["POST"])
def api_client_revoke(name):
    api_clients.revoke_client(gl(), actor(), name)
    flash(_("API client revoked: its token no longer works."), "success")
    return redirect(url_for("admin.api_client", name=name))
