"""Webhooks (issue 18): the status of a clue pushed to the system that sent it.

When a clue an API client sent changes (a case is opened from it; the police acknowledge or answer a
mandatory report), the unit of work that changed it also writes a delivery row (an outbox), so an event
is never lost nor sent for a change that rolled back. ``deliver_due`` (``guardloop api-client deliver``)
POSTs each due row to the client's URL, signed with HMAC-SHA256 over ``"{timestamp}.{body}"`` with the
client's webhook key (header ``X-GuardLoop-Signature: t=…,v1=…``), and retries a failure after growing
delays until the last attempt. Workers claim rows with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so
several may run. The payload is the sender's view of the clue (``sender_view``): nothing of the child
beyond the masked name."""
import hashlib
import hmac
import ipaddress
import json
import logging
import urllib.error
import urllib.request
from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import select

from engine.context import GuardLoop
from engine.errors import InvalidInput
from engine.infra.db import is_postgres
from engine.models import ApiClient, ApiWebhookDelivery, RiskClue
from engine.reads.clue_outcomes import sender_view
from engine.workflow.clock import clock

RETRY_DELAYS = (timedelta(seconds=10), timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30),
                timedelta(hours=2), timedelta(hours=6))   # after the attempt that fails; then it is given up
TIMEOUT = 10          # seconds for one POST
SIGNATURE = "X-GuardLoop-Signature"


def _json(value):
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def clue_changed(session, clue: RiskClue, event: str) -> None:
    """In the unit of work that changed ``clue``: queue the event for the webhook of the client that sent it,
    if a client did and has one."""
    client = session.scalars(select(ApiClient).where(ApiClient.user_id == clue.registered_by,
                                                     ApiClient.webhook_url.is_not(None),
                                                     ApiClient.revoked_at.is_(None))).first()
    if client is None:
        return
    session.flush()   # the clue's and the case's new state, for the payload
    now = clock.now()
    session.add(ApiWebhookDelivery(client_id=client.id, clue_id=clue.id, event=event, created_at=now,
                                   next_attempt_at=now, attempts=0,
                                   payload={"event": event, "clue": _json(sender_view(session, clue))}))


def check_url(url: str, *, field: str = "url") -> str:
    """HTTPS, or HTTP to a loopback address (a development or test listener)."""
    url = (url or "").strip()
    parts = urlsplit(url)
    loopback = False
    try:
        loopback = parts.hostname == "localhost" or ipaddress.ip_address(parts.hostname or "").is_loopback
    except ValueError:
        pass
    if len(url) > 500 or not parts.hostname or not (parts.scheme == "https" or (parts.scheme == "http" and loopback)):
        raise InvalidInput(field, "回调地址应为 https://…（http 仅限本机地址）。",
                           "The webhook URL must be https:// (http only to a loopback address).")
    return url


def sign(key: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(key.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def post(url: str, body: bytes, headers: dict) -> int:
    """POST and return the status (an exception for no answer at all)."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 — https or loopback only
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def deliver_due(gl: GuardLoop, *, limit: int = 100, send=post) -> int:
    """Deliver up to ``limit`` due events; how many were attempted."""
    attempted = 0
    while attempted < limit:
        with gl.transaction() as session:
            query = (select(ApiWebhookDelivery).where(ApiWebhookDelivery.next_attempt_at <= clock.now())
                     .order_by(ApiWebhookDelivery.next_attempt_at, ApiWebhookDelivery.id).limit(1))
            if is_postgres(gl.engine):
                query = query.with_for_update(skip_locked=True)
            row = session.scalars(query).first()
            if row is None:
                return attempted
            client = session.get(ApiClient, row.client_id)
            _attempt(row, client, send)
        attempted += 1
    return attempted


def _attempt(row: ApiWebhookDelivery, client: ApiClient, send) -> None:
    now = clock.now()
    row.attempts += 1
    if client.webhook_url is None or client.revoked_at is not None:
        row.next_attempt_at, row.last_error = None, "no webhook any more"
        return
    body = json.dumps({**row.payload, "delivery": row.id, "sent_at": now.isoformat()},
                      ensure_ascii=False, sort_keys=True).encode()
    headers = {"Content-Type": "application/json", "User-Agent": "GuardLoop-Webhook/1",
               "X-GuardLoop-Event": row.event, "X-GuardLoop-Delivery": str(row.id),
               SIGNATURE: sign(client.webhook_secret, int(now.timestamp()), body)}
    try:
        status = send(client.webhook_url, body, headers)
        error = None if 200 <= status < 300 else f"HTTP {status}"
    except Exception as exc:  # noqa: BLE001 — no answer (refused, timed out): retried like an error status
        error = f"{type(exc).__name__}: {exc}"[:500]
    if error is None:
        row.delivered_at, row.next_attempt_at, row.last_error = now, None, None
    elif row.attempts > len(RETRY_DELAYS):
        row.next_attempt_at, row.last_error = None, error     # given up
    else:
        row.next_attempt_at, row.last_error = now + RETRY_DELAYS[row.attempts - 1], error


def deliver_after_tick(gl: GuardLoop, *, limit: int = 100, send=post) -> int:
    """``guardloop tick`` delivers the due events after firing the timers: how many were attempted. A failure
    here (the database gone away mid-delivery) is logged and leaves the events due for the next tick or for
    ``guardloop api-client deliver``; it never stops the timers."""
    try:
        return deliver_due(gl, limit=limit, send=send)
    except Exception:  # noqa: BLE001 — the timers have fired; the events stay in the outbox
        logging.getLogger(__name__).exception("webhook delivery after tick failed")
        return 0
