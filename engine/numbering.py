"""Gap-free numbers (case numbers; later document numbers) advanced under a row lock."""
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .models import Counter


def next_value(session: Session, name: str) -> int:
    row = session.get(Counter, name, with_for_update=True)
    if row is None:
        try:
            with session.begin_nested():
                session.add(Counter(name=name, value=0))
        except IntegrityError:
            pass  # another transaction created it first; lock theirs
        row = session.get(Counter, name, with_for_update=True, populate_existing=True)
    row.value += 1
    session.flush()
    return row.value
