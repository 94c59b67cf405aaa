"""Parent schools (家长学校): courses and their sessions, sign-in (a QR sheet opened on a phone, a roster
imported from XLSX, or staff entering a name), the participant register, hours per guardian per school
year, the learning record, and certificates (结业证书) when a guardian reaches the year's hours.

Who: the staff of schools and kindergartens (agency ``education``), of communities (``community``, grid
workers; civil affairs' 儿童主任) and the district family-education office (the women's federation) run the
courses of their district. The register holds guardians' names and phones: only those staff of the same
district see it, and every view of a guardian's record is an access entry. A guardian linked to a case is
seen from the case by those on it (``case_learning``).
"""
import hashlib
import re
import secrets
from datetime import date, timedelta
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import func, select, update

from engine.actor import Actor
from engine.auditlog import record as audit
from engine.context import GuardLoop
from engine.errors import InvalidInput, NotFound
from engine.issuing.document_fields import cn_date
from engine.issuing.issue import office_of
from engine.issuing.numbering import next_value
from engine.models import (
    Attendance,
    Certificate,
    Course,
    CourseSession,
    District,
    DocumentRecord,
    Guardian,
    GuidancePlan,
    Participant,
    PlanCourseRequirement,
    PublicLink,
    Round,
)
from engine.reads.access import require_case
from engine.reads.providers import offered_providers, require_offered
from engine.reference import COURSE_KINDS
from engine.rules import validate as v
from engine.rules.masking import mask_name
from engine.rules.permissions import (
    CERTIFICATE_REFUSED,
    COURSE_OTHER_ORGANISATION,
    OFFICE_AGENCY,
    SIGNIN_LOCKED,
    is_parent_school_staff,
    may_manage_course,
    require,
    require_parent_school_staff,
)
from engine.tasks.courses import PHONE, find_or_register
from engine.workflow.clock import clock

PROVIDER_KINDS = {
    "school": ("学校/幼儿园", "School or kindergarten"),
    "community": ("社区（村）", "Community"),
    "base": ("实践基地", "Practice base"),
    "online": ("线上平台", "Online platform"),
}
METHODS = {"qr": ("扫码签到", "QR sign-in"), "roster": ("名册导入", "Roster import"), "manual": ("现场登记", "Entered by staff")}
SIGNIN_FAILURES_MAX = 30                # failed matches before a sign-in sheet locks (guessing names/digits)
ROSTER_ROWS_MAX = 2000
LAST4 = re.compile(r"^\d{4}$")
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


# --- school years ---------------------------------------------------------------------------------

def school_year_of(day: date) -> int:
    """The school year (named by the year it starts) of a day: 1 September – 31 August."""
    return day.year if day.month >= 9 else day.year - 1


def year_bounds(year: int) -> tuple[date, date]:
    return date(year, 9, 1), date(year + 1, 8, 31)


def year_label(year: int) -> tuple[str, str]:
    return f"{year}—{year + 1}学年", f"{year}–{year + 1} school year"


def hours(minutes: int | None) -> str:
    """Minutes as class hours, one decimal when needed (90 → "1.5")."""
    value = (minutes or 0) / 60
    return f"{value:.1f}".rstrip("0").rstrip(".")


# --- who may do what ------------------------------------------------------------------------------

# The decisions are ``engine.rules.permissions``; these names are what the pages ask.
is_staff = is_parent_school_staff
require_staff = require_parent_school_staff


def can_manage(actor: Actor, course: Course) -> bool:
    return may_manage_course(actor, course.district_id, course.agency)


def _course(session, actor: Actor, course_id, *, manage=False) -> Course:
    course = session.get(Course, _id(course_id))
    if course is None:
        raise NotFound("课程不存在。", "No such course.")
    require_staff(actor, course.district_id)
    require(not manage or can_manage(actor, course), COURSE_OTHER_ORGANISATION)
    return course


