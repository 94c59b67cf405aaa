"""API clients (issue 18): the agencies' own systems (the 12345 hotline, school platforms, hospitals'
mandatory-report channels, the police's and the courts' case systems) send risk clues and follow them.

An administrator registers a client, bound to an agency and a district, with scopes. The client acts
through an account of its own (role ``api_client``, no password: nobody signs in with it), so every clue it
registers and every call it makes is an audit entry under its identity, like a person's. Its bearer token
is shown once; only its SHA-256 is stored. Rotation replaces the token at once; revocation ends the client.

Clue intake reuses ``register_clue`` (the form's validation, numbering and mandatory-report routing) and
the form's duplicate rule (``check_duplicates``: a possible match must be confirmed). An
``Idempotency-Key`` makes a retried request return the first result: the key is claimed with the hash of
the body before the clue is registered, and the clue's one-time form token is derived from the key, so
however many copies of one request race, exactly one clue exists."""
import base64
import hashlib
import json
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select, update

from engine.actor import Actor
from engine.auditlog import record as audit
from engine.context import GuardLoop
from engine.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from engine.models import (
    Agency,
    ApiClient,
    ApiIdempotencyKey,
    ApiWebhookDelivery as D,
    Case,
    ComplianceCheck,
    District,
    DocumentRecord,
    OrderSupervision,
    RiskClue,
    User,
)
from engine.reads.access import visible_cases
from engine.reads.clue_outcomes import sender_view
from engine.reads.external_refs import refs_by_agency
from engine.reference import AGENCIES
from engine.rules import validate as v
from engine.rules.permissions import API_CLIENTS_ADMIN_ONLY, may_manage_api_clients, require, require_client_scope
from engine.services import clues, external_refs as case_numbers
from engine.services.webhooks import check_url
from engine.workflow.clock import clock

API_ROLE = "api_client"
SCOPES = {
    "clues:write": ("登记风险线索", "Register risk clues"),
    "clues:read": ("查询本系统所报线索的状态", "Read the status of the clues this system sent"),
    "orders:read": ("查询本机构参与个案的已发文书及送达、履行情况",
                    "Read the documents issued on the cases its agency takes part in, with delivery and compliance"),
    "cases:link": ("登记本机构案号并按案号查找个案（检察院、法院、公安）",
                   "Record its agency's case numbers (案号) on cases and find cases by them (procuratorate, court, police)"),
}
TOKEN_PREFIX = "glk_"
NO_PASSWORD = "!api-client"      # not a scrypt hash: no password ever matches it
KEY_MAX = 255
IN_PROGRESS_WAIT = 5.0           # seconds a retry waits for the same request still running elsewhere
STALE_AFTER = timedelta(minutes=2)   # a claim older than this, without a clue, was left by a process that died
USED_EVERY = timedelta(minutes=1)    # ``last_used_at`` is written at most this often per client


class Unauthenticated(PermissionDenied):
    """No token, or a token that is unknown, rotated or revoked (the web answers 401)."""


class KeyReused(InvalidInput):
    """The same ``Idempotency-Key`` with another body (the web answers 422)."""


class InProgress(Conflict):
    """The same request is still being processed elsewhere: retry shortly (409)."""


class PossibleDuplicate(Conflict):
    """The child may be known already (the form's duplicate rule): send again with the match confirmed."""

    def __init__(self, own_cases: list):
        super().__init__("可能已有该儿童的记录。确认不是重复后，请以 confirm_duplicate=true 再次提交。"
                         + ("" if own_cases else "已通知负责机构。"),
                         "A matching record may exist. If it is not the same child, send again with "
                         "confirm_duplicate=true." + ("" if own_cases else " The agency responsible has been notified."))
        self.own_cases = own_cases


@dataclass(frozen=True)
class Caller:
    """An authenticated API client: its id, name and scopes, and the actor it acts as."""
    client_id: int
    name: str
    scopes: tuple
    actor: Actor


