"""The 案号 a judicial agency gives a case in its own system (issue 18): the procuratorate's, the court's and
the police's case numbers (e.g. 渝北检未立〔2026〕12号), recorded on the case by that agency, edited by it
alone, read by everyone on the case and by the agency's own systems through the API, which may also find
a case by one of them.

Each agency's numbers are replaced as a whole (``set_refs``: the list it keeps now), in one unit of work
that locks the case row, with the list before and after in the audit entry."""
import re
from dataclasses import dataclass

from sqlalchemy import delete, select

from engine.actor import Actor
from engine.auditlog import record as audit
from engine.context import GuardLoop
from engine.errors import InvalidInput, NotFound
from engine.models import Case, CaseExternalRef
from engine.reads.access import require_case, require_case_and_round, visible_cases
from engine.reads.external_refs import refs_by_agency
from engine.rules.permissions import REF_REFUSED, may_record_case_numbers, require
from engine.workflow.clock import clock

# the agencies with case systems of their own, whose numbers a case may carry
REF_MIN, REF_MAX = 4, 60
REFS_PER_AGENCY = 5
# Chinese characters, ASCII letters and digits, the brackets of a 案号 (〔〕 [] () （） 【】), dashes, dots,
# slashes, the middle dot and a single space between parts
_CHARS = re.compile(r"^[0-9A-Za-z\u3400-\u4dbf\u4e00-\u9fff〔〕\[\]()（）【】\-－—_.．/／· ]+$")
_SPACES = re.compile(r"\s+")


def normalise_ref(value, field: str = "refs") -> str:
    """One 案号, checked: 4 to 60 characters of the 案号 charset, with a digit; spaces collapsed."""
    if not isinstance(value, str):
        raise InvalidInput(field, "案号应为文本。", "A case number is text.")
    text = _SPACES.sub(" ", value).strip()
    if len(text) < REF_MIN or len(text) > REF_MAX:
        raise InvalidInput(field, f"案号应为 {REF_MIN} 至 {REF_MAX} 个字符。",
                           f"A case number has {REF_MIN} to {REF_MAX} characters.")
    if not _CHARS.match(text):
        raise InvalidInput(field, "案号只能包含汉字、字母、数字和〔〕()[]【】-_./· 等符号。",
                           "A case number has Chinese characters, letters, digits and 〔〕()[]【】-_./· only.")
    if not any(ch.isdigit() for ch in text):
        raise InvalidInput(field, "案号应包含数字（年份或序号）。", "A case number contains digits (a year or a number).")
    return text


def normalise_refs(values, field: str = "refs") -> list[str]:
    if isinstance(values, str):
        values = [part for part in re.split(r"[\r\n;；]+", values)]
    if not isinstance(values, (list, tuple)):
        raise InvalidInput(field, "案号应为列表。", "Case numbers are a list.")
    refs = []
    for value in values:
        if isinstance(value, str) and not value.strip():
            continue
        ref = normalise_ref(value, field)
        if ref not in refs:
            refs.append(ref)
    if len(refs) > REFS_PER_AGENCY:
        raise InvalidInput(field, f"每个单位最多登记 {REFS_PER_AGENCY} 个案号。",
                           f"An agency records at most {REFS_PER_AGENCY} case numbers.")
    return refs


def require_ref_agency(actor: Actor) -> None:
    require(may_record_case_numbers(actor), REF_REFUSED)


def set_refs(gl: GuardLoop, actor: Actor, case_id: int, refs) -> list[str]:
    """Replace the actor's agency's case numbers on the case with ``refs``; returns them as kept. Only an
    agency on the case, in its district, with a case system of its own (``REF_AGENCIES``)."""
    require_ref_agency(actor)
    refs = normalise_refs(refs)
    with gl.transaction() as session:
        case, _ = require_case_and_round(session, actor, case_id, for_update=True)
        rows = session.scalars(select(CaseExternalRef).where(CaseExternalRef.case_id == case.id,
                                                             CaseExternalRef.agency_code == actor.agency)
                               .order_by(CaseExternalRef.id)).all()
        before = [row.ref_no for row in rows]
        if before == refs:
            return refs
        gone = [row.id for row in rows if row.ref_no not in refs]
        if gone:
            session.execute(delete(CaseExternalRef).where(CaseExternalRef.id.in_(gone)))
        now = clock.now()
        for ref in refs:
            if ref not in before:
                session.add(CaseExternalRef(case_id=case.id, agency_code=actor.agency, ref_no=ref, created_at=now,
                                            created_by=actor.id))
        audit.record(session, actor, "set_external_refs", "case", case.id, case.id, {"refs": before},
                     {"agency": actor.agency, "refs": refs})
    return refs


@dataclass(frozen=True)
class Ref:
    agency: str
    ref_no: str


def refs_of(session, case_id: int) -> list[Ref]:
    """The case's external numbers, by agency then as recorded (no permission check: for the case's pages
    and documents, which check it)."""
    rows = session.scalars(select(CaseExternalRef).where(CaseExternalRef.case_id == case_id)
                           .order_by(CaseExternalRef.agency_code, CaseExternalRef.id)).all()
    return [Ref(row.agency_code, row.ref_no) for row in rows]



def case_refs(gl: GuardLoop, actor: Actor, case_id: int) -> list[Ref]:
    """The external numbers of a case the actor may see."""
    with gl.reading() as session:
        require_case(session, actor, case_id)
        return refs_of(session, case_id)


def case_by_no(gl: GuardLoop, actor: Actor, case_no: str) -> int:
    """The id of the case numbered ``case_no`` that the actor may see (another is as missing)."""
    with gl.reading() as session:
        case_id = session.scalars(select(Case.id).where(Case.case_no == str(case_no or "")[:40],
                                                        visible_cases(actor))).first()
    if case_id is None:
        raise NotFound("个案不存在。", "No such case.")
    return case_id


def lookup(gl: GuardLoop, actor: Actor, ref_no: str) -> list[dict]:
    """The cases the actor may see that carry the 案号 ``ref_no`` (any agency's), with all their numbers;
    nothing of the child. The look-up is logged."""
    ref = normalise_ref(ref_no, "external_ref")
    with gl.transaction() as session:
        rows = session.execute(select(Case.id, Case.case_no, Case.status).where(
            visible_cases(actor),
            Case.id.in_(select(CaseExternalRef.case_id).where(CaseExternalRef.ref_no == ref)))
            .order_by(Case.case_no)).all()
        refs = refs_by_agency(session, [row.id for row in rows])
        audit.record(session, actor, "view_external_ref_lookup", "case", None, None, None,
                     {"ref_no": ref, "cases": [row.id for row in rows]})
        return [{"case_no": row.case_no, "status": row.status, "external_refs": refs.get(row.id, {})}
                for row in rows]


def case_number(gl: GuardLoop, actor: Actor, case_id: int) -> str:
    """The number of a case the actor may see (for a page's heading)."""
    with gl.reading() as session:
        return require_case(session, actor, case_id).case_no
