"""Guidance providers a family may be offered (可选指导机构): practice bases in force, not suspended and serving
the family's district, and the district's or the municipality's guidance centres."""
from datetime import date

from sqlalchemy import and_, exists, not_, or_, select

from engine.errors import InvalidInput
from engine.models import BaseServiceArea, GuidanceProvider, PracticeBase


def _offered_condition(district_id: int, on: date):
    """SQL: the provider may be chosen for a family of ``district_id`` on ``on``."""
    managed = exists().where(PracticeBase.provider_id == GuidanceProvider.id)
    in_force = exists().where(PracticeBase.provider_id == GuidanceProvider.id, PracticeBase.suspended.is_(False),
                              PracticeBase.valid_from <= on, PracticeBase.valid_until >= on)
    serves = exists().where(BaseServiceArea.provider_id == GuidanceProvider.id,
                            BaseServiceArea.district_id == district_id)
    unmanaged_here = and_(not_(managed), or_(GuidanceProvider.district_id == district_id,
                                             GuidanceProvider.district_id.is_(None)))
    return or_(unmanaged_here, and_(in_force, serves))


def offered_providers(session, district_id: int, on: date) -> list[GuidanceProvider]:
    """The providers a guidance plan or order for a family of ``district_id`` may name on ``on``: practice
    bases in force (not suspended, within their period) serving the district, and the unmanaged providers
    (guidance centres) of the district or of the whole municipality."""
    return list(session.scalars(select(GuidanceProvider).where(_offered_condition(district_id, on))
                                .order_by(GuidanceProvider.kind, GuidanceProvider.id)))


def require_offered(session, provider_id: int, district_id: int, on: date, field: str = "provider_id"):
    """The provider, if it may be chosen for the district on the day; else ``InvalidInput`` on ``field``."""
    provider = session.scalars(select(GuidanceProvider).where(GuidanceProvider.id == provider_id,
                                                              _offered_condition(district_id, on))).first()
    if provider is None:
        raise InvalidInput(field, "该指导机构不可选：实践基地须在认定有效期内、未暂停，且服务本区县。",
                           "This provider cannot be chosen: a practice base must be within its recognition "
                           "period, not suspended, and serve the family's district.")
    return provider
