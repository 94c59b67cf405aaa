"""Error pages in the user's language for 400, 403, 404, 409, 422 and 500 — never a traceback."""
from flask import render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from documents import FontsMissing
from engine.errors import Conflict, DomainError, InvalidInput, NotConfigured, NotFound, PermissionDenied
from engine.services.access_log import record_refusal
from web.i18n import message

STATUS = {PermissionDenied: 403, NotFound: 404, Conflict: 409, InvalidInput: 422, NotConfigured: 503}


def status_of(exc: DomainError) -> int:
    for kind, status in STATUS.items():
        if isinstance(exc, kind):
            return status
    return 400


def titles():
    return {400: _("Bad request"), 403: _("Not allowed"), 404: _("Not found"), 405: _("Not allowed"),
            409: _("This case changed"), 413: _("Too large"), 422: _("Please check your input"),
            429: _("Too many attempts"), 500: _("Something went wrong"),
            503: _("Documents cannot be issued on this server")}


def log_refusal(app, reason: str) -> None:
    """Every refused request is an access-log entry (its own unit of work: the refused one rolled back).
    A failure to log is itself logged, never turned into a 500 on top of the 403."""
    try:
        who = current_user.actor if current_user.is_authenticated else None
        record_refusal(app.extensions["guardloop"], who, method=request.method, path=request.full_path.rstrip("?"),
                       reason=reason)
    except Exception:  # noqa: BLE001 — the refusal itself must still be answered
        app.logger.exception("could not record a refusal of %s", request.path)


def page(status: int, detail: str):
    return render_template("error.html", status=status, title=titles().get(status, _("Error")),
                           detail=detail), status


def init_app(app):
    @app.errorhandler(DomainError)
    def _domain(exc):
        status = status_of(exc)
        if status == 403:
            log_refusal(app, exc.message_en)
        return page(status, message(exc))

    @app.errorhandler(CSRFError)
    def _csrf(exc):
        return page(400, _("The form expired or was not sent from this site. Reload the page and try again."))

    @app.errorhandler(HTTPException)
    def _http(exc):
        details = {404: _("There is no such page."), 403: _("You may not open this page."),
                   405: _("This page cannot be used that way."),
                   429: _("Too many attempts from your address: wait a minute, then try again.")}
        if exc.code == 403:
            log_refusal(app, exc.description or "")
        response = exc.get_response()
        body, status = page(exc.code or 500, details.get(exc.code, ""))
        for name in ("Retry-After", "Allow"):  # keep what the client needs to know (429, 405)
            if name in response.headers:
                return body, status, {name: response.headers[name]}
        return body, status


    @app.errorhandler(FontsMissing)
    def _fonts(exc):
        # Refuse to print boxes: nothing was issued (the transaction rolled back); say what to install.
        app.logger.error("document rendering refused: %s", exc)
        return page(503, str(exc))

    @app.errorhandler(Exception)
    def _unexpected(exc):
        app.logger.exception("unhandled error on %s", request.path)
        return page(500, _("The error was recorded. Nothing you submitted was half-saved; try again."))
