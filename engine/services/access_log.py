"""The access log's refusals: every request refused for want of permission is an audit entry.

A refusal is recorded in a unit of work of its own: the unit of work that raised ``PermissionDenied``
rolls back, and its entries with it."""
from engine.actor import Actor
from engine.auditlog import record as audit
from engine.context import GuardLoop

_KEEP = 200


def _printable(text: str) -> str:
    return "".join(ch if ch >= " " and ch != "\x7f" else "?" for ch in (text or ""))[:_KEEP]


def record_refusal(gl: GuardLoop, actor: Actor, *, method: str, path: str, reason: str = "") -> None:
    with gl.transaction() as session:
        audit.record(session, actor, "access_refused", "request", None, None, None,
                     {"method": _printable(method), "path": _printable(path), "reason": _printable(reason)})
