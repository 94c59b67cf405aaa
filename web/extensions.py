"""Flask extensions, attached with ``init_app`` (nothing is built at import time)."""
from flask import current_app, g, request, session
from flask_babel import Babel
from flask_login import LoginManager, current_user
from flask_wtf import CSRFProtect

from engine.actor import load_actor
from engine.errors import PermissionDenied

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
        return str(self.actor.id)

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


@login_manager.user_loader
def _load_user(user_id: str):
    try:
        with gl().reading() as db:
            return SignedIn(load_actor(db, int(user_id)))
    except (PermissionDenied, ValueError):
        return None


def init_app(app):
    from . import i18n

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

    i18n.install_template_gettext(app.jinja_env)
    app.jinja_env.globals.update(i18n.template_globals())
    app.jinja_env.filters.update(i18n.template_filters())


def casework_only():
    """``before_request`` guard for case work: administrators manage accounts and leaders read the
    cockpit; neither works on cases (the engine refuses them too)."""
    from flask import abort
    from engine.permissions import works_on_cases
    if current_user.is_authenticated and not works_on_cases(current_user.actor):
        abort(403)