@dataclass(frozen=True)
class ClientRow:
    id: int
    name: str
    agency: str
    district: str
    scopes: list
    created_at: object
    rotated_at: object
    revoked_at: object
    last_used_at: object
    webhook_url: str | None = None
    deliveries_due: int = 0        # webhook events waiting for a (first or further) attempt
    deliveries_failed: int = 0     # given up after the last attempt
    last_error: str | None = None  # of the latest failed attempt


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def _require_admin(actor: Actor | None) -> None:
    require(may_manage_api_clients(actor), API_CLIENTS_ADMIN_ONLY)


def _scopes(values) -> list:
    values = [values] if isinstance(values, str) else list(values or [])
    scopes = v.choices({"scopes": values}, "scopes", SCOPES, at_least=1)
    return sorted(scopes)


def create_client(gl: GuardLoop, actor: Actor | None, *, name: str, agency: str, district: str,
                  scopes) -> tuple[int, str]:
    """Register a client and its account; returns its id and its token (shown once, never stored)."""
    registered = register_client(gl, actor, name=name, agency=agency, district=district, scopes=scopes)
    return registered.id, registered.token


@dataclass(frozen=True)
class Registered:
    id: int
    token: str                  # shown once, never stored
    webhook_key: str | None     # the webhook's signing key, shown once


def register_client(gl: GuardLoop, actor: Actor | None, *, name: str, agency: str, district: str, scopes,
                    webhook_url: str | None = None) -> Registered:
    """Register a client and its account, with its webhook if a URL is given, in one unit of work."""
    _require_admin(actor)
    data = {"name": name, "agency": agency, "district": district}
    name = v.text(data, "name", max_len=60)
    if not all(ch.isascii() and (ch.isalnum() or ch in "-_.") for ch in name):
        raise InvalidInput("name", "名称只能由字母、数字和 - _ . 组成。", "A name has letters, digits and - _ . only.")
    agency_code = v.choice(data, "agency", AGENCIES)
    scopes = _scopes(scopes)
    webhook_url = check_url(webhook_url, field="webhook_url") if (webhook_url or "").strip() else None
    webhook_key = secrets.token_hex(32) if webhook_url else None
    token = _new_token()
    with gl.transaction() as session:
        if session.scalars(select(ApiClient.id).where(ApiClient.name == name)).first() is not None:
            raise InvalidInput("name", "该名称已被使用。", "This name is taken.")
        district_row = session.scalars(select(District).where(District.code == v.text(data, "district", max_len=20))).first()
        if district_row is None:
            raise InvalidInput("district", "区县不存在。", "No such district.")
        agency_row = session.scalars(select(Agency).where(Agency.code == agency_code)).one()
        username = f"api.{name}".lower()
        if session.scalars(select(User.id).where(User.username == username)).first() is not None:
            raise InvalidInput("name", "已有同名账号。", f"An account named {username} exists.")
        user = User(username=username, display_name=f"接口·{name}"[:80], password_hash=NO_PASSWORD, role=API_ROLE,
                    agency_id=agency_row.id, district_id=district_row.id, created_at=clock.now())
        session.add(user)
        session.flush()
        client = ApiClient(name=name, user_id=user.id, scopes=scopes, token_hash=_digest(token),
                           created_at=clock.now(), created_by=actor.id if actor else None,
                           webhook_url=webhook_url, webhook_secret=webhook_key)
        session.add(client)
        session.flush()
        audit.record(session, actor, "create_api_client", "api_client", client.id, None, None,
                     {"name": name, "user_id": user.id, "agency": agency_code, "district": district_row.code,
                      "scopes": scopes, **({"webhook_url": webhook_url} if webhook_url else {})})
        return Registered(client.id, token, webhook_key)


def _client(session, name: str, *, lock: bool = False) -> ApiClient:
    statement = select(ApiClient).where(ApiClient.name == str(name or ""))
    client = session.scalars(statement.with_for_update() if lock else statement).first()
    if client is None:
        raise NotFound("接口客户端不存在。", "No such API client.")
    return client


