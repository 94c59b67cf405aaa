"""Administration: user accounts of every agency, role and district."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select

from engine import services
from engine.errors import InvalidInput
from engine.models import District, User

from .extensions import actor, gl
from .i18n import message

bp = Blueprint("admin", __name__, url_prefix="/admin")
FIELDS = ("username", "display_name", "password", "agency", "role", "district")


@bp.before_request
@login_required
def _admins_only():
    if actor().role != "admin":
        abort(403)


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
            flash(_("Account created."), "success")
            return redirect(url_for("admin.users"))
    with gl().reading() as db:
        accounts = db.scalars(select(User).order_by(User.district_id, User.agency_id, User.username)).all()
        districts = db.scalars(select(District).order_by(District.id)).all()
    data.pop("password", None)
    return render_template("admin_users.html", accounts=accounts, districts=districts, data=data, error=error,
                           error_text=message(error) if error else ""), status
