"""GET /api/v1/orders: the judicial systems read the numbered documents issued on the cases their agency
takes part in (their district only), with delivery, supervision and compliance; nothing of the child."""
import pytest
from sqlalchemy import select

from engine.demo.cases import seed_demo
from engine.models import Case, CaseAgency, District, DocumentRecord
from engine.services import api_clients

from .conftest import Client, audit_rows, build_template, make_app


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory):
    return build_template(tmp_path_factory.mktemp("api-demo") / "demo.db", seed=seed_demo)


@pytest.fixture
def demo_app(demo_template, tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'guardloop.db'}", demo_template)
    yield app
    app.extensions["guardloop"].engine.dispose()


def client(app, name, agency, district="JB", scopes=("orders:read",)):
    gl = app.extensions["guardloop"]
    return Client(app, name, api_clients.create_client(gl, None, name=name, agency=agency, district=district,
                                                      scopes=list(scopes))[1])


def expected_ids(gl, agency, district="JB"):
    with gl.reading() as s:
        return sorted(s.scalars(
            select(DocumentRecord.id).join(Case, Case.id == DocumentRecord.case_id)
            .join(District, District.id == Case.district_id)
            .join(CaseAgency, (CaseAgency.case_id == Case.id) & (CaseAgency.agency_code == agency))
            .where(DocumentRecord.number.is_not(None), District.code == district)))


def get_all(c, **params):
    found, after = [], 0
    while after is not None:
        response = c.http.get("/api/v1/orders", query_string={**params, "after": after, "limit": 2},
                              headers=c.headers())
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        found += body["orders"]
        after = body["next_after"]
    return found


def test_a_court_reads_the_orders_on_its_cases_and_no_others(demo_app):
    gl = demo_app.extensions["guardloop"]
    court = client(demo_app, "jb-court", "court")
    orders = get_all(court)
    assert [o["id"] for o in orders] == expected_ids(gl, "court") and orders
    assert len(expected_ids(gl, "court")) < len(expected_ids(gl, "womens_federation"))  # not every order
    assert all(o["number"] for o in orders)
    delivered = [o for o in orders if o["delivery"]]
    supervised = [o for o in orders if o["supervision"]]
    assert delivered and supervised
    text = str(orders)
    with gl.reading() as s:
        for name, id_number in s.execute(select(Case.child_name, Case.child_id_number)):
            assert name not in text and (not id_number or id_number not in text)
    one = orders[0]
    only = court.http.get("/api/v1/orders", query_string={"case_no": one["case_no"]}, headers=court.headers())
    assert {o["case_no"] for o in only.get_json()["orders"]} == {one["case_no"]}
    calls = [r for r in audit_rows(gl, "view_api_call") if r.after["path"] == "/api/v1/orders"]
    views = audit_rows(gl, "view_orders")
    assert len(views) == len(calls) == -(-len(orders) // 2) + 1   # every page read is logged, as the client
    assert {r.user_id for r in views} == {calls[0].user_id} != {None}
    assert sorted(i for r in views[:-1] for i in r.after["documents"]) == [o["id"] for o in orders]


def test_another_district_and_a_missing_scope(demo_app):
    gl = demo_app.extensions["guardloop"]
    assert expected_ids(gl, "court")
    yz = client(demo_app, "yz-court", "court", district="YZ")
    assert get_all(yz) == expected_ids(gl, "court", "YZ") == []
    clues_only = client(demo_app, "jb-court-intake", "court", scopes=("clues:write",))
    response = clues_only.http.get("/api/v1/orders", headers=clues_only.headers())
    assert response.status_code == 403 and response.mimetype == "application/problem+json"
    reader = client(demo_app, "jb-court-2", "court")
    bad = reader.http.get("/api/v1/orders", query_string={"limit": 1000}, headers=reader.headers())
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "limit"
