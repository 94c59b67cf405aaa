"""The audit log (留痕): every state change and every view of a case's personal data, hash-chained.

``record`` collects entries in the unit of work; when it commits (``seal``, the writer sessions'
``before_commit`` hook) they are written:

- a unit of work that changed state appends its entries to the chain, each linked to the entry before it,
  under a lock on the one ``audit_head`` row, held for the last moment of the transaction only;
- a unit of work that only *viewed* (its entries are all access entries, ``view_*``) stages them in
  ``audit_staged`` without that lock, so views never queue on the chain. Staged entries are chained in
  batches (``chain_staged``) by the workers and by the next state change's seal, in the order they were
  staged; the database refuses to change a staged entry or to delete one that is not yet chained.

Entries from ``audit_head.keyed_from`` on are hashed with HMAC-SHA256 and a key kept outside the database
(``GUARDLOOP_AUDIT_KEY``), so nobody with the database alone can recompute the chain after an edit.
A unit of work that rolls back writes nothing.
"""
import hashlib
import hmac
import json
from datetime import timezone
from types import SimpleNamespace

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session

from engine.actor import Actor
from engine.models import AuditEntry, AuditHead, AuditStaged
from engine.workflow.clock import clock

PENDING = "audit_pending"
KEY = "audit_key"            # session.info: the chain's key (bytes), from the engine context
HEAD_ID = 1
STAGED_PER_SEAL = 500        # a state change chains at most this many staged views before its own entries
CONTENT = ("at", "user_id", "action", "entity", "entity_id", "case_id", "before", "after")
_INSERT = AuditEntry.__table__.insert()
_STAGE = AuditStaged.__table__.insert()
_STAGED = AuditStaged.__table__
_HEAD = AuditHead.__table__
_LOCK_HEAD = select(_HEAD.c.last_id, _HEAD.c.last_hash).where(_HEAD.c.id == HEAD_ID).with_for_update()
_MOVE_HEAD = _HEAD.update().where(_HEAD.c.id == HEAD_ID).values(last_id=bindparam("new_id"),
                                                                 last_hash=bindparam("new_hash"))
_ANY_STAGED = select(_STAGED.c.id).limit(1)


def record(session: Session, actor: Actor | None, action: str, entity: str, entity_id=None, case_id=None,
           before: dict | None = None, after: dict | None = None) -> None:
    """Add one entry to the unit of work's log; it is written, chained, when the unit of work commits."""
    session.info.setdefault(PENDING, []).append({
        "at": clock.now(), "user_id": actor.id if actor else None, "action": action, "entity": entity,
        "entity_id": str(entity_id) if entity_id is not None else None, "case_id": case_id,
        "before": plain(before), "after": plain(after)})


def is_access(action: str) -> bool:
    """An access entry records that someone saw personal data (``view_case``, ``view_task``, …): it changes
    nothing, so it may wait to be chained."""
    return action.startswith("view_")


def pending(session: Session, case_id: int) -> list:
    """The entries of this unit of work about a case, newest first, as they will be written."""
    return [SimpleNamespace(**entry) for entry in reversed(session.info.get(PENDING, [])) if entry["case_id"] == case_id]


def seal(session: Session) -> None:
    """Write the unit of work's entries (the writer sessions' ``before_commit`` hook): staged when they
    are all access entries, else appended to the chain after the staged entries waiting for it."""
    entries = session.info.pop(PENDING, None)
    if not entries:
        return
    connection = session.connection()
    if all(is_access(entry["action"]) for entry in entries):
        connection.execute(_STAGE, entries)
        return
    _append(connection, session.info.get(KEY), entries, STAGED_PER_SEAL)


def chain_staged(connection, key: bytes | None, limit: int = 5000) -> int:
    """Chain up to ``limit`` staged access entries (in a transaction of the caller's); how many."""
    if connection.execute(_ANY_STAGED).first() is None:
        return 0     # nothing waits: no need to take the chain's lock
    return _append(connection, key, [], limit)


def _append(connection, key, entries: list[dict], staged_limit: int) -> int:
    last_id, last_hash = connection.execute(_LOCK_HEAD).one()
    staged = connection.execute(select(_STAGED).order_by(_STAGED.c.id).limit(staged_limit)).all()
    waiting = [{**{name: getattr(row, name) for name in CONTENT}, "staged_id": row.id} for row in staged]
    rows = chain(waiting + [{**entry, "staged_id": None} for entry in entries], last_id, last_hash, key)
    if not rows:
        return 0
    connection.execute(_INSERT, rows)
    if staged:  # allowed by the database only now that they are in the chain
        connection.execute(delete(_STAGED).where(_STAGED.c.id.in_([row.id for row in staged])))
    connection.execute(_MOVE_HEAD, {"new_id": rows[-1]["id"], "new_hash": rows[-1]["hash"]})
    return len(rows)


def chain(entries: list[dict], last_id: int, last_hash: str, key: bytes | None = None) -> list[dict]:
    """The entries with consecutive ids after ``last_id``, each linked to the hash before it (keyed with
    ``key`` when given; unkeyed only for entries chained before the chain was keyed)."""
    rows = []
    for entry in entries:
        last_id += 1
        row = {**entry, "id": last_id, "prev_hash": last_hash}
        row["hash"] = last_hash = entry_hash(row, key)
        rows.append(row)
    return rows


def entry_hash(row, key: bytes | None = None) -> str:
    """The hash over the link to the previous entry and the entry's content, in one canonical form (the
    same whether the values come from the writer or are read back from either database): HMAC-SHA256
    with ``key``, plain SHA-256 without."""
    get = row.get if isinstance(row, dict) else lambda name: getattr(row, name)
    at = get("at").astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    content = [get("id"), at, get("user_id"), get("action"), get("entity"), get("entity_id"), get("case_id"),
               get("before"), get("after")]
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    message = (get("prev_hash") + text).encode()
    if key is None:
        return hashlib.sha256(message).hexdigest()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


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
