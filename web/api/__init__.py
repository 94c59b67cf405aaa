"""The intake and exchange API (``/api/v1``, issue 18) for the agencies' own systems.

JSON in and out, a bearer token per registered client (``guardloop api-client create``), no session and
no CSRF token; errors are RFC 9457 problem details (``application/problem+json``) with the field named and
the message in Chinese and English. The OpenAPI 3.1 document is generated from the code by flask-smorest
(``/api/v1/openapi.json``), with a Swagger UI served from this server (``/api/v1/docs``)."""
import importlib.util
import logging
from dataclasses import asdict
from pathlib import Path

import flask
from flask import current_app, g, request, send_from_directory
from flask_smorest import Api, Blueprint
from marshmallow import RAISE, ValidationError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BaseConverter

from engine.errors import Conflict, DomainError, InvalidInput, NotConfigured, NotFound, PermissionDenied
from engine.services import api_clients, clue_import
from engine.services.api_clients import InProgress, KeyReused, PossibleDuplicate, Unauthenticated
from web.api import schemas
from web.extensions import csrf

PREFIX = "/api/v1"
PROBLEM_JSON = "application/problem+json"
BEARER = [{"bearerAuth": []}]
log = logging.getLogger(__name__)

# status -> (type slug, English title, Chinese title)
TITLES = {
    400: ("bad-request", "Bad request", "请求无效"),
    401: ("unauthenticated", "Authentication required", "需要有效的访问令牌"),
    403: ("forbidden", "Not allowed", "无权进行此操作"),
    404: ("not-found", "Not found", "不存在"),
    405: ("method-not-allowed", "Method not allowed", "不支持该请求方法"),
    409: ("conflict", "Conflict", "冲突"),
    413: ("too-large", "Request too large", "请求过大"),
    415: ("unsupported-media-type", "Unsupported media type", "不支持的内容类型"),
    422: ("invalid-input", "Invalid input", "输入有误"),
    429: ("too-many-requests", "Too many requests", "请求过于频繁"),
    500: ("server-error", "Server error", "服务器错误"),
    503: ("not-configured", "Not configured", "尚未配置"),
}
GENERIC = {
    400: ("请求无效。", "The request is not valid."), 404: ("不存在。", "Not found."),
    405: ("不支持该请求方法。", "This method is not allowed here."),
    413: ("请求过大。", "The request is too large."),
    415: ("请求体应为 JSON（application/json）。", "The request body must be JSON (application/json)."),
    429: ("请求过于频繁，请稍后再试。", "Too many requests: wait, then try again."),
    500: ("错误已记录，请求未被部分保存，请重试。", "The error was recorded. Nothing was half-saved; try again."),
}


def problem(status: int, detail: str, detail_en: str, *, kind: str | None = None, errors=None, headers=None,
            **extra) -> flask.Response:
    slug, title, title_zh = TITLES.get(status, ("error", "Error", "错误"))
    body = {"type": f"urn:guardloop:problem:{kind or slug}", "title": title, "title_zh": title_zh,
            "status": status, "detail": detail, "detail_en": detail_en, "instance": request.path}
    if errors:
        body["errors"] = errors
    body.update(extra)
    # the call's audit entry names the problem and the fields (``_audit``)
    g.api_detail = {**(g.get("api_detail") or {}), "problem": kind or slug,
                    **({"fields": [e["field"] for e in errors]} if errors else {})}
    response = flask.jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM_JSON
    for name, value in (headers or {}).items():
        response.headers[name] = value
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="guardloop"'
    return response


def pointer(field: str) -> str:
    """``guardians-0-id_number`` (the service's name of a nested field) -> ``/guardians/0/id_number``."""
    if field.startswith("guardians-"):
        return "/" + "/".join(field.split("-", 2))
    return "/" + field


def field_error(field: str, detail: str, detail_en: str) -> dict:
    return {"field": field, "pointer": "" if field in ("Idempotency-Key", "external_ref") else pointer(field),
            "detail": detail, "detail_en": detail_en}


