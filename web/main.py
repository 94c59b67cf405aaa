"""The inbox (待办), the language switch and search."""
from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from flask_login import login_required

from engine import queries
from engine.overdue import overdue_counts
from engine.permissions import works_on_cases
from engine.reference import CODES
from engine.services import notifications

from .extensions import LANGUAGES, actor, gl
from .auth import _safe_next

bp = Blueprint("main", __name__)


@bp.route("/")
@login_required
def inbox():
    if actor().role == "admin":
        return redirect(url_for("admin.users"))
    if actor().role == "base_staff":   # practice-base staff work on their base's pages
        return redirect(url_for("services.index"))
    if not works_on_cases(actor()):  # leaders have no tasks: they read the cockpit
        return redirect(url_for("cockpit.index"))
    step = request.args.get("step") or None
    code = request.args.get("code") or None
    if step not in (None, *queries.STEPS) or code not in (None, *CODES):
        abort(404)
    try:
        page = int(request.args.get("page", "1"))
    except ValueError:
        abort(404)
    inbox = queries.inbox(gl(), actor(), step=step, code=code, page=page)
    late = {k: n for k, n in overdue_counts(gl(), actor()).items() if n}
    return render_template("inbox.html", inbox=inbox, rows=inbox.rows, counts=inbox.counts, step=step, code=code,
                           steps=queries.STEPS, late=late, notices=notifications.unread(gl(), actor()))


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@login_required
def read_notification(notification_id):
    notifications.mark_read(gl(), actor(), notification_id)
    return redirect(url_for("main.inbox"))


@bp.route("/lang/<code>")
def language(code):
    if code not in LANGUAGES:
        abort(404)
    session["lang"] = code
    return redirect(_safe_next(request.args.get("next")))


@bp.route("/search")
@login_required
def search():
    text = request.args.get("q", "")[:60]
    results = queries.search_cases(gl(), actor(), text) if actor().role != "admin" else []
    return render_template("search.html", q=text, results=results)


# The diagram viewer (bpmn-js, from npm) served as static files from the project's own node_modules; the
# case page falls back to its server-drawn SVG where they are not installed.
VENDOR_FILES = {
    "bpmn-viewer.js": "bpmn-js/dist/bpmn-navigated-viewer.production.min.js",
    "diagram-js.css": "bpmn-js/dist/assets/diagram-js.css",
    "bpmn-js.css": "bpmn-js/dist/assets/bpmn-js.css",
}


@bp.route("/diagram.css")
def diagram_css():
    from .diagram import stylesheet
    response = current_app.response_class(stylesheet(), mimetype="text/css")
    response.cache_control.max_age = 3600
    return response


@bp.route("/vendor/<name>")
def vendor(name):
    from flask import send_file
    from engine.settings import ROOT
    path = VENDOR_FILES.get(name)
    if path is None or not (ROOT / "node_modules" / path).is_file():
        abort(404)
    response = send_file(ROOT / "node_modules" / path, max_age=86400)
    return response
