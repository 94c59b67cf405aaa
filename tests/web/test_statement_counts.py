"""The SQL statements a page costs are fixed here: a change that adds one to the inbox, a task form or a
completion fails, and whoever makes it decides whether the statement is worth it (update the count).

Counted as the application sends them (every statement through SQLAlchemy, the user loader's included;
SQLite's BEGIN and the commits go straight to the driver and are not counted)."""
import re

import pytest
from sqlalchemy import event, select

from engine.models import WorkItem

# user, counts by step, the page of work items, the measures those items are about, counts by task, open
# chases for the agency, code reviews due, unread notifications, the header's count of them, districts
INBOX = 10
# user, case, takes part, work item, round, the view (staged), providers, people named, the header's count
TASK_FORM = 9
# user, then the completion, which reads the form itself (case + round + permission; the handler reads the order's
# supervision, records the check and updates the supervision; task record, round state, chases of the done
# task resolved, work items, version) and its audit entry chained with the view staged by the form's GET
# (head, staged views, insert, delete staged, move head); no second read of the form; the task's holder
# (only they complete it), and for the new task the agency's people who may do it (its case owner takes it)
# and their notices
COMPLETION = 19


class Statements:
    def __init__(self, gl):
        self.engine, self.seen = gl.engine, []

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn, _cursor, statement, _params, _context, _many):
        self.seen.append(" ".join(statement.split())[:100])

    def __len__(self):
        return len(self.seen)


def _counted(gl, request):
    request()                        # warm: caches, the models parsed, the first connection
    with Statements(gl) as statements:
        response = request()
    return response, statements


def _check_item(gl):
    """A compliance check of an order in force, due from the court's judge."""
    with gl.reading() as s:
        return s.scalars(select(WorkItem).where(WorkItem.task_spec == "compliance_check", WorkItem.lane == "court")
                         .order_by(WorkItem.id)).first()


def test_the_inbox_costs_a_fixed_number_of_statements(gl, as_user):
    b = as_user("wf_caseworker")
    response, statements = _counted(gl, lambda: b.get("/"))
    assert response.status_code == 200
    assert len(statements) == INBOX, "\n".join(statements.seen)


def test_a_task_form_costs_a_fixed_number_of_statements(gl, as_user):
    item = _check_item(gl)
    b = as_user("judge")
    response, statements = _counted(gl, lambda: b.get(f"/cases/{item.case_id}/tasks/{item.task_id}"))
    assert response.status_code == 200
    assert len(statements) == TASK_FORM, "\n".join(statements.seen)


def test_a_completion_does_not_read_the_form_again(gl, as_user):
    item = _check_item(gl)
    b = as_user("judge")
    url = f"/cases/{item.case_id}/tasks/{item.task_id}"
    page = b.get(url).get_data(as_text=True)
    data = {"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page).group(1),
            "expected_version": re.search(r'name="expected_version" value="(\d+)"', page).group(1),
            "checked_on": page.split('name="checked_on"')[1].split('value="')[1].split('"')[0],
            "report_received": "on", "result": "complied", "notes": "按期报告。"}
    with Statements(gl) as statements:
        response = b.client.post(url, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert not any("view_task" in s for s in statements.seen)
    assert len(statements) == COMPLETION, "\n".join(statements.seen)


def test_the_benchmarks_trivial_page_is_the_app_with_one_query(gl):
    """``bench.wsgi``'s yardstick: the same app, session and layout as every page, and one query."""
    from bench.trivial import create_bench_app
    from tests.web.conftest import Browser
    app = create_bench_app({"TESTING": True, "SECRET_KEY": "test", "GUARDLOOP": gl})
    b = Browser(app.test_client())
    assert b.login("wf_caseworker").status_code == 302
    response, statements = _counted(gl, lambda: b.get("/bench/trivial"))
    assert response.status_code == 200 and 'class="top"' in response.get_data(as_text=True)
    # the user, the header's count of unread notifications, the one query
    assert [s.split()[0] for s in statements.seen] == ["SELECT", "SELECT", "SELECT"]