# marshmallow's messages, in Chinese too
def _chinese(message: str) -> str:
    if message.startswith("Missing data for required field"):
        return "此项为必填项。"
    if message.startswith("Must be one of"):
        return "选项无效。"
    if message.startswith(("Longer than maximum length", "Shorter than minimum length", "Length must be")):
        return "长度不符合要求。"
    if message.startswith("Unknown field"):
        return "未知字段。"
    if message.startswith(("Not a valid", "Invalid input type", "Invalid type", "Field may not be null")):
        return "类型无效。"
    return "输入无效。"


def _flatten(messages, path=()):
    if isinstance(messages, dict):
        for key, value in messages.items():
            yield from _flatten(value, (*path, str(key)))
    elif isinstance(messages, (list, tuple)) and messages and all(isinstance(m, str) for m in messages):
        yield path, messages[0]
    elif isinstance(messages, (list, tuple)):
        for value in messages:
            yield from _flatten(value, path)
    else:
        yield path, str(messages)


def validation_problem(messages: dict) -> flask.Response:
    """webargs' 422 (``{location: {field: [message]}}``) as a problem naming each field."""
    errors = []
    for path, message in _flatten(messages):
        location, rest = (path[0], path[1:]) if path else ("json", ())
        if location != "json":   # a header or a query parameter: no pointer into the body
            name = rest[0] if rest else location
            errors.append({"field": name, "pointer": "", "detail": _chinese(message), "detail_en": message})
        else:
            name = "-".join(rest) if rest else "body"
            errors.append({"field": name, "pointer": "/" + "/".join(rest), "detail": _chinese(message),
                           "detail_en": message})
    first = errors[0] if errors else {"detail": "输入无效。", "detail_en": "Invalid input."}
    return problem(422, first["detail"], first["detail_en"], errors=errors)


def domain_problem(exc: DomainError) -> flask.Response:
    if isinstance(exc, Unauthenticated):
        return problem(401, exc.message, exc.message_en)
    if isinstance(exc, KeyReused):
        return problem(422, exc.message, exc.message_en, kind="idempotency-key-reused",
                       errors=[field_error(exc.field, exc.message, exc.message_en)])
    if isinstance(exc, InvalidInput):
        return problem(422, exc.message, exc.message_en, errors=[field_error(exc.field, exc.message, exc.message_en)])
    if isinstance(exc, PossibleDuplicate):
        return problem(409, exc.message, exc.message_en, kind="possible-duplicate", cases=exc.own_cases)
    if isinstance(exc, InProgress):
        return problem(409, exc.message, exc.message_en, kind="in-progress", headers={"Retry-After": "1"})
    if isinstance(exc, Conflict):
        return problem(409, exc.message, exc.message_en)
    if isinstance(exc, PermissionDenied):
        return problem(403, exc.message, exc.message_en)
    if isinstance(exc, NotFound):
        return problem(404, exc.message, exc.message_en)
    if isinstance(exc, NotConfigured):
        return problem(503, exc.message, exc.message_en)
    return problem(400, exc.message, exc.message_en)


def http_problem(exc: HTTPException) -> flask.Response:
    status = exc.code or 500
    data = getattr(exc, "data", None) or {}
    if status == 422 and data.get("messages"):
        return validation_problem(data["messages"])
    if status == 400 and data.get("messages"):   # malformed JSON, as webargs reports it
        return problem(400, "请求体不是有效的 JSON。", "The request body is not valid JSON.", kind="malformed-json")
    detail, detail_en = GENERIC.get(status, ("请求未能处理。", exc.description or "The request could not be handled."))
    headers = {name: exc.get_response().headers[name] for name in ("Allow", "Retry-After")
               if name in exc.get_response().headers}
    return problem(status, detail, detail_en, headers=headers)


def install_problem_handlers(bp) -> None:
    bp.register_error_handler(DomainError, domain_problem)
    bp.register_error_handler(HTTPException, http_problem)
    bp.register_error_handler(ValidationError, lambda exc: validation_problem({"json": exc.messages}))

    @bp.errorhandler(Exception)
    def _unexpected(exc):
        current_app.logger.exception("unhandled error on %s", request.path)
        return problem(500, *GENERIC[500])


