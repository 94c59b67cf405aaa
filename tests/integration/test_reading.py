"""Read-only units of work: nothing a reader writes is ever committed, and on PostgreSQL a reader leaves the
connection's prepared statements in place (psycopg discards them all on ROLLBACK)."""
import pytest
from sqlalchemy import select, text

from engine.models import Case

from .helpers import new_case


def test_a_reader_that_flushed_a_change_commits_nothing(gl, driver):
    case_id = new_case(driver)
    with gl.reading() as s:
        case = s.get(Case, case_id)
        original = case.child_name
        case.child_name = "不应保存"
        s.flush()                       # the change reached the database inside the read transaction
        assert s.scalar(select(Case.child_name).where(Case.id == case_id)) == "不应保存"
    with gl.reading() as s:
        assert s.scalar(select(Case.child_name).where(Case.id == case_id)) == original


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_readers_keep_the_connections_prepared_statements(gl, driver):
    case_id = new_case(driver)
    gl.engine.dispose()                 # one fresh connection for what follows
    statement = select(Case.case_no).where(Case.id == case_id)
    for _ in range(8):                  # psycopg prepares a statement on its 6th execution
        with gl.reading() as s:
            s.scalar(statement)
    with gl.reading() as s:
        prepared = s.scalar(text("SELECT count(*) FROM pg_prepared_statements"))
    assert prepared >= 1
