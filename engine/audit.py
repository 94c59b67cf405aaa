"""The audit log (留痕): every state change and every view of a case's personal data, hash-chained.

``record`` collects entries in the unit of work; when it commits they are appended in one statement,
each chained by SHA-256 to the entry before it (``seal``, run by the session's ``before_commit`` event).
Appending at commit keeps the chain's one lock (the ``audit_head`` row) for the last moment of a
transaction only, so writers queue on it for a few statements, never for a whole request. A unit of work
that rolls back appends nothing.
"""
import hashlib
import json
from datetime import timezone

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from .clock import clock
from .models import AuditEntry, AuditHead

PENDING = "audit_pending"
HEAD_ID = 1
_INSERT = AuditEntry.__table__.insert()
_HEAD = AuditHead.__table__
_LOCK_HEAD = select(_HEAD.c.last_id, _HEAD.c.last_hash).where(_HEAD.c.id == HEAD_ID).with_for_update()
_MOVE_HEAD = _HEAD.update().where(_HEAD.c.id == HEAD_ID).values(last_id=bindparam("new_id"),
                                                                 last_hash=bindparam("new_hash"))


def record(session: Session, actor, action: str, entity: str, entity_id=None, case_id=None,
           before: dict | None = None, after: dict | None = None) -> None:
    """Add one entry to the unit of work's log; it is written, chained, when the unit of work commits."""
    session.info.setdefault(PENDING, []).append({
        "at": clock.now(), "user_id": actor.id if actor else None, "action": action, "entity": entity,
        "entity_id": str(entity_id) if entity_id is not None else None, "case_id": case_id,
        "before": plain(before), "after": plain(after)})


def pending(session: Session, case_id: int) -> list:
    """The entries of this unit of work about a case, newest first, as they will be written."""
    from types import SimpleNamespace
    return [SimpleNamespace(**entry) for entry in reversed(session.info.get(PENDING, [])) if entry["case_id"] == case_id]


def seal(session: Session) -> None:
    """Append the unit of work's entries to the chain (the writer sessions' ``before_commit`` hook)."""
    pending = session.info.pop(PENDING, None)
    if not pending:
        return
    connection = session.connection()
    last_id, last_hash = connection.execute(_LOCK_HEAD).one()
    rows = chain(pending, last_id, last_hash)
    connection.execute(_INSERT, rows)
    connection.execute(_MOVE_HEAD, {"new_id": rows[-1]["id"], "new_hash": rows[-1]["hash"]})


def chain(entries: list[dict], last_id: int, last_hash: str) -> list[dict]:
    """The entries with consecutive ids after ``last_id``, each linked to the hash before it."""
    rows = []
    for entry in entries:
        last_id += 1
        row = {**entry, "id": last_id, "prev_hash": last_hash}
        row["hash"] = last_hash = entry_hash(row)
        rows.append(row)
    return rows


def entry_hash(row) -> str:
    """SHA-256 over the link to the previous entry and the entry's content, in one canonical form (the
    same whether the values come from the writer or are read back from either database)."""
    get = row.get if isinstance(row, dict) else lambda name: getattr(row, name)
    at = get("at").astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    content = [get("id"), at, get("user_id"), get("action"), get("entity"), get("entity_id"), get("case_id"),
               get("before"), get("after")]
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256((get("prev_hash") + text).encode()).hexdigest()


def plain(value):
    """JSON-safe copy: dates and other values become strings."""
    if value is None:
        return None
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)):
        return value
    return str(value)
