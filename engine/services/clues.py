"""Risk clues (风险线索) and opening a case (建档) from one."""
import re
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import or_, select

from engine.actor import Actor
from engine.auditlog import record as audit
from engine.context import GuardLoop
from engine.errors import Conflict, InvalidInput, NotFound
from engine.issuing.numbering import next_value
from engine.models import Case, CaseNote, District, Guardian, Notification, RiskClue
from engine.reads.access import can_see_clue, can_view_case, visible_cases
from engine.reference import CASE_TYPES, CLUE_SOURCES, CLUE_STATUSES, FAMILY_TYPES, RISK_FACTORS
from engine.rules import validate as v
from engine.rules.idcard import birth_date as id_birth_date, normalise_id, sex as id_sex
from engine.rules.permissions import COORDINATING_AGENCY, OPENING_REFUSED, may_open_case, require, require_casework
from engine.services.reports import route_report
from engine.services.webhooks import clue_changed
from engine.workflow.clock import CHINA_TZ, clock
from engine.workflow.notices import notify
from engine.workflow.rounds import join_case, start_round

FORM_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")

GUARDIAN_RELATIONS = ("father", "mother", "grandparent", "relative", "other")
DECIDED = ("opened", "rejected", "merged")


def require_opening_rights(actor: Actor) -> None:
    require(may_open_case(actor), OPENING_REFUSED)


def _child(data: dict) -> dict:
    birth = v.child_birth_date(data, "child_birth_date")
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


def _received_at(data: dict, birth: date) -> datetime:
    """When the clue came in: a date alone is now if it is today, the start of office hours otherwise."""
    value = data.get("received_at")
    if isinstance(value, datetime) or "T" in str(value or "") or " " in str(value or "").strip():
        moment = v.moment(data, "received_at")
    else:
        day = v.day(data, "received_at")
        moment = clock.now() if day == clock.today() else datetime.combine(day, time(9, 0), tzinfo=CHINA_TZ)
    if moment.date() < birth:
        raise InvalidInput("received_at", "接收日期不能早于儿童的出生日期。",
                           "The clue cannot have come in before the child was born.")
    return moment


def register_clue(gl: GuardLoop, actor: Actor, data: dict, *, form_token: str | None = None) -> int:
    """Register a risk clue as received (any agency; the clue belongs to the actor's district).

    ``form_token``: the one-time token of the form it was typed into. The same form sent again (back and
    resubmit, a double click) returns the clue it registered the first time instead of a second one."""
    require_casework(actor)
    token = _form_token(form_token)
    if token and (known := _registered_with(gl, actor, token)) is not None:
        return known
    child = _child(data)
    clue_fields = dict(
        source=v.choice(data, "source", CLUE_SOURCES), reporter_name=v.text(data, "reporter_name", max_len=80),
        reporter_contact=v.text(data, "reporter_contact", required=False, max_len=80),
        mandatory_report=v.boolean(data, "mandatory_report"),
        received_at=_received_at(data, date.fromisoformat(child["birth_date"])),
        description=v.text(data, "description", max_len=5000), child=child, guardians=_guardians(data),
        family_types=v.choices(data, "family_types", FAMILY_TYPES),
        risk_factors=v.choices(data, "risk_factors", RISK_FACTORS),
        linked_case_no=v.text(data, "linked_case_no", required=False, max_len=60) or None)
    try:
        with gl.transaction() as session:
            district = session.get(District, actor.district_id)
            year = clock.today().year
            seq = next_value(session, f"clue:{district.code}:{year}")
            clue = RiskClue(clue_no=f"{district.code}-XS-{year}-{seq:05d}", district_id=actor.district_id,
                            registered_by=actor.id, registering_agency=actor.agency, registered_at=clock.now(),
                            form_token=token, **clue_fields)
            session.add(clue)
            route_report(session, gl, clue)
            session.flush()
            audit.record(session, actor, "register_clue", "risk_clue", clue.id, None, None,
                         {"clue_no": clue.clue_no, "source": clue.source, "mandatory_report": clue.mandatory_report,
                          "report_to": clue.report_to})
            return clue.id
    except Conflict:
        if token and (known := _registered_with(gl, actor, token)) is not None:
            return known  # the same form, sent twice at once: the other request registered it
        raise


def _form_token(token) -> str | None:
    if token is None or token == "":
        return None
    if not isinstance(token, str) or not FORM_TOKEN.match(token):
        raise InvalidInput("form_token", "表单已失效，请重新打开登记页面。", "The form expired: open the form again.")
    return token


