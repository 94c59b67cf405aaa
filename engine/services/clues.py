"""Risk clues (风险线索) and opening a case (建档) from one."""
from datetime import datetime, time

from sqlalchemy import or_, select

from .. import audit
from ..clock import CHINA_TZ, clock
from ..errors import InvalidInput, NotFound, PermissionDenied
from ..idcard import birth_date as id_birth_date, sex as id_sex
from ..models import Case, Guardian, RiskClue
from ..numbering import next_value
from ..permissions import require_casework
from ..reference import CASE_TYPES, CLUE_SOURCES, FAMILY_TYPES, RISK_FACTORS
from ..permissions import COORDINATING_AGENCY
from ..rounds import join_case, start_round
from .. import validate as v
from ..models import District

OPENING_AGENCIES = ("womens_federation", "procuratorate", "court")
GUARDIAN_RELATIONS = ("father", "mother", "grandparent", "relative", "other")


def require_opening_rights(actor) -> None:
    if actor.agency not in OPENING_AGENCIES or actor.role not in ("caseworker", "prosecutor", "judge", "supervisor"):
        raise PermissionDenied("仅妇联、检察院、法院的办案人员可以建档。",
                               "Only caseworkers of the women's federation, procuratorate or court open cases.")


def _child(data: dict) -> dict:
    birth = v.day(data, "child_birth_date")
    today = clock.today()
    if (today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))) >= 18:
        raise InvalidInput("child_birth_date", "儿童应未满 18 周岁。", "The child must be under 18.")
    sex = v.choice(data, "child_sex", ("M", "F"))
    number = v.id_number(data, "child_id_number")
    if number and id_birth_date(number) != birth:
        raise InvalidInput("child_id_number", "身份证号码与出生日期不一致。",
                           "The ID number does not match the birth date.")
    if number and id_sex(number) != sex:
        raise InvalidInput("child_id_number", "身份证号码与性别不一致。", "The ID number does not match the sex.")
    return {"name": v.text(data, "child_name", max_len=80), "sex": sex, "birth_date": birth.isoformat(),
            "id_number": number, "school": v.text(data, "child_school", required=False, max_len=120),
            "address": v.text(data, "child_address", required=False, max_len=200)}


def _guardians(data: dict) -> list[dict]:
    rows = data.get("guardians") or []
    if not isinstance(rows, list):
        raise InvalidInput("guardians", "监护人信息格式无效。", "Guardians must be a list.")
    result = []
    for index, row in enumerate(rows):
        if not any(str(x).strip() for x in row.values() if x not in (None, False, True)):
            continue  # an empty form row (a tick box alone does not make a person)
        try:
            result.append({
                "name": v.text(row, "name", max_len=80),
                "relation": v.choice(row, "relation", GUARDIAN_RELATIONS),
                "is_guardian": v.boolean(row, "is_guardian"),
                "phone": v.text(row, "phone", required=False, max_len=40),
                "id_number": v.id_number(row, "id_number"),
                "address": v.text(row, "address", required=False, max_len=200),
            })
        except InvalidInput as exc:
            raise InvalidInput(f"guardians-{index}-{exc.field}", exc.message, exc.message_en) from None
    return result


def _received_at(data: dict) -> datetime:
    value = data.get("received_at")
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=CHINA_TZ)
    else:
        try:
            text = str(value or "").strip()
            if "T" in text or " " in text:
                moment = datetime.fromisoformat(text)
            else:  # a date alone: now if it is today, the start of office hours otherwise
                day = v.day(data, "received_at")
                moment = clock.now() if day == clock.today() else datetime.combine(day, time(9, 0))
        except ValueError:
            raise InvalidInput("received_at", "接收时间格式无效。", "The time received is not valid.") from None
        moment = moment if moment.tzinfo else moment.replace(tzinfo=CHINA_TZ)
    if moment > clock.now():
        raise InvalidInput("received_at", "接收时间不能晚于现在。", "The time received cannot be in the future.")
    return moment