def rotate_token(gl: GuardLoop, actor: Actor | None, name: str) -> str:
    """A new token for the client; the old one stops working at once. Returns the new token."""
    _require_admin(actor)
    token = _new_token()
    with gl.transaction() as session:
        client = _client(session, name, lock=True)
        if client.revoked_at is not None:
            raise InvalidInput("name", "该客户端已被吊销。", "This client was revoked.")
        client.token_hash, client.rotated_at = _digest(token), clock.now()
        audit.record(session, actor, "rotate_api_token", "api_client", client.id, None, None, {"name": client.name})
    return token


def revoke_client(gl: GuardLoop, actor: Actor | None, name: str) -> None:
    """End the client: its token stops working and its account is disabled. Its clues stay."""
    _require_admin(actor)
    with gl.transaction() as session:
        client = _client(session, name, lock=True)
        if client.revoked_at is not None:
            return
        client.revoked_at = clock.now()
        client.token_hash = _digest(_new_token())   # the old token matches nothing any more
        user = session.get(User, client.user_id)
        user.active = False
        user.session_generation = (user.session_generation or 0) + 1
        audit.record(session, actor, "revoke_api_client", "api_client", client.id, None, None, {"name": client.name})


def set_scopes(gl: GuardLoop, actor: Actor | None, name: str, scopes) -> list:
    _require_admin(actor)
    scopes = _scopes(scopes)
    with gl.transaction() as session:
        client = _client(session, name, lock=True)
        if client.revoked_at is not None:
            raise InvalidInput("scopes", "该客户端已被吊销。", "This client was revoked.")
        before = list(client.scopes)
        client.scopes = scopes
        audit.record(session, actor, "set_api_scopes", "api_client", client.id, None, {"scopes": before},
                     {"scopes": scopes})
    return scopes


def list_clients(gl: GuardLoop, actor: Actor | None) -> list[ClientRow]:
    """Every client with its agency, district, scopes, state, webhook and its deliveries' state."""
    _require_admin(actor)
    with gl.reading() as session:
        rows = session.execute(select(ApiClient, User).join(User, User.id == ApiClient.user_id)
                               .order_by(ApiClient.name)).all()
        counts = dict(((client_id, state), n) for client_id, state, n in session.execute(
            select(D.client_id, D.next_attempt_at.is_(None), func.count(D.id))
            .where(D.delivered_at.is_(None)).group_by(D.client_id, D.next_attempt_at.is_(None))))
        errors = {}
        for client_id, error in session.execute(select(D.client_id, D.last_error)
                                                .where(D.last_error.is_not(None)).order_by(D.id)):
            errors[client_id] = error    # the latest, by id
        return [ClientRow(c.id, c.name, u.agency.code, u.district.code, list(c.scopes), c.created_at, c.rotated_at,
                          c.revoked_at, c.last_used_at, c.webhook_url, counts.get((c.id, False), 0),
                          counts.get((c.id, True), 0), errors.get(c.id)) for c, u in rows]


def get_client(gl: GuardLoop, actor: Actor, name: str) -> ClientRow:
    """One client as ``list_clients`` shows it (``NotFound`` for an unknown name)."""
    for row in list_clients(gl, actor):
        if row.name == name:
            return row
    raise NotFound("接口客户端不存在。", "No such API client.")


# --- calls ---------------------------------------------------------------------------------------------