def _registered_with(gl: GuardLoop, actor: Actor, token: str) -> int | None:
    with gl.reading() as session:
        return session.scalars(select(RiskClue.id).where(RiskClue.registered_by == actor.id,
                                                         RiskClue.form_token == token)).first()


def registered_from_form(gl: GuardLoop, actor: Actor, token) -> str | None:
    """The number of the clue this form already registered, if it did (the page says so)."""
    try:
        token = _form_token(token)
    except InvalidInput:
        return None
    if not token:
        return None
    clue_id = _registered_with(gl, actor, token)
    if clue_id is None:
        return None
    with gl.reading() as session:
        return session.get(RiskClue, clue_id).clue_no


@dataclass(frozen=True)
class DuplicateCheck:
    """What the person registering a clue may learn: whether the child may be known already, and the
    numbers of only those matching cases their agency works on."""
    matched: bool
    own_cases: list


NO_MATCH = DuplicateCheck(False, [])
DUPLICATE_NOTICE = "duplicate_check"


def check_duplicates(gl: GuardLoop, actor: Actor, *, id_number=None, name=None, birth_date=None) -> DuplicateCheck:
    """Look for cases of the actor's district that may be the same child (the same ID number, or the same
    name and birth date) without disclosing another agency's case: its number is shown only to agencies
    on it; for the others the coordinating agency is notified. Every check that looks is logged."""
    require_casework(actor)
    conditions = _match_conditions(id_number, name, birth_date)
    if not conditions:
        return NO_MATCH
    with gl.transaction() as session:
        matches = session.execute(select(Case.id, Case.case_no, visible_cases(actor).label("visible"))
                                  .where(Case.district_id == actor.district_id, or_(*conditions))
                                  .order_by(Case.case_no)).all()
        hidden = [m.id for m in matches if not m.visible]
        for case_id in hidden:
            _notify_owner(session, actor, case_id)
        audit.record(session, actor, "check_duplicates", "risk_clue", None, None, None,
                     {"matched": len(matches), "cases": [m.id for m in matches], "notified": hidden})
    return DuplicateCheck(bool(matches), [m.case_no for m in matches if m.visible])


def _match_conditions(id_number, name, birth_date) -> list:
    conditions = []
    number = normalise_id(str(id_number or ""))[:18]
    if number:
        conditions.append(Case.child_id_number == number)
    try:
        born = v.day({"birth_date": birth_date}, "birth_date", required=False, not_future=False)
        name = v.text({"name": name}, "name", required=False, max_len=80)
    except InvalidInput:
        born = None  # the form reports the field when it is registered
    if name and born:
        conditions.append((Case.child_name == name) & (Case.child_birth_date == born))
    return conditions


def _notify_owner(session, actor: Actor, case_id: int) -> None:
    """Tell the coordinating agency once (while the note is unread) that another agency is registering a
    clue that matches its case."""
    unread = session.scalars(select(Notification.payload).where(
        Notification.case_id == case_id, Notification.kind == DUPLICATE_NOTICE, Notification.read_at.is_(None)))
    if any(p.get("user_id") == actor.id for p in unread):
        return
    notify(session, district_id=actor.district_id, agency=COORDINATING_AGENCY, kind=DUPLICATE_NOTICE,
           case_id=case_id, payload={"user_id": actor.id, "by": actor.display_name, "agency": actor.agency})


def view_clue_for_opening(gl: GuardLoop, actor: Actor, clue_id: int, *, log: bool = True) -> RiskClue:
    """The clue, for the page that decides on it (open a case, merge, reject); the view of the child's data
    is logged (``log``: showing a refused decision's page again is not a new view). A clue outside the
    actor's reach answers as a missing one."""
    require_opening_rights(actor)
    with (gl.transaction() if log else gl.reading()) as session:
        clue = _clue_in_reach(session, actor, clue_id)
        if log:
            audit.record(session, actor, "view_clue", "risk_clue", clue.id, clue.case_id)
        return clue


def _clue_in_reach(session, actor: Actor, clue_id: int, lock: bool = False) -> RiskClue:
    clue = session.get(RiskClue, clue_id, with_for_update=lock)
    if clue is None or not can_see_clue(session, actor, clue):
        raise NotFound("线索不存在。", "No such clue.")
    return clue


