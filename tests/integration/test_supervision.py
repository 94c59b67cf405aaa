"""Approvals as the models and the engine enforce them: orders approved before they are numbered, a
returned request comes back to its requester with the reason, the approval queue, and no code goes down
and no case closes without an approval on record."""
import pytest
from sqlalchemy import func, select

from engine import services
from engine.workflow.clock import clock
from engine.workflow.risk_codes import set_code
from engine.errors import Conflict, PermissionDenied
from engine.models import Approval, Case, DocumentRecord, RiskCodeChange, Round, WorkItem
from engine.reads.tasks import task_form
from engine.demo.scenario import scores

from .helpers import (
    answer_chases, assess, deliver, new_case, notify, open_specs, order, plan, propose, red_case_requesting_escalation,
    session, visit,
)


def _of(driver, case, agency):
    return [spec for spec, lane in open_specs(driver, case) if lane == agency]


def _orders(gl, case):
    with gl.reading() as s:
        return s.scalars(select(DocumentRecord).where(DocumentRecord.case_id == case,
                                                      DocumentRecord.doc_type == "supervision_order")).all()


def _to_order_approval(driver):
    case = new_case(driver, case_type="minor_victim")
    assess(driver, case, 18, ["criminal_victim"])
    propose(driver, case, notify=False, supervision_order=True)
    order(driver, case, "supervision_order", approve=False)
    return case


def test_a_drafted_order_is_numbered_only_when_its_head_of_department_approves(gl, driver):
    case = _to_order_approval(driver)
    assert _of(driver, case, "procuratorate") == ["approve_order"]
    assert _orders(gl, case) == []
    with pytest.raises(PermissionDenied):  # the drafting prosecutor cannot approve, nor another agency's head
        services.approve(gl, driver.actor("prosecutor"), case, "approved", "", driver.version(case))
    with pytest.raises(PermissionDenied):
        services.approve(gl, driver.actor("court_supervisor"), case, "approved", "", driver.version(case))
    services.approve(gl, driver.actor("pro_supervisor"), case, "approved", "同意", driver.version(case))
    (doc,) = _orders(gl, case)
    assert doc.number == f"江北检未督〔{clock.today().year}〕1号"
    assert doc.issued_by == driver.actor("prosecutor").id and doc.fields["approved_by"] == "江北检察院未检部主任·刘洋"
    assert _of(driver, case, "procuratorate") == ["deliver_order"]


def test_a_returned_draft_comes_back_to_the_officer_with_the_reason_and_is_never_numbered(gl, driver):
    case = _to_order_approval(driver)
    services.approve(gl, driver.actor("pro_supervisor"), case, "returned", "请写明履行报告的方式。",
                     driver.version(case))
    assert _of(driver, case, "procuratorate") == ["draft_order"]
    assert _orders(gl, case) == []
    item = driver.item(case, "draft_order")
    form = task_form(gl, driver.actor("prosecutor"), case, item.task_id)
    assert form["returned"].decision_reason == "请写明履行报告的方式。"
    assert form["returned"].payload["failings"] == "疏于照料", "the returned draft is kept for the officer"
    from .helpers import draft
    draft(driver, case, "supervision_order")
    services.approve(gl, driver.actor("pro_supervisor"), case, "approved", "", driver.version(case))
    assert [d.number is not None for d in _orders(gl, case)] == [True]
    with gl.reading() as s:
        decided = s.scalars(select(Approval.status).where(Approval.case_id == case).order_by(Approval.id)).all()
    assert decided == ["returned", "approved"]


def test_a_return_needs_a_reason(gl, driver):
    case = _to_order_approval(driver)
    from engine.errors import InvalidInput
    with pytest.raises(InvalidInput) as caught:
        services.approve(gl, driver.actor("pro_supervisor"), case, "returned", "  ", driver.version(case))
    assert caught.value.field == "reason"


def test_the_approval_queue_holds_what_the_agency_decides_and_decides_it(gl, driver):
    case = _to_order_approval(driver)
    queue = services.approval_queue(gl, driver.actor("pro_supervisor"))
    assert [(r.case_id, r.kind, r.subject) for r in queue] == [(case, "order", "supervision_order")]
    assert queue[0].child == "测***", "names are masked in the queue"
    assert services.approval_queue(gl, driver.actor("court_supervisor")) == []
    assert services.approval_queue(gl, driver.actor("wf_supervisor")) == []
    with pytest.raises(PermissionDenied):
        services.approval_queue(gl, driver.actor("prosecutor"))
    services.decide_approval(gl, driver.actor("pro_supervisor"), queue[0].approval_id, "approved", "",
                             queue[0].case_version)
    assert services.approval_queue(gl, driver.actor("pro_supervisor")) == []
    with pytest.raises(Conflict):  # decided already: a second click from a stale page changes nothing
        services.decide_approval(gl, driver.actor("pro_supervisor"), queue[0].approval_id, "approved", "",
                                 queue[0].case_version)


def test_an_escalation_waits_for_a_supervisor(gl, driver):
    case = red_case_requesting_escalation(driver)
    services.approve(gl, driver.actor("wf_supervisor"), case, "returned", "先补充一次入户回访。", driver.version(case))
    assert open_specs(driver, case) == [("decide_outcome", "womens_federation")]
    item = driver.item(case, "decide_outcome")
    assert task_form(gl, driver.actor("wf_caseworker"), case, item.task_id)["returned"].kind == "escalation"