def authenticate(gl: GuardLoop, token: str | None) -> Caller:
    """The client whose bearer token this is, or ``Unauthenticated``."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        raise Unauthenticated("缺少或无效的访问令牌。", "A valid bearer token is required.")
    with gl.reading() as session:
        row = session.execute(select(ApiClient, User).join(User, User.id == ApiClient.user_id)
                              .where(ApiClient.token_hash == _digest(token))).first()
        if row is None or row[0].revoked_at is not None or not row[1].active:
            raise Unauthenticated("缺少或无效的访问令牌。", "A valid bearer token is required.")
        client, user = row
        return Caller(client.id, client.name, tuple(client.scopes), Actor.of(user))


def require_scope(caller: Caller, scope: str) -> None:
    require_client_scope(caller.scopes, scope)


def record_call(gl: GuardLoop, caller: Caller | None, *, method: str, path: str, status: int,
                detail: dict | None = None) -> None:
    """Every call is an audit entry with the client's identity (reads are access entries, staged)."""
    action = "view_api_call" if method in ("GET", "HEAD") else "api_call"
    after = {"client": caller.name if caller else None, "method": method, "path": path[:200], "status": status,
             **(detail or {})}
    now = clock.now()
    with gl.transaction() as session:
        audit.record(session, caller.actor if caller else None, action, "api_client",
                     caller.client_id if caller else None, None, None, after)
        if caller is not None:
            session.execute(update(ApiClient).where(
                ApiClient.id == caller.client_id,
                ApiClient.last_used_at.is_(None) | (ApiClient.last_used_at < now - USED_EVERY))
                .values(last_used_at=now))


def request_hash(body) -> str:
    """The hash of a request body in one canonical form (key order and spacing do not count)."""
    text = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def idempotency_key(value) -> str:
    key = "" if value is None else str(value)
    if not key:
        raise InvalidInput("Idempotency-Key", "缺少 Idempotency-Key 请求头。", "The Idempotency-Key header is required.")
    if len(key) > KEY_MAX or not all(" " < ch < "\x7f" for ch in key):
        raise InvalidInput("Idempotency-Key", f"Idempotency-Key 应为 1 至 {KEY_MAX} 个可见 ASCII 字符。",
                           f"The Idempotency-Key has 1 to {KEY_MAX} visible ASCII characters.")
    return key


