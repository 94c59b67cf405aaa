"""The digital cockpit (数字驾驶舱) for supervisors and leaders, and its exports (XLSX, CSV)."""
from urllib.parse import quote

from flask import Blueprint, Response, render_template, request
from flask_login import login_required

from engine.errors import InvalidInput
from engine.reads import cockpit, exports
from engine.reads.cockpit.tables import tables
from engine.reference import LEDGER_ROLES
from web.cockpit_panels import cell, headline, panels
from web.extensions import actor, gl
from web.i18n import is_en

bp = Blueprint("cockpit", __name__, url_prefix="/cockpit")
FILTERS = ("district", "from", "to")
bp.add_app_template_global(cell, "cell")


def _filters(source) -> dict:
    return {name: source.get(name, "")[:20] for name in FILTERS}


def _lang() -> str:
    return "en" if is_en() else "zh"


@bp.route("/")
@login_required
def index():
    filters = _filters(request.args)
    try:
        view = cockpit.read_cockpit(gl(), actor(), filters)
    except InvalidInput as exc:
        return render_template("cockpit.html", error=exc, filters=filters,
                               districts=cockpit.filter_choices(gl(), actor())), 422
    figures = view["figures"]
    return render_template("cockpit.html", error=None, filters=view["scope"].as_filters(), scope=view["scope"],
                           districts=view["districts"], figures=figures, headline=headline(figures),
                           panels=panels(figures, tables(figures)), can_export_ledger=actor().role in LEDGER_ROLES,
                           cache_seconds=gl().settings.cockpit_cache_seconds)


@bp.route("/export/<table>.<fmt>", methods=["POST"])
@login_required
def export_table(table, fmt):
    return _download(exports.export_cockpit_table(gl(), actor(), _filters(request.form), table, fmt=fmt,
                                                  lang=_lang()))


@bp.route("/ledger.<fmt>", methods=["POST"])
@login_required
def export_ledger(fmt):
    return _download(exports.export_ledger(gl(), actor(), _filters(request.form), fmt=fmt, lang=_lang()))


def _download(export) -> Response:
    response = Response(export.content, mimetype=export.mimetype)
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(export.filename)}"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
