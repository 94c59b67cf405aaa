"""Reference data and user accounts."""
from sqlalchemy import select

from engine.actor import Actor
from engine.auditlog import record as audit
from engine.context import GuardLoop
from engine.errors import InvalidInput
from engine.models import Agency, District, GuidanceProvider, Office, User
from engine.reference import AGENCIES, COURT_CODES, DISTRICTS, OFFICE_NAMES, OFFICES_FROM_SEEDS, PRACTICE_BASES, ROLES
from engine.rules import usernames, validate as v
from engine.rules.passwords import hash_password, password_problem
from engine.rules.permissions import CREATING_ADMIN_ONLY, may_create_account, require
from engine.rules.usernames import normalise
from engine.services.bases import seed_validity
from engine.workflow.clock import clock


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
    seed_validity(session)
    _seed_offices(session, districts)


def _seed_offices(session, districts) -> None:
    """Every agency in every district, with a default 机关代字 (district short name + agency prefix; a court's
    is its 案号 code, 渝0105), the real names the seeds give, and the office acting for a district that has
    none of its own (高新区's court and procuratorate). Existing offices are left as administrators set them."""
    agencies = {a.code: a for a in session.scalars(select(Agency))}
    existing = {(o.agency_id, o.district_id): o for o in session.scalars(select(Office))}
    for district in districts.values():
        for code, agency in agencies.items():
            if (agency.id, district.id) not in existing:
                existing[(agency.id, district.id)] = office = _default_office(district, code, agency)
                session.add(office)
    session.flush()
    for (district_code, agency_code), (_, acting) in OFFICES_FROM_SEEDS.items():
        office = existing[(agencies[agency_code].id, districts[district_code].id)]
        if acting and office.acting_office_id is None:
            office.acting_office_id = existing[(agencies[agency_code].id, districts[acting].id)].id
    session.flush()


def _default_office(district, code: str, agency) -> Office:
    short = district.name_zh[:-1] if district.name_zh[-1] in "区县" else district.name_zh
    name, _ = OFFICES_FROM_SEEDS.get((district.code, code), (OFFICE_NAMES[code].format(district=district.name_zh), None))
    prefix = COURT_CODES.get(district.code, short) if code == "court" else short + (agency.doc_prefix or "")
    return Office(agency_id=agency.id, district_id=district.id, name=name, doc_prefix=prefix)


def create_user(gl: GuardLoop, actor: Actor, data: dict) -> int:
    """Create an account (admin page); returns its id."""
    with gl.transaction() as session:
        return add_user(session, actor, data).id


def add_user(session, actor: Actor | None, data: dict, *, demo: bool = False) -> User:
    """Create an account in the caller's unit of work; only an administrator may (``actor`` None is
    the command line). The name is stored normalised (``engine.rules.usernames``); the password meets the policy
    (``engine.rules.passwords``). An administrator sets an initial password the person must change at first
    sign-in; the command line's own accounts need no change."""
    require(may_create_account(actor), CREATING_ADMIN_ONLY)
    username = normalise(v.text(data, "username", max_len=80))
    if usernames.problem(username):
        raise InvalidInput("username", "用户名只能由字母、数字和 . _ - @ 组成。",
                           "A user name has letters, digits and . _ - @ only.")
    if session.scalars(select(User).where(User.username == username)).first() is not None:
        raise InvalidInput("username", "用户名已存在。", "This username is taken.")
    display_name = v.text(data, "display_name", max_len=80)
    password = v.text(data, "password", max_len=200, strip=False)
    problem = password_problem(password, username, display_name)
    if problem:
        raise InvalidInput("password", *problem)
    agency = session.scalars(select(Agency).where(Agency.code == v.choice(data, "agency", AGENCIES))).one()
    district = session.scalars(select(District).where(District.code == v.text(data, "district", max_len=20))).first()
    if district is None:
        raise InvalidInput("district", "区县不存在。", "No such district.")
    user = User(username=username, display_name=display_name,
                password_hash=hash_password(password), role=v.choice(data, "role", ROLES),
                agency_id=agency.id, district_id=district.id, created_at=clock.now(),
                must_change_password=actor is not None, demo=demo)
    session.add(user)
    session.flush()
    audit.record(session, actor, "create_user", "user", user.id, None, None,
                 {"username": username, "role": user.role, "agency": agency.code, "district": district.code})
    return user
