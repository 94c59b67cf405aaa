"""The numbers a case has in the judicial agencies' own systems (外部案号), as documents and the API show them."""
from sqlalchemy import select

from engine.models import CaseExternalRef


def refs_by_agency(session, case_ids) -> dict:
    """case id -> {agency: [案号, …]} for many cases in one query."""
    result = {}
    if not case_ids:
        return result
    for row in session.scalars(select(CaseExternalRef).where(CaseExternalRef.case_id.in_(list(case_ids)))
                               .order_by(CaseExternalRef.agency_code, CaseExternalRef.id)):
        result.setdefault(row.case_id, {}).setdefault(row.agency_code, []).append(row.ref_no)
    return result
