"""Case owners (承办人): in each agency on a case, the one person who carries it. The agency's supervisor
assigns the owner and hands the case over to another of the agency's people, always with a reason; each
assignment is an audit entry naming the owner before and after."""
from sqlalchemy import select

from .. import audit
from .. import validate as v
from ..clock import clock
from ..errors import Conflict, InvalidInput, PermissionDenied
from ..models import CaseOwner, User
from ..models.org import Agency
from ..permissions import require_case
from ..reference import NO_CASEWORK_ROLES

ASSIGNING_ROLES = ("supervisor",)


def _require_supervisor(actor) -> None:
    if actor.role not in ASSIGNING_ROLES:
        raise PermissionDenied("只有本机构督导可以指定或变更承办人。",
                               "Only the agency's supervisor may assign or hand over a case.")


def _candidates(session, actor, district_id: int):
    """The agency's people of the case's district who work on cases, by name."""
    return session.scalars(select(User).join(Agency, Agency.id == User.agency_id).where(
        Agency.code == actor.agency, User.district_id == district_id, User.active.is_(True),
        User.role.not_in(NO_CASEWORK_ROLES)).order_by(User.display_name, User.id)).all()


def owner_form(gl, actor, case_id: int) -> tuple:
    """The case, its owner in the supervisor's agency (or None) and whom the case can be given to."""
    _require_supervisor(actor)
    with gl.reading() as session:
        case = require_case(session, actor, case_id)
        current = session.get(CaseOwner, (case.id, actor.agency))
        return case, current, _candidates(session, actor, case.district_id)


def assign_owner(gl, actor, case_id: int, data: dict) -> None:
    """指定/变更承办人: ``owner`` (a user id), ``reason``, and ``expected_owner``: the owner the supervisor
    saw ("" for none); if the case changed hands since, nothing is written (``Conflict``)."""
    _require_supervisor(actor)
    reason = v.text(data, "reason", max_len=1000)
    owner_id = v.integer(data, "owner", low=1, high=2**31 - 1)
    expected = str(data.get("expected_owner") or "").strip()
    with gl.transaction() as session:
        case = require_case(session, actor, case_id)
        if owner_id not in {u.id for u in _candidates(session, actor, case.district_id)}:
            raise InvalidInput("owner", "承办人须为本机构在该区县办案的人员。",
                               "The owner must be one of your agency's caseworkers in the case's district.")
        current = session.get(CaseOwner, (case.id, actor.agency))
        if (str(current.user_id) if current else "") != expected:
            raise Conflict("该个案的承办人刚被变更，请刷新后查看。",
                           "The case's owner changed a moment ago; reload to see who it is now.")
        if current is not None and current.user_id == owner_id:
            raise InvalidInput("owner", "此人已是承办人。", "This person already owns the case.")
        before = {"owner": current.user_id} if current else None
        now = clock.now()
        if current is None:
            session.add(CaseOwner(case_id=case.id, agency_code=actor.agency, user_id=owner_id, assigned_by=actor.id,
                                  assigned_at=now, reason=reason))
        else:
            current.user_id, current.assigned_by, current.assigned_at, current.reason = owner_id, actor.id, now, reason
        session.flush()   # an insert or UPDATE … WHERE version = the one read: a second supervisor's is a Conflict
        audit.record(session, actor, "hand_over_case" if current else "assign_owner", "case_owner",
                     f"{case.id}:{actor.agency}", case.id, before,
                     {"owner": owner_id, "agency": actor.agency, "reason": reason})