def register_clue(gl, actor, data: dict) -> int:
    """Register a risk clue as received (any agency; the clue belongs to the actor's district)."""
    require_casework(actor)
    clue_fields = dict(
        source=v.choice(data, "source", CLUE_SOURCES), reporter_name=v.text(data, "reporter_name", max_len=80),
        reporter_contact=v.text(data, "reporter_contact", required=False, max_len=80),
        mandatory_report=v.boolean(data, "mandatory_report"), received_at=_received_at(data),
        description=v.text(data, "description", max_len=5000), child=_child(data), guardians=_guardians(data),
        family_types=v.choices(data, "family_types", FAMILY_TYPES),
        risk_factors=v.choices(data, "risk_factors", RISK_FACTORS),
        linked_case_no=v.text(data, "linked_case_no", required=False, max_len=60) or None)
    with gl.transaction() as session:
        district = session.get(District, actor.district_id)
        year = clock.today().year
        seq = next_value(session, f"clue:{district.code}:{year}")
        clue = RiskClue(clue_no=f"{district.code}-XS-{year}-{seq:05d}", district_id=actor.district_id,
                        registered_by=actor.id, registering_agency=actor.agency, registered_at=clock.now(),
                        **clue_fields)
        session.add(clue)
        session.flush()
        audit.record(session, actor, "register_clue", "risk_clue", clue.id, None, None,
                     {"clue_no": clue.clue_no, "source": clue.source, "mandatory_report": clue.mandatory_report})
        return clue.id


def find_duplicates(gl, actor, *, id_number=None, name=None, birth_date=None) -> list[str]:
    """Case numbers in the actor's district that may be the same child (same ID number, or same name
    and birth date). Only numbers are returned: the actor may not work on those cases."""
    conditions = []
    birth_date = v.day({"birth_date": birth_date}, "birth_date", required=False, not_future=False)
    if id_number:
        conditions.append(Case.child_id_number == id_number.upper())
    if name and birth_date:
        conditions.append((Case.child_name == name) & (Case.child_birth_date == birth_date))
    if not conditions:
        return []
    with gl.reading() as session:
        return list(session.scalars(select(Case.case_no).where(
            Case.district_id == actor.district_id, or_(*conditions)).order_by(Case.case_no)))


def open_case(gl, actor, clue_id: int, data: dict) -> int:
    """Open a case (建档) from a clue and start its first round."""
    case_type = v.choice(data, "case_type", CASE_TYPES)
    with gl.transaction() as session:
        clue = session.get(RiskClue, clue_id, with_for_update=True)
        if clue is None:
            raise NotFound("线索不存在。", "No such clue.")
        if clue.district_id != actor.district_id:
            raise PermissionDenied("该线索不属于您的辖区。", "This clue is not in your district.")
        require_opening_rights(actor)
        if clue.case_id is not None:
            raise InvalidInput("clue", "该线索已建档。", "A case was already opened from this clue.")
        district = session.get(District, clue.district_id)
        year = clock.today().year
        seq = next_value(session, f"case:{district.code}:{year}")
        child = clue.child
        case = Case(
            case_no=gl.settings.case_no_format.format(district=district.code, year=year, seq=seq),
            district_id=clue.district_id, case_type=case_type, status="open", child_name=child["name"],
            child_sex=child["sex"], child_birth_date=datetime.fromisoformat(child["birth_date"]).date(),
            child_id_number=child["id_number"], child_school=child["school"], child_address=child["address"],
            family_types=clue.family_types, risk_factors=clue.risk_factors, linked_case_no=clue.linked_case_no,
            opened_by=actor.id, opened_at=clock.now(), updated_at=clock.now(),
            guardians=[Guardian(**g) for g in clue.guardians])
        session.add(case)
        session.flush()
        clue.case_id, clue.status = case.id, "opened"
        for agency in {actor.agency, clue.registering_agency, COORDINATING_AGENCY}:
            join_case(session, case.id, agency)
        audit.record(session, actor, "open_case", "case", case.id, case.id, None,
                     {"case_no": case.case_no, "clue_no": clue.clue_no, "case_type": case_type})
        start_round(session, gl, actor, case, "opened")
        return case.id