def _session(session, actor: Actor, session_id, *, manage=False) -> tuple[CourseSession, Course]:
    row = session.get(CourseSession, _id(session_id))
    if row is None:
        raise NotFound("课次不存在。", "No such session.")
    return row, _course(session, actor, row.course_id, manage=manage)


def _id(value) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        number = -1
    if not 0 < number < 2**31:
        raise NotFound("记录不存在。", "No such record.")
    return number


# --- courses and sessions -------------------------------------------------------------------------

def course_providers(gl: GuardLoop, actor: Actor) -> list:
    """The practice bases and guidance centres a course of the actor's district may be run by today."""
    require_staff(actor)
    with gl.reading() as session:
        return offered_providers(session, actor.district_id, clock.today())


def _course_fields(session, actor: Actor, data: dict) -> dict:
    title, kind = v.text(data, "title", max_len=120), v.choice(data, "kind", COURSE_KINDS)   # in the form's order
    provider_kind = v.choice(data, "provider_kind", PROVIDER_KINDS)
    provider_id, provider_name = None, v.text(data, "provider_name", required=provider_kind != "base", max_len=120)
    if provider_kind == "base":
        # only a base in force serving the district (or a guidance centre of it), as for a guidance plan
        provider = require_offered(session, v.integer(data, "provider_id", low=1, high=2**31 - 1),
                                   actor.district_id, clock.today())
        provider_id, provider_name = provider.id, provider.name
    school_year = v.integer(data, "school_year", low=2000, high=2100, required=False) \
        or school_year_of(clock.today())
    planned = v.integer(data, "planned_hours", low=1, high=200)
    return {"title": title, "kind": kind, "provider_kind": provider_kind, "provider_id": provider_id, "provider_name": provider_name,
            "planned_minutes": planned * 60, "capacity": v.integer(data, "capacity", low=1, high=100000),
            "school_year": school_year,
            "description": v.text(data, "description", required=False, max_len=3000) or None}


def create_course(gl: GuardLoop, actor: Actor, data: dict) -> int:
    """开课: a course of the actor's district, run by the actor's agency."""
    require_staff(actor)
    with gl.transaction() as session:
        fields = _course_fields(session, actor, data)
        course = Course(district_id=actor.district_id, agency=actor.agency, created_by=actor.id,
                        created_at=clock.now(), **fields)
        session.add(course)
        session.flush()
        audit.record(session, actor, "create_course", "ps_course", course.id, None, None,
                     {k: x for k, x in fields.items() if k != "description"})
        return course.id


def add_session(gl: GuardLoop, actor: Actor, course_id, data: dict) -> int:
    """排课: one class of the course, within its school year."""
    with gl.transaction() as session:
        course = _course(session, actor, course_id, manage=True)
        start, end = year_bounds(course.school_year)
        held_on = v.day(data, "held_on", not_future=False)
        if not start <= held_on <= end:
            raise InvalidInput("held_on", f"日期应在{year_label(course.school_year)[0]}内。",
                               f"The date must fall in the {year_label(course.school_year)[1]}.")
        starts_at = v.text(data, "starts_at", max_len=5)
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", starts_at):
            raise InvalidInput("starts_at", "时间格式应为 19:00。", "Enter the time as 19:00.")
        row = CourseSession(course_id=course.id, held_on=held_on, starts_at=starts_at,
                            place=v.text(data, "place", max_len=200),
                            minutes=v.integer(data, "minutes", low=10, high=480),
                            created_by=actor.id, created_at=clock.now())
        session.add(row)
        session.flush()
        audit.record(session, actor, "add_course_session", "ps_session", row.id, None, None,
                     {"course": course.id, "held_on": held_on, "minutes": row.minutes})
        return row.id