def test_no_code_goes_down_without_an_approved_downgrade(gl, driver):
    case = new_case(driver)
    assess(driver, case, 18, ["serious_failure"])  # orange
    with gl.transaction() as s:
        c = s.get(Case, case)
        rnd = s.scalars(select(Round).where(Round.case_id == case)).one()
        runtime = gl.runtime(s, rnd.model_version)
        with pytest.raises(PermissionDenied, match="审批"):
            set_code(s, runtime, driver.actor("wf_supervisor"), c, rnd.id, "assessment", "yellow", "x", clock.now())
        pending = Approval(case_id=case, round_id=rnd.id, kind="downgrade", status="pending", from_code="orange",
                           to_code="yellow", request_reason="x", requested_by=driver.actor("wf_caseworker").id,
                           requested_at=clock.now())
        s.add(pending)
        s.flush()
        with pytest.raises(PermissionDenied):  # pending is not approved
            set_code(s, runtime, driver.actor("wf_supervisor"), c, rnd.id, "downgrade", "yellow", "x", clock.now(),
                     approval=pending)
        set_code(s, runtime, driver.actor("wf_supervisor"), c, rnd.id, "upgrade", "red", "新事件", clock.now())
        assert c.current_code == "red", "going up needs no approval"
        s.rollback()


def test_a_later_round_assessed_lower_keeps_the_current_code(gl, driver):
    case = new_case(driver, case_type="minor_victim")
    assess(driver, case, 18, ["criminal_victim"])  # orange
    propose(driver, case)
    notify(driver, case)
    plan(driver, case, sessions=1)
    driver.advance(3)
    session(driver, case)
    for _ in range(4):
        driver.advance(14)
        visit(driver, case)
    driver.advance(5)
    answer_chases(driver, case)
    driver.do("wf_caseworker", case, "reassess", {**scores(20), "risk_factors": ["criminal_victim"], "summary": "未降"})
    driver.do("wf_caseworker", case, "decide_outcome", {"outcome": "another_round", "reason": "继续干预"})
    assess(driver, case, 3, [])  # round 2: blue by the scores alone
    with gl.reading() as s:
        c = s.get(Case, case)
        assert c.current_code == "orange"
        latest = s.scalars(select(RiskCodeChange).where(RiskCodeChange.case_id == case)
                           .order_by(RiskCodeChange.id.desc())).first()
        assert (latest.kind, latest.code, latest.previous_code) == ("assessment", "orange", "orange")
        assert "降级须经审批" in latest.reason
        rnd = s.scalars(select(Round).where(Round.case_id == case, Round.status == "running")).one()
        assert rnd.risk_code == "orange"
        items = s.scalars(select(WorkItem.task_spec).where(WorkItem.case_id == case)).all()
        assert sorted(items) == ["await_visit", "draft_guidance_plan", "propose_measures"]


def test_a_case_never_closes_without_an_approved_closure(gl, driver):
    from engine.services.cases import close_case
    case = new_case(driver)
    with gl.transaction() as s:
        c = s.get(Case, case)
        rnd = s.scalars(select(Round).where(Round.case_id == case)).one()
        with pytest.raises(PermissionDenied, match="审批"):
            close_case(s, gl, driver.actor("wf_supervisor"), c, rnd)
        s.rollback()
    with gl.reading() as s:
        assert s.get(Case, case).status == "open"
        assert s.scalar(select(func.count(DocumentRecord.id)).where(DocumentRecord.doc_type == "closure_report")) == 0


def test_late_deliveries_and_sessions_are_chased_beside_the_work_never_instead_of_it(gl, driver):
    from engine.models import Chase
    case = _to_order_approval(driver)
    services.approve(gl, driver.actor("pro_supervisor"), case, "approved", "", driver.version(case))
    driver.advance(5.1)  # a supervision order is served within 5 days of its approval
    (chase,) = services.open_chases(gl, driver.actor("pro_supervisor"))
    assert (chase.case_id, chase.kind, chase.late_agency, chase.times) == (case, "delivery", "procuratorate", 1)
    assert services.open_chases(gl, driver.actor("wf_supervisor")) == []
    assert "deliver_order" in _of(driver, case, "procuratorate"), "the chase never takes the task away"
    with pytest.raises(PermissionDenied):
        services.answer_chase(gl, driver.actor("prosecutor"), chase.chase_id, {"explanation": "x", "action": "y"})
    driver.advance(3)  # every 3 days again until it is served
    assert services.open_chases(gl, driver.actor("pro_supervisor"))[0].times == 2
    services.answer_chase(gl, driver.actor("pro_supervisor"), chase.chase_id,
                          {"explanation": "监护人外出务工未能及时送达。", "action": "已电话联系，约定本周送达。"})
    with pytest.raises(Conflict):
        services.answer_chase(gl, driver.actor("pro_supervisor"), chase.chase_id, {"explanation": "x", "action": "y"})
    deliver(driver, case, "supervision_order")
    driver.advance(3)
    with gl.reading() as s:
        row = s.get(Chase, chase.chase_id)
        assert row.times == 2 and row.resolved_at is not None, "served: the chase stops"
    plan(driver, case, sessions=2)
    driver.advance(60)
    kinds = {c.kind for c in services.open_chases(gl, driver.actor("wf_supervisor")) if c.case_id == case}
    assert "session" in kinds
