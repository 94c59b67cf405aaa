"""Administration of offices (发文机关): names, 机关代字, type codes, number format, electronic seal."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.errors import InvalidInput
from engine.reference import NUMBERED_DOCUMENTS
from engine.services import offices as service
from web.admin import admins_only, districts as district_list
from web.extensions import actor, gl
from web.i18n import message

bp = Blueprint("offices", __name__, url_prefix="/admin/offices")
MAX_SEAL = service.MAX_SEAL_BYTES


bp.before_request(admins_only)   # the administrator's pages share one gate


@bp.route("/")
def index():
    districts = district_list()
    own = next(d.code for d in districts if d.id == actor().district_id)
    code = request.args.get("district") or own
    if code not in {d.code for d in districts}:
        abort(404)
    return render_template("offices.html", districts=districts, district=code,
                           offices=service.list_offices(gl(), actor(), code), office=None, types=NUMBERED_DOCUMENTS)


@bp.route("/<int:office_id>", methods=["GET", "POST"])
def edit(office_id):
    office = service.get_office(gl(), actor(), office_id)
    if office["acting_id"]:                 # a district without its own office: edit the one acting for it
        return redirect(url_for("offices.edit", office_id=office["acting_id"]))
    data, error, status = {}, None, 200
    if request.method == "POST":
        data = request.form.to_dict()
        upload = request.files.get("seal")
        png = upload.read(MAX_SEAL + 1) if upload is not None and upload.filename else None
        try:
            service.update_office(gl(), actor(), office_id, data, png)
        except InvalidInput as exc:
            error, status = exc, 422
        else:
            flash(_("Office settings saved. Documents issued from now on use them."), "success")
            return redirect(url_for("offices.edit", office_id=office_id))
    return render_template("offices.html", districts=[], district=None, offices=[], office=office, data=data,
                           error=error, error_text=message(error) if error else "", types=NUMBERED_DOCUMENTS), status
