"""GET /api/v1/orders names the 案号 each agency gave the case in its own system."""
from sqlalchemy import select

from engine.actor import actor_by_username
from engine.models import Case, CaseAgency, DocumentRecord
from engine.services import external_refs

from .test_orders import client, demo_app, demo_template, get_all  # noqa: F401 (fixtures)


def test_orders_carry_the_external_numbers(demo_app):  # noqa: F811
    gl = demo_app.extensions["guardloop"]
    with gl.reading() as s:
        judge = actor_by_username(s, "judge")
        case_id = s.scalars(select(DocumentRecord.case_id).join(Case, Case.id == DocumentRecord.case_id)
                            .join(CaseAgency, (CaseAgency.case_id == Case.id) & (CaseAgency.agency_code == "court"))
                            .where(DocumentRecord.number.is_not(None), Case.district_id == judge.district_id)).first()
    external_refs.set_refs(gl, judge, case_id, ["（2026）渝0105民特12号"])
    orders = get_all(client(demo_app, "jb-court", "court"))
    with gl.reading() as s:
        case_no = s.get(Case, case_id).case_no
    mine = [o for o in orders if o["case_no"] == case_no]
    assert mine and all(o["external_refs"] == {"court": ["（2026）渝0105民特12号"]} for o in mine)
    assert all(o["external_refs"] == {} for o in orders if o["case_no"] != case_no)
