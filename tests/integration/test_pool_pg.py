"""PostgreSQL connections from the pool: pinged only after lying idle, so a request's checkouts cost no
round trip in steady use, and a connection the server closed while idle is replaced before use."""
import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from engine.infra import db

pytestmark = pytest.mark.parametrize("database_url", [pytest.param("postgres", marks=pytest.mark.postgres)],
                                     indirect=True)


def _backend_pid(gl) -> int:
    with gl.reading() as session:
        return session.execute(text("SELECT pg_backend_pid()")).scalar()


def _terminate(gl, pid: int) -> None:
    from tests.conftest import _pg_admin
    admin = _pg_admin()
    with admin.connect() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid}).scalar()
    admin.dispose()


def test_a_connection_closed_while_idle_is_replaced_before_use(gl, monkeypatch):
    first = _backend_pid(gl)
    _terminate(gl, first)
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)   # as if it had lain idle long enough
    assert _backend_pid(gl) != first


def test_a_connection_in_steady_use_is_not_pinged(gl, monkeypatch):
    """The price of no ping: a connection closed under a busy worker fails one unit of work, and the pool
    then opens fresh ones (SQLAlchemy invalidates it on the disconnect)."""
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 3600.0)
    first = _backend_pid(gl)
    _terminate(gl, first)
    with pytest.raises(OperationalError):
        _backend_pid(gl)
    assert _backend_pid(gl) != first
