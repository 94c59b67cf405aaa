"""GuardLoop web application: caseworkers advance cases, prosecutors and judges issue orders,
supervisors approve. Every state change goes through ``engine.services``."""
import os
import secrets
from datetime import timedelta
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from engine.context import GuardLoop
from engine.infra.settings import ROOT, Settings
from web import (
    admin,
    api,
    approvals,
    audits,
    auth,
    cases,
    casework,
    clue_import,
    clues,
    cockpit,
    documents,
    errors,
    extensions,
    external_refs,
    main,
    offices,
    overdue,
    parent_school,
    rate_limits,
    records,
    services,
    tasks,
)


class DatabaseInteger(IntegerConverter):
    """``<int:…>`` in every route: only ids a database integer column can hold (PostgreSQL's int4); a
    larger number is a plain 404, never an error from the database."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def _secret_key(instance: Path) -> str:
    if os.environ.get("GUARDLOOP_SECRET_KEY"):
        return os.environ["GUARDLOOP_SECRET_KEY"]
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=str(ROOT / "instance"))
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=os.environ.get("GUARDLOOP_SECURE_COOKIES", "0") == "1",
        REMEMBER_COOKIE_HTTPONLY=True,
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=int(os.environ.get("GUARDLOOP_SESSION_MINUTES", "30"))),
        # however active, a session ends this long after signing in
        GUARDLOOP_SESSION_MAX_SECONDS=3600 * int(os.environ.get("GUARDLOOP_SESSION_MAX_HOURS", "12")),
        BABEL_DEFAULT_LOCALE="zh_CN",
        BABEL_DEFAULT_TIMEZONE="Asia/Shanghai",
        BABEL_TRANSLATION_DIRECTORIES=str(Path(__file__).parent / "translations"),
        WTF_CSRF_TIME_LIMIT=None,
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
    )
    app.config.update(config or {})
    app.url_map.converters["int"] = DatabaseInteger
    proxies = int(os.environ.get("GUARDLOOP_TRUSTED_PROXIES", "0"))
    if proxies:  # behind a reverse proxy: the client's address (rate limits, logs) from X-Forwarded-For
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(Path(app.instance_path))
    settings = app.config.get("GUARDLOOP_SETTINGS") or Settings.from_env()
    app.extensions["guardloop"] = app.config.get("GUARDLOOP") or GuardLoop(settings)

    extensions.init_app(app)
    errors.init_app(app)
    for module in (auth, main, clues, casework, cases, tasks, records, approvals, overdue, audits, documents, admin,
                   offices, cockpit, parent_school, services):
        app.register_blueprint(module.bp)
    api.init_app(app)   # /api/v1: the intake and exchange API (issue 18)
    app.register_blueprint(external_refs.bp)
    app.register_blueprint(clue_import.bp)
    rate_limits.init_app(app, app.extensions["guardloop"])   # after every view it limits is registered
    return app