def _form_token(client_id: int, key: str) -> str:
    """The clue's one-time form token for this client's key: 43 URL-safe characters (``clues.FORM_TOKEN``)."""
    digest = hashlib.sha256(f"{client_id}:{key}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


@dataclass(frozen=True)
class Submission:
    clue_id: int
    replayed: bool     # the key was seen before: this is the first request's clue


def submit_clue(gl: GuardLoop, caller: Caller, key: str, data: dict, *, body_hash: str,
                confirm_duplicate: bool = False) -> Submission:
    """Register a clue from a client's system, once per ``Idempotency-Key``."""
    require_scope(caller, "clues:write")
    key = idempotency_key(key)
    known = _claim(gl, caller, key, body_hash)
    if known is not None:
        return Submission(known, True)
    try:
        if not confirm_duplicate:
            check = clues.check_duplicates(gl, caller.actor, id_number=data.get("child_id_number") or None,
                                           name=data.get("child_name") or None,
                                           birth_date=data.get("child_birth_date") or None)
            if check.matched:
                raise PossibleDuplicate(check.own_cases)
        clue_id = clues.register_clue(gl, caller.actor, data, form_token=_form_token(caller.client_id, key))
    except BaseException:
        _release(gl, caller, key)   # nothing was registered: the key may be used again
        raise
    with gl.transaction() as session:
        session.execute(update(ApiIdempotencyKey).where(ApiIdempotencyKey.client_id == caller.client_id,
                                                        ApiIdempotencyKey.key == key).values(clue_id=clue_id))
    return Submission(clue_id, False)


def _claim(gl: GuardLoop, caller: Caller, key: str, body_hash: str) -> int | None:
    """Claim the key for this request (None), or the clue an earlier request with it registered. The same
    key with another body is ``KeyReused``; the same request still running elsewhere is waited for, then
    ``InProgress``."""
    deadline = time.monotonic() + IN_PROGRESS_WAIT
    while True:
        try:
            with gl.transaction() as session:
                row = session.scalars(select(ApiIdempotencyKey).where(
                    ApiIdempotencyKey.client_id == caller.client_id, ApiIdempotencyKey.key == key)).first()
                if row is None:
                    session.add(ApiIdempotencyKey(client_id=caller.client_id, key=key, request_hash=body_hash,
                                                  created_at=clock.now()))
                    return None
                if row.request_hash != body_hash:
                    raise KeyReused("Idempotency-Key", "该 Idempotency-Key 已用于另一个请求内容。",
                                    "This Idempotency-Key was used with a different request body.")
                if row.clue_id is not None:
                    return row.clue_id
                if clock.now() - row.created_at > STALE_AFTER:
                    # left by a process that died; the clue's form token still lets only one clue exist
                    row.created_at = clock.now()
                    return None
        except KeyReused:
            raise
        except Conflict:
            pass  # another request inserted the key first: read it again
        if time.monotonic() > deadline:
            raise InProgress("相同的请求正在处理中，请稍后重试。", "The same request is still being processed; retry shortly.")
        time.sleep(0.05)


def _release(gl: GuardLoop, caller: Caller, key: str) -> None:
    with gl.transaction() as session:
        session.execute(delete(ApiIdempotencyKey).where(ApiIdempotencyKey.client_id == caller.client_id,
                                                        ApiIdempotencyKey.key == key,
                                                        ApiIdempotencyKey.clue_id.is_(None)))


def clue_status(gl: GuardLoop, caller: Caller, clue_id: int) -> dict:
    """A clue's status for the system that sent it, and for no other (``clue_outcomes.sender_view``: nothing of
    the child beyond the masked name). Another client's clue answers as a missing one."""
    require_scope(caller, "clues:read")
    with gl.transaction() as session:
        clue = session.get(RiskClue, clue_id)
        if clue is None or clue.registered_by != caller.actor.id:
            raise NotFound("线索不存在。", "No such clue.")
        audit.record(session, caller.actor, "view_clue_status", "risk_clue", clue.id, clue.case_id)
        return sender_view(session, clue)


@dataclass(frozen=True)
class Receipt:
    id: int
    clue_no: str
    status: str
    mandatory_report: bool
    report_to: str | None
    ack_due_at: object


def receipt(gl: GuardLoop, caller: Caller, clue_id: int) -> Receipt:
    """What the sender gets back for a clue it just sent (nothing of the child): its number and routing."""
    with gl.reading() as session:
        clue = session.get(RiskClue, clue_id)
        if clue is None or clue.registered_by != caller.actor.id:
            raise NotFound("线索不存在。", "No such clue.")
        return Receipt(clue.id, clue.clue_no, "opened_as_case" if clue.case_id is not None else clue.status,
                       clue.mandatory_report, clue.report_to, clue.ack_due_at)


# --- orders, for the judicial systems -------------------------------------------------------------------

ORDERS_PAGE = 100


def orders(gl: GuardLoop, caller: Caller, *, case_no: str | None = None, linked_case_no: str | None = None,
           after: int = 0, limit: int = ORDERS_PAGE) -> tuple[list[dict], int | None]:
    """The numbered documents issued on the cases the client's agency takes part in (its district only):
    number, type, issuer, status, delivery, the issuer's supervision and its last compliance check, with the
    case's number and the 案号 it is linked to; nothing of the child. Ordered by id, a page after ``after``;
    returns the page and the id to continue after (None at the end). The read is logged."""
    require_scope(caller, "orders:read")
    limit = max(1, min(int(limit), ORDERS_PAGE))
    query = (select(DocumentRecord, Case.case_no, Case.linked_case_no, OrderSupervision)
             .join(Case, Case.id == DocumentRecord.case_id)
             .outerjoin(OrderSupervision, OrderSupervision.document_id == DocumentRecord.id)
             .where(visible_cases(caller.actor), DocumentRecord.number.is_not(None), DocumentRecord.id > after)
             .order_by(DocumentRecord.id).limit(limit + 1))
    if case_no:
        query = query.where(Case.case_no == case_no)
    if linked_case_no:
        query = query.where(Case.linked_case_no == linked_case_no)
    with gl.transaction() as session:
        rows = session.execute(query).all()
        more = len(rows) > limit
        rows = rows[:limit]
        ids = [doc.id for doc, *_ in rows]
        latest = {}
        if ids:
            last = (select(ComplianceCheck.document_id, func.max(ComplianceCheck.id).label("id"))
                    .where(ComplianceCheck.document_id.in_(ids)).group_by(ComplianceCheck.document_id).subquery())
            for check in session.scalars(select(ComplianceCheck).join(last, last.c.id == ComplianceCheck.id)):
                latest[check.document_id] = check
        audit.record(session, caller.actor, "view_orders", "document_record", None, None, None,
                     {"documents": ids, "case_no": case_no, "linked_case_no": linked_case_no})
        refs = refs_by_agency(session, {doc.case_id for doc, *_ in rows})
        page = [{**_order(doc, case_no_, linked, supervision, latest.get(doc.id)),
                 "external_refs": refs.get(doc.case_id, {})} for doc, case_no_, linked, supervision in rows]
    return page, (ids[-1] if more else None)


def _order(doc, case_no, linked_case_no, supervision, check) -> dict:
    return {
        "id": doc.id, "number": doc.number, "doc_type": doc.doc_type, "title": doc.title,
        "issuing_agency": doc.issuing_agency, "issued_at": doc.issued_at, "status": doc.status,
        "case_no": case_no, "linked_case_no": linked_case_no,
        "delivery": {"method": doc.delivery_method, "delivered_on": doc.delivered_on,
                     "signed": doc.delivery_signed} if doc.delivered_on is not None else None,
        "supervision": {"status": supervision.status, "starts_on": supervision.starts_on,
                        "ends_on": supervision.ends_on, "breaches": supervision.breaches,
                        "last_checked_on": supervision.last_checked_on} if supervision is not None else None,
        "last_check": {"checked_on": check.checked_on, "result": check.result,
                       "report_received": check.report_received} if check is not None else None,
    }


# --- the 案号 of the judicial agencies' own systems ------------------------------------------------------

def external_refs(gl: GuardLoop, caller: Caller, case_no: str) -> dict:
    """A case the client's agency takes part in (its district), with every agency's 案号."""
    require_scope(caller, "cases:link")
    case_id = case_numbers.case_by_no(gl, caller.actor, case_no)
    with gl.transaction() as session:
        case = session.get(Case, case_id)
        audit.record(session, caller.actor, "view_external_refs", "case", case.id, case.id)
        by_agency = refs_by_agency(session, [case.id]).get(case.id, {})
        return {"case_no": case.case_no, "status": case.status, "external_refs": by_agency}


def set_external_refs(gl: GuardLoop, caller: Caller, case_no: str, values) -> dict:
    """Replace the client's agency's 案号 on the case (``case_numbers.set_refs``)."""
    require_scope(caller, "cases:link")
    case_numbers.require_ref_agency(caller.actor)
    case_id = case_numbers.case_by_no(gl, caller.actor, case_no)
    case_numbers.set_refs(gl, caller.actor, case_id, values)
    return external_refs(gl, caller, case_no)


def find_cases(gl: GuardLoop, caller: Caller, external_ref: str) -> list[dict]:
    """The cases the client's agency takes part in that carry the 案号 ``external_ref``."""
    require_scope(caller, "cases:link")
    return case_numbers.lookup(gl, caller.actor, external_ref)


def set_webhook(gl: GuardLoop, actor: Actor | None, name: str, url: str | None, *, field: str = "url") -> str | None:
    """Set (or with ``url`` None remove) a client's webhook; returns the new signing key, shown once."""
    _require_admin(actor)
    url = check_url(url, field=field) if url is not None else None
    key = secrets.token_hex(32) if url else None
    with gl.transaction() as session:
        client = _client(session, name, lock=True)
        if client.revoked_at is not None:
            raise InvalidInput(field, "该客户端已被吊销。", "This client was revoked.")
        before = client.webhook_url
        client.webhook_url, client.webhook_secret = url, key
        audit.record(session, actor, "set_api_webhook", "api_client", client.id, None, {"url": before},
                     {"name": client.name, "url": url})
    return key