def courses(gl: GuardLoop, actor: Actor, school_year: int | None = None) -> list[dict]:
    """The courses of the actor's district in a school year, with sessions and sign-ins counted."""
    require_staff(actor)
    year = school_year or school_year_of(clock.today())
    with gl.reading() as session:
        sessions = (select(CourseSession.course_id, func.count(CourseSession.id).label("n"))
                    .group_by(CourseSession.course_id).subquery())
        signed = (select(Attendance.course_id, func.count(Attendance.id).label("n"),
                         func.count(func.distinct(Attendance.participant_id)).label("people"),
                         func.coalesce(func.sum(Attendance.minutes), 0).label("minutes"))
                  .where(Attendance.district_id == actor.district_id, Attendance.school_year == year)
                  .group_by(Attendance.course_id).subquery())
        rows = session.execute(
            select(Course, func.coalesce(sessions.c.n, 0), func.coalesce(signed.c.n, 0),
                   func.coalesce(signed.c.people, 0), func.coalesce(signed.c.minutes, 0))
            .outerjoin(sessions, sessions.c.course_id == Course.id).outerjoin(signed, signed.c.course_id == Course.id)
            .where(Course.district_id == actor.district_id, Course.school_year == year)
            .order_by(Course.id.desc())).all()
        return [{"course": c, "sessions": n, "signins": s, "people": p, "minutes": m,
                 "manage": can_manage(actor, c)} for c, n, s, p, m in rows]


def course_detail(gl: GuardLoop, actor: Actor, course_id) -> dict:
    with gl.reading() as session:
        course = _course(session, actor, course_id)
        counts = dict(session.execute(select(Attendance.session_id, func.count(Attendance.id))
                                      .where(Attendance.course_id == course.id).group_by(Attendance.session_id)).all())
        rows = session.scalars(select(CourseSession).where(CourseSession.course_id == course.id)
                               .order_by(CourseSession.held_on, CourseSession.starts_at)).all()
        return {"course": course, "sessions": [(s, counts.get(s.id, 0)) for s in rows],
                "manage": can_manage(actor, course)}


def session_detail(gl: GuardLoop, actor: Actor, session_id, *, log_view: bool = True) -> dict:
    """A session with who signed in (names and masked phones, for the staff who run it): an access entry —
    except when a refused form shows the page again (``log_view=False``: its GET was logged, and a refused
    request writes nothing)."""
    with gl.transaction() as session:
        row, course = _session(session, actor, session_id)
        people = session.execute(select(Attendance, Participant).join(Participant, Participant.id == Attendance.participant_id)
                                 .where(Attendance.session_id == row.id).order_by(Attendance.recorded_at)).all()
        link = _live_link(session, "signin", session_id=row.id)
        if log_view:
            audit.record(session, actor, "view_course_session", "ps_session", row.id)
        return {"session": row, "course": course, "attendance": people, "link": link,
                "manage": can_manage(actor, course)}


# --- participants ---------------------------------------------------------------------------------

def _phone(data: dict, field: str = "phone", *, required=False) -> str | None:
    value = re.sub(r"[\s-]", "", v.text(data, field, required=required, max_len=20))
    if value and not PHONE.fullmatch(value):
        raise InvalidInput(field, "请填写 11 位手机号码。", "Enter an 11-digit mobile number.")
    return value or None


def _person(data: dict) -> dict:
    """Name, phone and ID number as the forms and the roster give them (one of phone or ID required)."""
    name = v.text(data, "name", max_len=80)
    phone = _phone(data)
    id_number = v.id_number(data, "id_number")
    if not phone and not id_number:
        raise InvalidInput("phone", "请填写手机号码或身份证号码。", "Enter a mobile number or an ID number.")
    return {"name": name, "phone": phone, "id_number": id_number,
            "child_school": v.text(data, "child_school", required=False, max_len=120) or None}



def year_minutes(session, participant_id: int, school_year: int) -> int:
    return session.scalar(select(func.coalesce(func.sum(Attendance.minutes), 0)).where(
        Attendance.participant_id == participant_id, Attendance.school_year == school_year)) or 0


