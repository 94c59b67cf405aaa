"""Flask extensions, attached with ``init_app`` (nothing is built at import time)."""
import time

from flask import abort, current_app, g, redirect, request, session, url_for
from flask_babel import Babel
from flask_login import LoginManager, current_user
from flask_wtf import CSRFProtect

from engine.reads.accounts import signed_in
from engine.rules.permissions import works_on_cases
from web import i18n

LANGUAGES = ("zh_CN", "en")
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()


class SignedIn:
    """The Flask-Login user: the engine's ``Actor`` for this request."""

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def __init__(self, actor):
        self.actor = actor

    def get_id(self):
        # the account's session generation travels in the cookie: raising it ends this session
        return f"{self.actor.id}:{self.actor.session_generation}"

    def __getattr__(self, name):
        return getattr(self.actor, name)


def gl():
    return current_app.extensions["guardloop"]


def actor():
    return current_user.actor


def select_locale():
    # Chinese unless the user switched: office browsers are often set to English.
    chosen = session.get("lang") if request else None
    return chosen if chosen in LANGUAGES else "zh_CN"


SIGNED_IN_AT = "signed_in_at"


@login_manager.user_loader
def _load_user(session_id: str):
    """The session's actor, or None (signed out) when the account was disabled, its sessions were ended
    (sign-out, password change, an administrator) or the session is older than the longest allowed."""
    try:
        user_id, generation = (int(part) for part in session_id.split(":"))
    except ValueError:
        return None
    if time.time() - session.get(SIGNED_IN_AT, 0) > current_app.config["GUARDLOOP_SESSION_MAX_SECONDS"]:
        return None
    actor = signed_in(gl(), user_id, generation)
    return SignedIn(actor) if actor is not None else None


def init_app(app):
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)

    @app.before_request
    def _keep_session_alive():
        session.permanent = True  # expires after PERMANENT_SESSION_LIFETIME without activity
        g.lang = select_locale()
        i18n.LANG.set(g.lang)

    app.before_request(refuse_control_characters)
    app.before_request(require_password_change)
    app.after_request(security_headers)

    i18n.install_template_gettext(app.jinja_env)
    app.jinja_env.globals.update(i18n.template_globals())
    app.jinja_env.filters.update(i18n.template_filters())


def casework_only():
    """``before_request`` guard for case work: administrators manage accounts and leaders read the
    cockpit; neither works on cases (the engine refuses them too)."""
    if current_user.is_authenticated and not works_on_cases(current_user.actor):
        abort(403)


def refuse_control_characters():
    """400 for a NUL byte anywhere in the path, the query or a form field: no database column or document
    takes one (PostgreSQL refuses it with an error), so nothing downstream has to."""
    values = [request.path, *request.args.keys(), *request.args.values()]
    if request.method == "POST" and request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        values += [*request.form.keys(), *request.form.values()]
    if any(isinstance(value, str) and "\x00" in value for value in values):
        abort(400)  # (a malformed multipart part may parse to a field without a name: not a string)


# what a person whose password must be changed may still do
PASSWORD_CHANGE_ENDPOINTS = ("auth.change_password", "auth.logout", "main.language", "static")


def require_password_change():
    if (current_user.is_authenticated and current_user.actor.must_change_password
            and request.endpoint not in PASSWORD_CHANGE_ENDPOINTS):
        return redirect(url_for("auth.change_password"))
    return None


# No inline script or style anywhere: the pages load only their own stylesheet (and no script at all).
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def security_headers(response):
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    if response.mimetype == "text/html":
        headers.setdefault("Content-Security-Policy", CSP)
    else:  # a PDF or a spreadsheet: Chromium's PDF viewer needs its own scripts, but nobody may frame it
        headers.setdefault("Content-Security-Policy", "frame-ancestors 'none'")
    return response
