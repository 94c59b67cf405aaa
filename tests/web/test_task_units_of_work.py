"""A task page costs one unit of work: its GET reads what the form shows and logs the view in one
transaction; its POST reads nothing before the completion's own transaction (which reads the form's fields
itself) and logs no view; a refused POST shows the form again with one read and no second view."""
import inspect
import os
from contextlib import contextmanager

import pytest
from sqlalchemy import func, select

from engine.models import AuditEntry, AuditStaged, Case, WorkItem

TASKS_VIEW = os.path.join("web", "tasks.py")


class UnitsOfWork:
    """The units of work (``gl.transaction``, ``gl.reading``) the task view opens, in order. The user loader's
    read and the layout's (the header's count of unread notifications, read while a template renders) are
    every page's, not the view's."""

    def __init__(self, gl, monkeypatch):
        self.opened = []
        for kind in ("transaction", "reading"):
            monkeypatch.setattr(gl, kind, self._counted(kind, getattr(gl, kind)))

    def _counted(self, kind, open_unit):
        @contextmanager
        def unit():
            files = [frame.filename for frame in inspect.stack(0)]
            if any(f.endswith(TASKS_VIEW) for f in files) and not any(f.endswith(".html") for f in files):
                self.opened.append(kind)
            with open_unit() as session:
                yield session
        return unit

    def clear(self):
        self.opened.clear()


@pytest.fixture
def units(gl, monkeypatch):
    return UnitsOfWork(gl, monkeypatch)


@pytest.fixture
def investigation(gl):
    with gl.reading() as s:
        return s.scalars(select(WorkItem).where(WorkItem.task_spec == "social_investigation")
                         .order_by(WorkItem.id)).first()


def _views(gl, item) -> int:
    with gl.reading() as s:
        return sum(s.scalar(select(func.count()).select_from(model).where(
            model.action == "view_task", model.entity_id == item.task_id)) for model in (AuditEntry, AuditStaged))


def _version(gl, item) -> str:
    with gl.reading() as s:
        return str(s.get(Case, item.case_id).version)


def _url(item):
    return f"/cases/{item.case_id}/tasks/{item.task_id}"


def test_a_task_page_get_is_one_unit_of_work_that_logs_the_view_once(gl, as_user, investigation, units):
    b = as_user("wf_caseworker")
    before = _views(gl, investigation)
    units.clear()
    response = b.get(_url(investigation))
    assert response.status_code == 200
    assert units.opened == ["transaction"]
    assert _views(gl, investigation) == before + 1


def test_a_task_post_reads_nothing_before_the_completion_and_logs_no_view(gl, as_user, investigation, units):
    b = as_user("wf_caseworker")
    token = b.token(_url(investigation))
    before = _views(gl, investigation)
    units.clear()
    response = b.client.post(_url(investigation), data={
        "csrf_token": token, "expected_version": _version(gl, investigation), "investigated_on": "2026-11-01",
        "findings": "走访了解家庭情况"})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert units.opened == ["transaction"]      # the completion's, and nothing before it
    assert _views(gl, investigation) == before


def test_a_refused_task_post_shows_the_form_again_with_one_read_and_no_second_view(gl, as_user, investigation,
                                                                                   units):
    b = as_user("wf_caseworker")
    token = b.token(_url(investigation))
    before = _views(gl, investigation)
    units.clear()
    response = b.client.post(_url(investigation), data={
        "csrf_token": token, "expected_version": _version(gl, investigation), "investigated_on": "2026-11-01",
        "findings": ""})
    assert response.status_code == 422
    assert units.opened == ["transaction", "reading"]   # the refused completion, then the form's read
    assert _views(gl, investigation) == before