def _attend(session, gl: GuardLoop, actor: Actor | None, row: CourseSession, course: Course, participant: Participant,
            method: str) -> bool:
    """Record the participant at the session (False when already signed in); a certificate follows when the
    school year's hours are reached."""
    exists = session.scalars(select(Attendance.id).where(Attendance.session_id == row.id,
                                                         Attendance.participant_id == participant.id)).first()
    if exists is not None:
        return False
    taken = session.scalar(select(func.count(Attendance.id)).where(Attendance.session_id == row.id)) or 0
    if taken >= course.capacity:
        raise InvalidInput("name", f"本课次已满（{course.capacity} 人）。", f"This session is full ({course.capacity}).")
    attendance = Attendance(session_id=row.id, participant_id=participant.id, course_id=course.id,
                            district_id=course.district_id, school_year=course.school_year, held_on=row.held_on,
                            kind=course.kind, minutes=row.minutes, method=method,
                            recorded_by=actor.id if actor else None, recorded_at=clock.now())
    session.add(attendance)
    session.flush()
    audit.record(session, actor, "record_attendance", "ps_attendance", attendance.id, None, None,
                 {"session": row.id, "participant": participant.id, "method": method, "minutes": row.minutes})
    _certify_if_due(session, gl, actor, participant, course.school_year)
    return True


def record_attendance(gl: GuardLoop, actor: Actor, session_id, data: dict) -> dict:
    """现场登记: staff sign a guardian in by name and phone (or ID number)."""
    with gl.transaction() as session:
        row, course = _session(session, actor, session_id, manage=True)
        participant, new = find_or_register(session, course.district_id, _person(data))
        signed = _attend(session, gl, actor, row, course, participant, "manual")
        return {"participant_id": participant.id, "new": new, "signed": signed}


ROSTER_COLUMNS = {"姓名": "name", "name": "name", "手机": "phone", "手机号": "phone", "手机号码": "phone",
                  "phone": "phone", "mobile": "phone", "身份证号": "id_number", "身份证号码": "id_number",
                  "id number": "id_number", "id_number": "id_number", "学校": "child_school",
                  "子女学校": "child_school", "school": "child_school", "child school": "child_school"}


