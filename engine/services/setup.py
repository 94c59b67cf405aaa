"""Reference data and user accounts."""
from sqlalchemy import select

from .. import audit
from ..clock import clock
from ..errors import InvalidInput, PermissionDenied
from ..models import Agency, District, GuidanceProvider, Office, User
from ..passwords import hash_password
from ..reference import AGENCIES, DISTRICTS, OFFICE_NAMES, PRACTICE_BASES, ROLES
from .. import validate as v


def seed_reference(session) -> None:
    """Agencies, the districts named in the seeds, and the 20 practice bases of seed 002. Idempotent."""
    for code, (zh, en, prefix) in AGENCIES.items():
        if session.scalars(select(Agency).where(Agency.code == code)).first() is None:
            session.add(Agency(code=code, name_zh=zh, name_en=en, doc_prefix=prefix))
    districts = {d.code: d for d in session.scalars(select(District))}
    for code, zh, en in DISTRICTS:
        if code not in districts:
            districts[code] = District(code=code, name_zh=zh, name_en=en)
            session.add(districts[code])
    session.flush()
    known = set(session.scalars(select(GuidanceProvider.name)))
    for district_code, name in PRACTICE_BASES:
        if name not in known:
            session.add(GuidanceProvider(name=name, kind="practice_base", district_id=districts[district_code].id))
    for code, zh, en in DISTRICTS:
        centre = f"{zh}家庭教育指导中心"
        if centre not in known:
            session.add(GuidanceProvider(name=centre, kind="guidance_centre", district_id=districts[code].id))
    session.flush()
    _seed_offices(session, districts)


def _seed_offices(session, districts) -> None:
    """Every agency in every district, with a default 机关代字 (district short name + agency prefix)."""
    agencies = {a.code: a for a in session.scalars(select(Agency))}
    existing = set(session.execute(select(Office.agency_id, Office.district_id)).all())
    for district in districts.values():
        short = district.name_zh[:-1] if district.name_zh[-1] in "区县" else district.name_zh
        for code, agency in agencies.items():
            if (agency.id, district.id) not in existing:
                session.add(Office(agency_id=agency.id, district_id=district.id,
                                   name=OFFICE_NAMES[code].format(district=district.name_zh),
                                   doc_prefix=short + (agency.doc_prefix or "")))
    session.flush()


def create_user(gl, actor, data: dict) -> int:
    """Create an account (admin page); returns its id."""
    with gl.transaction() as session:
        return add_user(session, actor, data).id


def add_user(session, actor, data: dict) -> User:
    """Create an account in the caller's unit of work; only an administrator may (``actor`` None is
    the command line's ``init``)."""
    if actor is not None and actor.role != "admin":
        raise PermissionDenied("仅系统管理员可以创建账号。", "Only an administrator can create accounts.")
    username = v.text(data, "username", max_len=80)
    if session.scalars(select(User).where(User.username == username)).first() is not None:
        raise InvalidInput("username", "用户名已存在。", "This username is taken.")
    password = v.text(data, "password", max_len=200)
    if len(password) < 8:
        raise InvalidInput("password", "密码至少 8 位。", "A password has at least 8 characters.")
    agency = session.scalars(select(Agency).where(Agency.code == v.choice(data, "agency", AGENCIES))).one()
    district = session.scalars(select(District).where(District.code == v.text(data, "district"))).first()
    if district is None:
        raise InvalidInput("district", "区县不存在。", "No such district.")
    user = User(username=username, display_name=v.text(data, "display_name", max_len=80),
                password_hash=hash_password(password), role=v.choice(data, "role", ROLES),
                agency_id=agency.id, district_id=district.id, created_at=clock.now())
    session.add(user)
    session.flush()
    audit.record(session, actor, "create_user", "user", user.id, None, None,
                 {"username": username, "role": user.role, "agency": agency.code, "district": district.code})
    return user
