"""Writing the append-only audit log inside the caller's unit of work."""
from sqlalchemy.orm import Session

from .clock import clock
from .models import AuditEntry

_INSERT = AuditEntry.__table__.insert()


def record(session: Session, actor, action: str, entity: str, entity_id=None, case_id=None,
           before: dict | None = None, after: dict | None = None) -> None:
    """Append one entry now (a plain INSERT in the caller's transaction: rolled back with it)."""
    session.connection().execute(_INSERT, [{
        "at": clock.now(), "user_id": actor.id if actor else None, "action": action, "entity": entity,
        "entity_id": str(entity_id) if entity_id is not None else None, "case_id": case_id,
        "before": _plain(before), "after": _plain(after)}])


def _plain(value):
    """JSON-safe copy: dates and other values become strings."""
    if value is None:
        return None
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)):
        return value
    return str(value)