def read_roster(content: bytes) -> list[dict]:
    """The rows of an XLSX roster (first sheet; a header row naming 姓名, 手机号 and/or 身份证号, 学校)."""
    if not content:
        raise InvalidInput("file", "请选择名册文件（.xlsx）。", "Choose the roster file (.xlsx).")
    try:
        book = load_workbook(BytesIO(content), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001  (openpyxl raises many kinds on a file that is no workbook)
        raise InvalidInput("file", "无法读取该文件，请上传 .xlsx 格式的名册。", "This is not a readable .xlsx roster.") from None
    rows = book.worksheets[0].iter_rows(values_only=True)
    header = next(rows, None) or ()
    columns = {i: ROSTER_COLUMNS.get(str(h or "").strip().lower()) for i, h in enumerate(header)}
    if "name" not in columns.values() or not {"phone", "id_number"} & set(columns.values()):
        raise InvalidInput("file", "名册首行应有“姓名”以及“手机号”或“身份证号”列。",
                           "The first row must name the columns 姓名 (name) and 手机号 (phone) or 身份证号 (ID number).")
    out = []
    for values in rows:
        if values is None or all(x in (None, "") for x in values):
            continue
        if len(out) >= ROSTER_ROWS_MAX:
            raise InvalidInput("file", f"名册不能超过 {ROSTER_ROWS_MAX} 行。", f"At most {ROSTER_ROWS_MAX} rows.")
        record = {}
        for i, x in enumerate(values):
            if columns.get(i):
                record[columns[i]] = "" if x is None else (str(int(x)) if isinstance(x, float) and x.is_integer() else str(x))
        out.append(record)
    return out


def import_roster(gl: GuardLoop, actor: Actor, session_id, content: bytes) -> list[dict]:
    """名册导入: each row of the XLSX signed in as ``record_attendance`` would, with the same validation; a
    report per row (row number, status ``signed``/``already``/``error``, the message). Rows in error are
    not recorded; the others are, in one unit of work."""
    report = []
    with gl.transaction() as session:
        row, course = _session(session, actor, session_id, manage=True)
        rows = read_roster(content)
        for number, data in enumerate(rows, start=2):
            try:
                with session.begin_nested():
                    participant, _ = find_or_register(session, course.district_id, _person(data))
                    signed = _attend(session, gl, actor, row, course, participant, "roster")
            except InvalidInput as exc:
                report.append({"row": number, "name": str(data.get("name") or ""), "status": "error",
                               "field": exc.field, "message": (exc.message, exc.message_en)})
            else:
                report.append({"row": number, "name": participant.name, "status": "signed" if signed else "already",
                               "field": None, "message": None})
        audit.record(session, actor, "import_roster", "ps_session", row.id, None, None,
                     {"rows": len(rows), "signed": sum(r["status"] == "signed" for r in report),
                      "errors": sum(r["status"] == "error" for r in report)})
    return report


# --- public links: the QR sign-in sheet and survey forms -----------------------------------------

def _live_link(session, purpose: str, **subject) -> PublicLink | None:
    query = select(PublicLink).where(PublicLink.purpose == purpose, PublicLink.withdrawn.is_(False),
                                     PublicLink.expires_at > clock.now())
    for name, value in subject.items():
        query = query.where(getattr(PublicLink, name) == value)
    return session.scalars(query.order_by(PublicLink.id.desc())).first()


def new_link(session, gl: GuardLoop, actor: Actor, purpose: str, **subject) -> PublicLink:
    """A fresh link for the subject; earlier ones of the same purpose are withdrawn."""
    query = update(PublicLink).where(PublicLink.purpose == purpose, PublicLink.withdrawn.is_(False))
    for name, value in subject.items():
        query = query.where(getattr(PublicLink, name) == value)
    session.execute(query.values(withdrawn=True))
    now = clock.now()
    link = PublicLink(token=secrets.token_urlsafe(32), purpose=purpose, created_by=actor.id, created_at=now,
                      expires_at=now + timedelta(hours=gl.settings.parent_school_link_hours), **subject)
    session.add(link)
    session.flush()
    audit.record(session, actor, f"open_{purpose}_link", "ps_public_link", link.id, None, None,
                 {**subject, "expires_at": link.expires_at})
    return link


def open_signin(gl: GuardLoop, actor: Actor, session_id) -> str:
    """签到二维码: a sign-in sheet for the session, open for ``parent_school_link_hours``."""
    with gl.transaction() as session:
        row, _ = _session(session, actor, session_id, manage=True)
        return new_link(session, gl, actor, "signin", session_id=row.id).token


def close_signin(gl: GuardLoop, actor: Actor, session_id) -> None:
    with gl.transaction() as session:
        row, _ = _session(session, actor, session_id, manage=True)
        session.execute(update(PublicLink).where(PublicLink.session_id == row.id, PublicLink.purpose == "signin")
                        .values(withdrawn=True))
        audit.record(session, actor, "close_signin_link", "ps_session", row.id)


def _link(session, token: str, purpose: str, *, lock=False) -> PublicLink:
    token = str(token or "")[:64]
    query = select(PublicLink).where(PublicLink.token == token, PublicLink.purpose == purpose)
    link = session.scalars(query.with_for_update() if lock else query).first()
    if link is None or link.withdrawn:
        raise NotFound("该二维码无效或已关闭。", "This QR code is not valid or was closed.")
    if link.expires_at <= clock.now():
        raise NotFound("该二维码已过期，请向工作人员索取新的二维码。", "This QR code has expired; ask the staff for a new one.")
    return link


def public_signin_page(gl: GuardLoop, token: str) -> dict:
    """What the sign-in sheet shows anyone: the course, date, time and place. No names, no counts of people."""
    with gl.reading() as session:
        link = _link(session, token, "signin")
        row = session.get(CourseSession, link.session_id)
        course = session.get(Course, row.course_id)
        return {"title": course.title, "kind": course.kind, "provider": course.provider_name,
                "held_on": row.held_on, "starts_at": row.starts_at, "place": row.place, "hours": hours(row.minutes),
                "locked": link.failures >= SIGNIN_FAILURES_MAX}


def public_signin(gl: GuardLoop, token: str, data: dict) -> str:
    """A guardian signs in on their phone: name and the last four digits of their phone are matched to the
    district's register (a roster imported before, or an earlier sign-in); a guardian not yet registered
    (or two with the same name and digits) gives the full mobile number. Returns ``signed``, ``already``,
    ``need_phone`` or ``mismatch`` (a full number registered under another name). Failed matches are counted on the link, which locks after
    ``SIGNIN_FAILURES_MAX``; the answer never says whose name or number exists."""
    name = v.text(data, "name", max_len=80)
    last4 = v.text(data, "last4", required=False, max_len=4)
    phone = _phone(data)
    if not phone and not LAST4.fullmatch(last4 or ""):
        raise InvalidInput("last4", "请填写手机号码后四位。", "Enter the last four digits of your phone number.")
    with gl.transaction() as session:
        link = _link(session, token, "signin", lock=True)
        require(link.failures < SIGNIN_FAILURES_MAX, SIGNIN_LOCKED)
        row = session.get(CourseSession, link.session_id)
        course = session.get(Course, row.course_id)
        if phone:
            try:
                participant, _ = find_or_register(session, course.district_id, {"name": name, "phone": phone})
            except InvalidInput:   # the number is another guardian's: say no more than that it did not match
                link.failures += 1
                return "mismatch"
        else:
            found = session.scalars(select(Participant).where(
                Participant.district_id == course.district_id, Participant.name == name,
                Participant.phone_last4 == last4).limit(2)).all()
            if len(found) != 1:
                link.failures += 1
                return "need_phone"
            participant = found[0]
        link.uses += 1
        return "signed" if _attend(session, gl, None, row, course, participant, "qr") else "already"


# --- learning record and certificates ------------------------------------------------------------

def _certify_if_due(session, gl: GuardLoop, actor: Actor | None, participant: Participant,
                    school_year: int) -> Certificate | None:
    """结业证书: issued once per guardian and school year, when the year's minutes reach the setting."""
    minutes = year_minutes(session, participant.id, school_year)
    required = gl.settings.parent_school_year_minutes
    if minutes < required:
        return None
    if session.scalars(select(Certificate.id).where(Certificate.participant_id == participant.id,
                                                    Certificate.school_year == school_year)).first():
        return None
    district = session.get(District, participant.district_id)
    issuer = office_of(session, OFFICE_AGENCY, district.id).name
    sequence = next_value(session, f"ps_certificate:{district.code}:{school_year}")
    number = f"{district.code}家校结字〔{school_year}〕{sequence:05d}号"
    code = _new_code(session)
    start, end = year_bounds(school_year)
    kinds = dict(session.execute(select(Attendance.kind, func.sum(Attendance.minutes)).where(
        Attendance.participant_id == participant.id, Attendance.school_year == school_year)
        .group_by(Attendance.kind)).all())
    now = clock.now()
    snapshot = audit.plain({
        "name": participant.name, "school_year": school_year, "year_label": year_label(school_year)[0],
        "hours": hours(minutes), "required_hours": hours(gl.settings.parent_school_year_minutes),
        "kinds": [{"kind": COURSE_KINDS[k][0], "hours": hours(m)} for k, m in sorted(kinds.items())],
        "number": number, "issuer": {"name": issuer}, "issued_on": cn_date(clock.today()),
        "verification": {"code": code, "url": f"{gl.settings.verify_base_url}/verify/{code}"},
        "period": [start, end]})
    earned_on, running = None, 0
    for held_on, length in session.execute(select(Attendance.held_on, Attendance.minutes).where(
            Attendance.participant_id == participant.id, Attendance.school_year == school_year)
            .order_by(Attendance.held_on, Attendance.id)):
        running += length
        if running >= required:
            earned_on = held_on
            break
    certificate = Certificate(participant_id=participant.id, district_id=district.id, school_year=school_year,
                              number=number, code=code, minutes=minutes, earned_on=earned_on, issuer=issuer,
                              issued_at=now,
                              snapshot=snapshot)
    session.add(certificate)
    session.flush()
    audit.record(session, actor, "issue_certificate", "ps_certificate", certificate.id, None, None,
                 {"participant": participant.id, "school_year": school_year, "number": number, "minutes": minutes})
    return certificate


def _new_code(session) -> str:
    while True:
        raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
        code = f"{raw[:4]}-{raw[4:]}"
        if session.scalars(select(Certificate.id).where(Certificate.code == code)).first() is None and \
                session.scalars(select(DocumentRecord.id).where(DocumentRecord.verification_code == code)).first() is None:
            return code


def _record(session, participant: Participant) -> dict:
    years = session.execute(select(Attendance.school_year, func.count(Attendance.id),
                                   func.coalesce(func.sum(Attendance.minutes), 0))
                            .where(Attendance.participant_id == participant.id)
                            .group_by(Attendance.school_year).order_by(Attendance.school_year.desc())).all()
    certificates = {c.school_year: c for c in session.scalars(
        select(Certificate).where(Certificate.participant_id == participant.id))}
    classes = session.execute(select(Attendance, CourseSession, Course)
                              .join(CourseSession, CourseSession.id == Attendance.session_id)
                              .join(Course, Course.id == Attendance.course_id)
                              .where(Attendance.participant_id == participant.id)
                              .order_by(Attendance.held_on.desc())).all()
    districts = {d.id: d for d in session.scalars(select(District))}
    return {"participant": participant,
            "years": [{"year": y, "classes": n, "minutes": m, "certificate": certificates.get(y)} for y, n, m in years],
            "classes": [{"attendance": a, "session": s, "course": c, "district": districts.get(c.district_id)}
                        for a, s, c in classes]}


def learning_record(gl: GuardLoop, actor: Actor, participant_id) -> dict:
    """A guardian's learning record across schools and years (staff of the register's district): an access
    entry."""
    require_staff(actor)
    with gl.transaction() as session:
        participant = session.get(Participant, _id(participant_id))
        if participant is None or participant.district_id != actor.district_id:
            raise NotFound("学员不存在。", "No such participant.")
        audit.record(session, actor, "view_participant", "ps_participant", participant.id)
        return _record(session, participant)


def search_participants(gl: GuardLoop, actor: Actor, query: str) -> list[Participant]:
    """The register of the actor's district by name, phone or ID number (at most 50)."""
    require_staff(actor)
    query = v.text({"q": query}, "q", required=False, max_len=40)
    if not query:
        return []
    with gl.transaction() as session:
        p = Participant
        condition = (p.name == query) | (p.phone == query) | (p.id_number == query.upper()) | p.name.startswith(query, autoescape=True)
        found = session.scalars(select(p).where(p.district_id == actor.district_id, condition)
                                .order_by(p.name, p.id).limit(50)).all()
        audit.record(session, actor, "search_participants", "ps_participant", None, None, None,
                     {"query": query, "found": len(found)})
        return found


def case_learning(gl: GuardLoop, actor: Actor, case_id: int) -> dict:
    """For those on the case: the learning record of each guardian of the case linked to the register, and
    the course requirements of the current round's plan with the hours that count towards them. Opening it
    is an access entry."""
    with gl.transaction() as session:
        case = require_case(session, actor, case_id)
        linked = session.scalars(select(Participant).join(Guardian, Guardian.id == Participant.guardian_id)
                                 .where(Guardian.case_id == case.id).order_by(Participant.id)).all()
        guardians = {g.id: g for g in case.guardians}
        latest = session.scalar(select(func.max(Round.id)).where(Round.case_id == case.id))
        audit.record(session, actor, "view_case_learning", "case", case.id, case.id)
        return {"case": case, "records": [{"guardian": guardians.get(p.guardian_id), **_record(session, p)} for p in linked],
                "requirements": requirement_progress(session, latest) if latest else []}



def certificate_of(gl: GuardLoop, actor: Actor, certificate_id) -> Certificate:
    """A certificate for its download: staff of its district, or those on a case the guardian is linked to."""
    with gl.transaction() as session:
        certificate = session.get(Certificate, _id(certificate_id))
        if certificate is None:
            raise NotFound("证书不存在。", "No such certificate.")
        participant = session.get(Participant, certificate.participant_id)
        if not (is_staff(actor) and actor.district_id == certificate.district_id):
            guardian = session.get(Guardian, participant.guardian_id) if participant.guardian_id else None
            require(guardian is not None, CERTIFICATE_REFUSED)
            require_case(session, actor, guardian.case_id)
        audit.record(session, actor, "view_certificate", "ps_certificate", certificate.id)
        return certificate


def certificate_pdf(gl: GuardLoop, actor: Actor, certificate_id) -> tuple[Certificate, bytes]:
    """The certificate's PDF: rendered from its snapshot on first download, kept with its SHA-256."""
    certificate = certificate_of(gl, actor, certificate_id)
    if certificate.pdf is not None:
        return certificate, certificate.pdf
    pdf = gl.render("course_certificate", certificate.snapshot)
    with gl.transaction() as session:
        stored = session.get(Certificate, certificate.id, with_for_update=True)
        if stored.pdf is None:
            stored.pdf, stored.sha256 = pdf, hashlib.sha256(pdf).hexdigest()
        return stored, stored.pdf


def verify_certificate(gl: GuardLoop, code: str, pdf: bytes | None = None) -> dict | None:
    """Public verification: genuine or not, with the number, issuer, school year, hours and the masked name."""
    code = (code or "").strip().upper()
    with gl.reading() as session:
        certificate = session.scalars(select(Certificate).where(Certificate.code == code)).first()
        if certificate is None:
            return None
        return {"number": certificate.number, "issuer": certificate.issuer, "issued_on": certificate.issued_at,
                "year_label": year_label(certificate.school_year), "hours": hours(certificate.minutes),
                "name": mask_name(certificate.snapshot.get("name")),
                "hash_match": (hashlib.sha256(pdf).hexdigest() == certificate.sha256)
                if pdf is not None and certificate.sha256 else None}


# --- a guidance plan requiring courses -----------------------------------------------------------


def requirement_progress(session, round_id: int) -> list[dict]:
    """Each course requirement of the round's latest plan with the minutes that count towards it."""
    latest = session.scalar(select(func.max(GuidancePlan.id)).where(GuidancePlan.round_id == round_id))
    if latest is None:
        return []
    rows = session.scalars(select(PlanCourseRequirement).where(PlanCourseRequirement.plan_id == latest)
                           .order_by(PlanCourseRequirement.id)).all()
    out = []
    for r in rows:
        query = (select(func.coalesce(func.sum(Attendance.minutes), 0))
                 .join(Participant, Participant.id == Attendance.participant_id)
                 .where(Participant.guardian_id == r.guardian_id, Attendance.held_on >= r.since))
        kinds = [k for k in r.kinds.split(",") if k]
        if kinds:
            query = query.where(Attendance.kind.in_(kinds))
        out.append({"requirement": r, "kinds": kinds, "minutes": session.scalar(query) or 0,
                    "guardian": session.get(Guardian, r.guardian_id)})
    return out