def open_case(gl: GuardLoop, actor: Actor, clue_id: int, data: dict) -> int:
    """Open a case (建档) from a clue and start its first round."""
    case_type = v.choice(data, "case_type", CASE_TYPES)
    with gl.transaction() as session:
        require_opening_rights(actor)
        clue = _clue_in_reach(session, actor, clue_id, lock=True)
        if clue.case_id is not None:
            raise InvalidInput("clue", "该线索已建档。", "A case was already opened from this clue.")
        _undecided(clue)
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
        clue_changed(session, clue, "clue.opened_as_case")   # the sending system's webhook, if any
        for agency in {actor.agency, clue.registering_agency, COORDINATING_AGENCY}:
            join_case(session, case.id, agency)
        audit.record(session, actor, "open_case", "case", case.id, case.id, None,
                     {"case_no": case.case_no, "clue_no": clue.clue_no, "case_type": case_type})
        start_round(session, gl, actor, case, "opened")
        return case.id


def _undecided(clue: RiskClue) -> None:
    if clue.case_id is not None or clue.status in DECIDED:
        raise Conflict(f"该线索已处理（{CLUE_STATUSES.get(clue.status, (clue.status,))[0]}），请刷新后查看。",
                       f"This clue was decided already ({CLUE_STATUSES.get(clue.status, ('', clue.status))[1]}); "
                       "reload to see it.")


def _decision_reason(data: dict) -> str:
    return v.text(data, "reason", max_len=2000)


def reject_clue(gl: GuardLoop, actor: Actor, clue_id: int, data: dict) -> None:
    """不予建档: a deciding agency decides that a clue becomes no case, with the reason the reporting agency
    will read on its "my clues" page (and the sending system through the API)."""
    reason = _decision_reason(data)
    with gl.transaction() as session:
        require_opening_rights(actor)
        clue = _clue_in_reach(session, actor, clue_id, lock=True)
        _undecided(clue)
        clue.status, clue.decision_reason, clue.decided_by, clue.decided_at = "rejected", reason, actor.id, clock.now()
        clue_changed(session, clue, "clue.rejected")
        audit.record(session, actor, "reject_clue", "risk_clue", clue.id, None, {"status": "received"},
                     {"status": "rejected", "reason": reason})


def merge_clue(gl: GuardLoop, actor: Actor, clue_id: int, data: dict) -> None:
    """合并: the clue is about a child and facts already known, as another clue (``into_clue``, its number)
    or an existing case (``into_case``, its number, a case of the actor's agency). Merged into a case, the
    clue's report is kept on the case as a note and the reporting agency joins the case, as it does a case
    opened from its clue; merged into a clue, it follows that clue."""
    reason = _decision_reason(data)
    into_clue = v.text(data, "into_clue", required=False, max_len=40)
    into_case = v.text(data, "into_case", required=False, max_len=40)
    if bool(into_clue) == bool(into_case):
        raise InvalidInput("into_case", "请填写要并入的线索编号或个案编号（二者填其一）。",
                           "Enter the clue number or the case number to merge into (one of them).")
    with gl.transaction() as session:
        require_opening_rights(actor)
        clue = _clue_in_reach(session, actor, clue_id, lock=True)
        _undecided(clue)
        now = clock.now()
        after = {"status": "merged", "reason": reason}
        if into_case:
            case = session.scalars(select(Case).where(Case.case_no == into_case.upper(),
                                                      Case.district_id == actor.district_id)).first()
            if case is None or not can_view_case(session, actor, case):
                raise InvalidInput("into_case", "未找到本机构参与办理的该个案。",
                                   "No case of that number that your agency works on.")
            clue.merged_case_id = case.id
            join_case(session, case.id, clue.registering_agency)
            session.add(CaseNote(case_id=case.id, occurred_on=clue.received_at.astimezone(CHINA_TZ).date(),
                                 kind="other", participants=clue.reporter_name[:300],
                                 body=f"线索{clue.clue_no}并入本案（{reason}）。线索内容：{clue.description}"[:5000],
                                 author_id=actor.id, author_agency=actor.agency, created_at=now))
            after["into_case"] = case.case_no
            case_id = case.id
        else:
            other = session.scalars(select(RiskClue).where(RiskClue.clue_no == into_clue.upper())).first()
            if other is None or other.id == clue.id or not can_see_clue(session, actor, other):
                raise InvalidInput("into_clue", "未找到可并入的该线索。", "No clue of that number to merge into.")
            if other.status in ("rejected", "merged"):
                raise InvalidInput("into_clue", "该线索本身已不予建档或已合并，请并入其他线索或个案。",
                                   "That clue was itself rejected or merged: merge into another clue or a case.")
            clue.merged_into_id = other.id
            after["into_clue"] = other.clue_no
            case_id = None
        clue.status, clue.decision_reason, clue.decided_by, clue.decided_at = "merged", reason, actor.id, now
        clue_changed(session, clue, "clue.merged")
        audit.record(session, actor, "merge_clue", "risk_clue", clue.id, case_id, {"status": "received"}, after)
