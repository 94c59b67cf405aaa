"""Error pages in the user's language for 400, 403, 404, 409, 422 and 500 — never a traceback."""
from flask import render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from engine.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied

from .i18n import message

STATUS = {PermissionDenied: 403, NotFound: 404, Conflict: 409, InvalidInput: 422}


def status_of(exc: DomainError) -> int:
    for kind, status in STATUS.items():
        if isinstance(exc, kind):
            return status
    return 400


def titles():
    return {400: _("Bad request"), 403: _("Not allowed"), 404: _("Not found"), 405: _("Not allowed"),
            409: _("This case changed"), 413: _("Too large"), 422: _("Please check your input"),
            500: _("Something went wrong"), 503: _("Documents cannot be printed on this server")}


def page(status: int, detail: str):
    return render_template("error.html", status=status, title=titles().get(status, _("Error")),
                           detail=detail), status


def init_app(app):
    @app.errorhandler(DomainError)
    def _domain(exc):
        return page(status_of(exc), message(exc))

    @app.errorhandler(CSRFError)
    def _csrf(exc):
        return page(400, _("The form expired or was not sent from this site. Reload the page and try again."))

    @app.errorhandler(HTTPException)
    def _http(exc):
        details = {404: _("There is no such page."), 403: _("You may not open this page."),
                   405: _("This page cannot be used that way.")}
        return page(exc.code or 500, details.get(exc.code, ""))

    from documents import FontsMissing

    @app.errorhandler(FontsMissing)
    def _fonts(exc):
        # Refuse to print boxes: nothing was issued (the transaction rolled back); say what to install.
        app.logger.error("document rendering refused: %s", exc)
        return page(503, str(exc))

    @app.errorhandler(Exception)
    def _unexpected(exc):
        app.logger.exception("unhandled error on %s", request.path)
        return page(500, _("The error was recorded. Nothing you submitted was half-saved; try again."))