def _is_api(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/")


def sessionless(interface_class):
    """The app's session interface, except under ``/api/v1``: there a request starts with an empty session
    (a session cookie sent along is not read) and nothing is written back (no cookie is set)."""

    class Sessionless(interface_class):
        def open_session(self, app, request):
            if _is_api(request.path):
                return self.session_class()
            return super().open_session(app, request)

        def save_session(self, app, session, response):
            if _is_api(request.path):
                return None
            return super().save_session(app, session, response)

    return Sessionless


# --- the API ----------------------------------------------------------------------------------------------

blp = Blueprint("api", __name__, url_prefix=PREFIX, description="风险线索接入与反馈 Clue intake and status")
install_problem_handlers(blp)


def gl():
    return current_app.extensions["guardloop"]


def _token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


@blp.before_request
def _authenticate():
    g.api_caller = None
    g.api_detail = {}
    g.api_caller = api_clients.authenticate(gl(), _token())


@blp.after_request
def _audit(response):
    try:
        api_clients.record_call(gl(), g.get("api_caller"), method=request.method, path=request.path,
                                status=response.status_code, detail=g.get("api_detail"))
    except Exception:  # noqa: BLE001 — the answer stands; the failure to log is itself logged
        current_app.logger.exception("could not record the API call %s %s", request.method, request.path)
    return response


def no_automatic_options(view):
    """OPTIONS is answered by the catch-all below, whose ``Allow`` names only this route's methods (Flask's
    own would add the catch-all's); flask-smorest's ``route`` does not pass the flag on, the view carries it."""
    view.provide_automatic_options = False
    return view


def _operation(path: str, method: str, summary: str, description: str):
    """An operation of the API: its route (OPTIONS answered by the catch-all), bearer-token security and what
    the document says of it."""
    def decorate(view):
        view = blp.doc(security=BEARER, summary=summary, description=description)(view)
        return blp.route(path, methods=[method])(no_automatic_options(view))
    return decorate


PROBLEM = {"schema": schemas.Problem, "content_type": PROBLEM_JSON}


def _errors(*statuses):
    """The problems an operation answers with; every one may answer 429 (``web.rate_limits``)."""
    def decorate(view):
        for status in (*statuses, 429):
            view = blp.alt_response(status, **PROBLEM, description=TITLES[status][1])(view)
        return view
    return decorate


@_operation("/clues", "POST", "登记风险线索 Register a risk clue", (
    "The same validation as the registration form. A mandatory report is routed to the police at once. "
    "A possible duplicate (the same ID number, or the same name and birth date, in a case of the district) "
    "answers 409 `possible-duplicate` until sent again with `confirm_duplicate: true`. "
    "A request retried with the same `Idempotency-Key` and body returns the first request's clue "
    "(header `Idempotent-Replayed: true`) and creates nothing; the same key with another body is 422."))
@blp.arguments(schemas.IdempotencyHeader, location="headers", as_kwargs=True)
@blp.arguments(schemas.ClueIn, example=schemas.CLUE_EXAMPLE)
@blp.response(201, schemas.ClueReceipt, headers={"Location": {"schema": {"type": "string"}}})
@_errors(400, 401, 403, 409, 415, 422)
def create_clue(data, key):
    caller = g.api_caller
    body = request.get_json(silent=True)
    confirm = data.pop("confirm_duplicate", False)
    submission = api_clients.submit_clue(gl(), caller, key, data, body_hash=api_clients.request_hash(body),
                                         confirm_duplicate=confirm)
    g.api_detail = {"clue_id": submission.clue_id, "replayed": submission.replayed}
    headers = {"Location": f"{PREFIX}/clues/{submission.clue_id}"}
    if submission.replayed:
        headers["Idempotent-Replayed"] = "true"
    return asdict(api_clients.receipt(gl(), caller, submission.clue_id)), 201, headers


@_operation("/clues:import", "POST", "批量导入风险线索 Import clues from an XLSX sheet", (
    "Scope `clues:write`. The sheet of the import template (`/clues/import/template.xlsx` on the web UI), as "
    "`multipart/form-data` field `file`. Each row is registered as `POST /clues` registers a clue; a row that "
    "may be a known child is held back (`duplicate`) unless its `confirm_duplicate` column says 是; a bad row "
    "(`error`, with the column and message) does not stop the others. The same file sent again registers "
    "nothing twice (`already_imported`, with the clue of the first upload). A file that is not a sheet of the "
    "template, or has more than 500 rows, is refused whole (422, field `file`)."))
@blp.arguments(schemas.ImportIn, location="files")
@blp.response(200, schemas.ImportOut)
@_errors(400, 401, 403, 413, 422)
def import_clues(files):
    api_clients.require_scope(g.api_caller, "clues:write")
    upload = files["file"]
    content = upload.read(clue_import.MAX_BYTES + 1)
    import_id = clue_import.import_clues(gl(), g.api_caller.actor, upload.filename or "upload.xlsx", content)
    result = clue_import.get_import(gl(), g.api_caller.actor, import_id)
    g.api_detail = {"import_id": import_id, "created": result.created}
    return {"id": result.id, "rows": result.rows, "created": result.created, "report": result.report}


@_operation("/clues/<api_id:clue_id>", "GET", "线索状态 The status of a clue this system sent", (
    "Only for the client that sent the clue (any other gets 404): received or opened as a case, the police's "
    "acknowledgement of and response to a mandatory report; nothing of the child beyond the masked name."))
@blp.response(200, schemas.ClueStatusOut)
@_errors(400, 401, 403, 404)
def clue_status(clue_id):
    g.api_detail = {"clue_id": clue_id}
    return api_clients.clue_status(gl(), g.api_caller, clue_id)


@_operation("/orders", "GET", "已发文书 Documents issued on the cases the client's agency takes part in", (
    "For the procuratorate's and courts' systems (scope `orders:read`): the numbered documents issued on the "
    "cases of the client's district in which its agency takes part, with delivery, the issuer's supervision "
    "and the last compliance check, the case number and the 案号 it is linked to. Filter by `case_no` or "
    "`linked_case_no`; continue with `after=next_after`."))
@blp.arguments(schemas.OrdersQuery, location="query", as_kwargs=True, unknown=RAISE)   # as the document says
@blp.response(200, schemas.OrdersOut)
@_errors(400, 401, 403, 422)
def list_orders(**query):
    page, next_after = api_clients.orders(gl(), g.api_caller, **query)
    g.api_detail = {"orders": len(page)}
    return {"orders": page, "next_after": next_after}


@_operation("/cases/<string:case_no>/external-refs", "GET", "个案的各单位案号 The 案号 of a case in the agencies' own systems", (
    "Scope `cases:link`. A case of the client's district in which its agency takes part (any other is 404), "
    "with the case numbers each agency (procuratorate, court, police) gave it in its own system."))
@blp.response(200, schemas.ExternalRefsOut)
@_errors(400, 401, 403, 404)
def get_external_refs(case_no):
    g.api_detail = {"case_no": case_no[:40]}
    return api_clients.external_refs(gl(), g.api_caller, case_no)


@_operation("/cases/<string:case_no>/external-refs", "PUT", "登记本机构案号 Record the client agency's 案号 on a case", (
    "Scope `cases:link`, for the procuratorate's, court's and police's systems. Replaces the case numbers "
    "the client's agency recorded on the case (an empty list removes them); other agencies' stay. "
    "Sending the same list again changes nothing. The case numbers are checked as the case page checks them: "
    "4 to 60 characters (Chinese, letters, digits, 〔〕()[]【】-_./·) with a digit, at most 5."))
@blp.arguments(schemas.ExternalRefsIn, example={"refs": ["渝北检未立〔2026〕12号"]})
@blp.response(200, schemas.ExternalRefsOut)
@_errors(400, 401, 403, 404, 409, 415, 422)
def put_external_refs(data, case_no):
    g.api_detail = {"case_no": case_no[:40]}
    return api_clients.set_external_refs(gl(), g.api_caller, case_no, data["refs"])


@_operation("/cases", "GET", "按案号查找个案 Find cases by an agency's 案号", (
    "Scope `cases:link`. The cases of the client's district in which its agency takes part that carry the "
    "case number `external_ref` (recorded by any agency), with all their case numbers; nothing of the child."))
@blp.arguments(schemas.CasesQuery, location="query", as_kwargs=True, unknown=RAISE)
@blp.response(200, schemas.CasesOut)
@_errors(400, 401, 403, 422)
def find_cases(external_ref):
    cases = api_clients.find_cases(gl(), g.api_caller, external_ref)
    g.api_detail = {"cases": len(cases)}
    return {"cases": cases}


# --- the document, its browsable page, and everything else under the prefix --------------------------------

meta = flask.Blueprint("api_meta", __name__, url_prefix=PREFIX, template_folder="templates",
                       static_folder="static", static_url_path="/docs/assets")
install_problem_handlers(meta)


@meta.route("/openapi.json", provide_automatic_options=False)
def openapi():
    return flask.jsonify(current_app.extensions["guardloop_api"].spec.to_dict())


@meta.route("/docs", provide_automatic_options=False)
def docs():
    response = flask.make_response(flask.render_template("api_docs.html"))
    # Swagger UI sets inline styles on its elements; it runs no inline script
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
    return response


@meta.route("/docs/swagger-ui/<path:filename>", provide_automatic_options=False)
def swagger_ui(filename):
    return send_from_directory(SWAGGER_UI, filename)


# Swagger UI 5 (it reads OpenAPI 3.1; swagger-ui-bundle's 4.15 does not), shipped in the swagger-ui-py wheel
SWAGGER_UI = str(Path(importlib.util.find_spec("swagger_ui").origin).parent / "static")


CATCH_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


# OPTIONS is answered here for every API route (theirs are switched off), so ``Allow`` lists only their methods
@meta.route("/", defaults={"rest": ""}, methods=[*CATCH_METHODS, "OPTIONS"], provide_automatic_options=False)
@meta.route("/<path:rest>", methods=[*CATCH_METHODS, "OPTIONS"], provide_automatic_options=False)
def unknown(rest):
    allowed = _methods_of(request.path)
    if allowed and request.method == "OPTIONS":
        response = flask.make_response("", 204)
        response.headers["Allow"] = ", ".join(sorted(allowed | {"OPTIONS"}))
        return response
    if allowed:   # the route exists, not with this method
        return problem(405, *GENERIC[405], headers={"Allow": ", ".join(sorted(allowed))})
    return problem(404, "没有这个接口。", "There is no such API endpoint.")


def _methods_of(path: str) -> set:
    """The methods another route of the URL map takes at ``path`` (this catch-all aside)."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    allowed = set()
    for method in CATCH_METHODS:
        try:
            endpoint, _ = adapter.match(path, method=method)
        except HTTPException:
            continue
        if endpoint != "api_meta.unknown":
            allowed.update(("GET", "HEAD") if method == "GET" else (method,))
    return allowed


class ApiId(BaseConverter):
    """An id in a path: digits; one beyond a database integer is 0, which no row has (a 404 problem, where the
    ``int`` converter would refuse the route and answer the web UI's HTML 404)."""
    regex = r"[0-9]{1,30}"

    def to_python(self, value):
        number = int(value)
        return number if number <= MAX_ID else 0

    def to_url(self, value):
        return str(int(value))


MAX_ID = 2**31 - 1


class GuardLoopApi(Api):
    """flask-smorest without its application-wide error handler: the web pages keep their own error
    pages; the API's blueprints answer problem details."""

    DEFAULT_ERROR_RESPONSE_NAME = None

    def _register_error_handlers(self):
        pass


def init_app(app) -> None:
    app.config.setdefault("API_TITLE", "GuardLoop 监护闭环 API")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    app.url_map.converters["api_id"] = ApiId
    api = GuardLoopApi(app, spec_kwargs={"info": {"description": (
        "风险线索接入与状态反馈。每个外部系统由管理员登记为接口客户端（机构、区县、权限范围），以 Bearer 令牌访问。"
        "\n\nClue intake and status for the agencies' own systems. Each system is an API client registered by "
        "the administrator (agency, district, scopes) and calls with its bearer token. Errors are RFC 9457 "
        "problem details with the Chinese message in `detail` and the English one in `detail_en`.")}})
    api.register_converter(ApiId, lambda converter: {"type": "integer", "minimum": 1, "maximum": MAX_ID,
                                                     "examples": [1]})
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    api.register_blueprint(blp)
    for name in ("Error", "PaginationMetadata"):   # flask-smorest's own, which this API does not answer with
        api.spec.components.schemas.pop(name, None)
    app.register_blueprint(meta)
    csrf.exempt(blp)
    csrf.exempt(meta)
    app.extensions["guardloop_api"] = api
    app.session_interface = sessionless(type(app.session_interface))()
    app.json.ensure_ascii = False   # Chinese as UTF-8 text in JSON, not \u escapes (the API is the app's only JSON)
