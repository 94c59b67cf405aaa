"""A case's guardians as the forms and handlers read them (监护人)."""
from sqlalchemy import select

from engine.models import Guardian


def current_guardians(session, case_id: int) -> list[Guardian]:
    return list(session.scalars(select(Guardian).where(Guardian.case_id == case_id, Guardian.is_guardian.is_(True),
                                                       Guardian.status == "active").order_by(Guardian.id)))
