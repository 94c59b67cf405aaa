"""The inbox (待办), the language switch and search."""
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.errors import InvalidInput
from engine.reads import lists as queries
from engine.reads.overdue import overdue_counts
from engine.reference import CODES
from engine.rules.permissions import works_on_cases
from engine.services import digest, notifications
from web.auth import _safe_next
from web.diagram import stylesheet
from web.extensions import LANGUAGES, actor, gl
from web.i18n import message

bp = Blueprint("main", __name__)
NODE_MODULES = Path(__file__).resolve().parents[1] / "node_modules"   # the modeler's scripts, from npm


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
    held = request.args.get("held") or None
    if step not in (None, *queries.STEPS) or code not in (None, *CODES) or held not in (None, *queries.HOLDERS):
        abort(404)
    try:
        page = int(request.args.get("page", "1"))
    except ValueError:
        abort(404)
    inbox = queries.inbox(gl(), actor(), step=step, code=code, held=held, page=page)
    late = {k: n for k, n in overdue_counts(gl(), actor()).items() if n}
    return render_template("inbox.html", inbox=inbox, rows=inbox.rows, counts=inbox.counts, step=step, code=code,
                           held=held, holders=queries.HOLDERS, steps=queries.STEPS, late=late, notices=notifications.unread(gl(), actor()))


@bp.app_context_processor
def _notification_badge():
    def unread_notifications() -> int:
        """The header's count, read once per page and only for people who work on cases."""
        if "unread_notifications" not in g:
            g.unread_notifications = (notifications.unread_count(gl(), actor())
                                      if current_user.is_authenticated and works_on_cases(actor()) else 0)
        return g.unread_notifications
    return {"unread_notifications": unread_notifications}


@bp.route("/notifications/")
@login_required
def notification_centre():
    """通知中心: the user's notifications, unread first; mark one or all read; the daily digest's setting."""
    if not works_on_cases(actor()):
        abort(403)
    try:
        page = int(request.args.get("page", "1"))
    except ValueError:
        abort(404)
    shown, page, pages = notifications.listing(gl(), actor(), page=page)
    return render_template("notifications.html", notices=shown, page=page, pages=pages,
                           digest=digest.settings_of(gl(), actor()), digest_error=None,
                           smtp=bool(gl().settings.smtp_host))


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@login_required
def read_notification(notification_id):
    notifications.mark_read(gl(), actor(), notification_id)
    if request.form.get("back") == "centre":
        return redirect(url_for("main.notification_centre"))
    return redirect(url_for("main.inbox"))


@bp.route("/notifications/read-all", methods=["POST"])
@login_required
def read_all_notifications():
    if not works_on_cases(actor()):
        abort(403)
    count = notifications.mark_all_read(gl(), actor())
    flash(_("%(n)s notifications marked as read.", n=count), "success")
    return redirect(url_for("main.notification_centre"))


@bp.route("/notifications/digest", methods=["POST"])
@login_required
def digest_settings():
    """The user's own e-mail address and daily digest choice."""
    if not works_on_cases(actor()):
        abort(403)
    values = {"email": request.form.get("email", ""), "digest_opt_in": request.form.get("digest_opt_in", "")}
    try:
        digest.update_settings(gl(), actor(), values)
    except InvalidInput as exc:
        shown, page, pages = notifications.listing(gl(), actor())
        return render_template("notifications.html", notices=shown, page=page, pages=pages,
                               digest={**values, "digest_opt_in": bool(values["digest_opt_in"])},
                               digest_error=message(exc), smtp=bool(gl().settings.smtp_host)), 422
    flash(_("Your e-mail digest setting was saved."), "success")
    return redirect(url_for("main.notification_centre"))


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
    response = current_app.response_class(stylesheet(), mimetype="text/css")
    response.cache_control.max_age = 3600
    return response


@bp.route("/vendor/<name>")
def vendor(name):
    path = VENDOR_FILES.get(name)
    if path is None or not (NODE_MODULES / path).is_file():
        abort(404)
    response = send_file(NODE_MODULES / path, max_age=86400)
    return response
