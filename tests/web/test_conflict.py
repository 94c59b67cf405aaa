"""Two people on the same task: the second gets 409, a clear message, and keeps what they typed."""
from sqlalchemy import func, select

from engine.models import GuidanceSession, TaskRecord, WorkItem


def _form_state(page):
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    version = page.split('name="expected_version" value="')[1].split('"')[0]
    return token, version


def test_completing_a_task_someone_else_just_completed_is_a_409_that_keeps_the_input(gl, as_user):
    with gl.reading() as s:
        item = s.scalars(select(WorkItem).where(WorkItem.task_spec == "social_investigation")).first()
    url = f"/cases/{item.case_id}/tasks/{item.task_id}"
    first, second = as_user("wf_caseworker"), as_user("wf_caseworker2")
    token, version = _form_state(second.get(url).get_data(as_text=True))   # the second tab was opened first
    done = first.post(url, {"investigated_on": "2026-11-01", "findings": "第一人的调查", "expected_version": version})
    assert done.status_code == 302
    late = second.client.post(url, data={"csrf_token": token, "expected_version": version,
                                         "investigated_on": "2026-11-02", "findings": "第二人写的很长的调查记录"})
    body = late.get_data(as_text=True)
    assert late.status_code == 409
    assert "第二人写的很长的调查记录" in body and "刷新" in body
    with gl.reading() as s:
        records = s.scalars(select(TaskRecord).where(TaskRecord.task_id == item.task_id)).all()
    assert [r.data["findings"] for r in records] == ["第一人的调查"]


def _session_page(gl):
    with gl.reading() as s:
        item = s.scalars(select(WorkItem).where(WorkItem.task_spec == "await_session")).first()
    return item.case_id, f"/cases/{item.case_id}/sessions/new"


def test_a_stale_record_form_shows_409_with_the_typed_text_and_records_nothing(gl, as_user):
    case_id, url = _session_page(gl)
    b = as_user("wf_counsellor")
    token, version = _form_state(b.get(url).get_data(as_text=True))
    with gl.reading() as s:
        before = s.scalar(select(func.count(GuidanceSession.id)).where(GuidanceSession.case_id == case_id))
    response = b.client.post(url, data={"csrf_token": token, "expected_version": int(version) - 1,
                                        "kind": "counselling", "held_on": "2026-11-01", "minutes": "45",
                                        "notes": "保留我写的内容"})
    body = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "保留我写的内容" in body and 'value="45"' in body and "刷新" in body
    assert _form_state(body)[1] == version, "sent again, it is checked against the case as it is now"
    with gl.reading() as s:
        assert s.scalar(select(func.count(GuidanceSession.id)).where(GuidanceSession.case_id == case_id)) == before


def test_bad_input_is_a_422_naming_the_field_and_keeping_the_rest(gl, as_user):
    _, url = _session_page(gl)
    b = as_user("wf_counsellor")
    response = b.post(url, {"expected_version": _form_state(b.get(url).get_data(as_text=True))[1],
                            "kind": "case_guidance", "held_on": "2099-01-01", "minutes": "45",
                            "notes": "<script>alert(1)</script>"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="held_on-error"' in body and 'aria-invalid="true"' in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "<script>alert(1)" not in body
