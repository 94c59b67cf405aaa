"""Rate limits on signing in, on public verification and on the API (per client token) (Flask-Limiter), with their counters in the
application's own database, so every gunicorn worker and every host counts together without Redis (the
storage: ``engine.infra.rate_limit_storage``)."""
import hashlib

from flask import request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from engine.infra.rate_limit_storage import SCHEME

# the API (``/api/v1``, blueprint ``api``): reads and writes counted apart, each across every endpoint
API_BLUEPRINT = "api"
API_READS = ["GET", "HEAD"]
API_WRITES = ["POST", "PUT", "PATCH", "DELETE"]

# endpoint -> (the setting with its limit, the methods it counts)
LIMITED = {"auth.login": ("login_rate_limit", ["POST"]), "documents.verify": ("verify_rate_limit", None),
           "auth.reset_password": ("login_rate_limit", ["POST"]),
           # the public QR pages of parent schools: a sign-in sheet, a survey form
           "parent_school.signin": ("verify_rate_limit", ["POST"]), "parent_school.survey": ("verify_rate_limit", ["POST"])}


def init_app(app, gl) -> Limiter:
    """A limiter for this app (each app its own: tests build several), its counters in the database unless
    ``rate_limit_storage`` names another ``limits`` storage URI; the limited views wrapped. Call it after
    the blueprints are registered. ``RATELIMIT_ENABLED`` False turns the limits off (most tests)."""
    storage = gl.settings.rate_limit_storage
    options = {"engine": gl.engine} if storage == "database" else {}
    limiter = Limiter(get_remote_address, app=app, storage_uri=f"{SCHEME}://" if storage == "database" else storage,
                      storage_options=options, headers_enabled=True, default_limits=[])
    for endpoint, (setting, methods) in LIMITED.items():
        if endpoint in app.view_functions:
            rule = getattr(gl.settings, setting)
            app.view_functions[endpoint] = limiter.limit(rule, methods=methods)(app.view_functions[endpoint])
    _limit_api(app, gl, limiter)
    app.extensions["guardloop_limiter"] = limiter
    return limiter


def api_key() -> str:
    """An API call counts against its bearer token (a digest of it: the token itself is never stored), a call
    without one against its address."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return "token:" + hashlib.sha256(token.strip().encode()).hexdigest()[:32]
    return "addr:" + (get_remote_address() or "")


def _limit_api(app, gl, limiter) -> None:
    """Every operation of the API shares one read and one write limit per client (``api_read_rate_limit``,
    ``api_write_rate_limit``). A call over it answers 429, a problem with ``Retry-After`` (``web.api``)."""
    reads = limiter.shared_limit(gl.settings.api_read_rate_limit, scope="api-read", key_func=api_key,
                                 methods=API_READS)
    writes = limiter.shared_limit(gl.settings.api_write_rate_limit, scope="api-write", key_func=api_key,
                                  methods=API_WRITES)
    for endpoint, view in list(app.view_functions.items()):
        if endpoint.startswith(API_BLUEPRINT + "."):
            app.view_functions[endpoint] = writes(reads(view))
