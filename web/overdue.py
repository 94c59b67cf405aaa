"""The overdue list (逾期督办): what is late in the district's cases, by kind and owning agency."""
from flask import Blueprint, abort, render_template, request
from flask_login import login_required

from engine.reads.overdue import KINDS, overdue_items
from web.extensions import actor, casework_only, gl

bp = Blueprint("overdue", __name__, url_prefix="/overdue")
bp.before_request(casework_only)


@bp.route("/")
@login_required
def index():
    kind = request.args.get("kind") or None
    if kind not in (None, *KINDS):
        abort(404)
    rows = overdue_items(gl(), actor(), kind)
    by_owner = {}
    for row in rows:
        by_owner[row.owner] = by_owner.get(row.owner, 0) + 1
    return render_template("overdue.html", rows=rows, kind=kind, kinds=KINDS, by_owner=by_owner)
