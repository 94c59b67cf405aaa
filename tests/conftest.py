"""Shared fixtures: an engine context on SQLite (always) and on PostgreSQL (when TEST_DATABASE_URL is set).

With GUARDLOOP_REQUIRE_POSTGRES=1 (CI) an unreachable PostgreSQL fails the run instead of skipping.
Each PostgreSQL test gets a schema of its own, dropped afterwards.
"""
import os
import shutil
import uuid
from contextlib import contextmanager
from datetime import datetime, timezone

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from engine.rules import passwords
from engine.infra.bootstrap import DEMO_PASSWORD, init
from engine.workflow.clock import clock as engine_clock
from engine.context import GuardLoop
from engine.infra.db import make_engine
from engine.demo.scenario import Driver
from engine.infra.settings import Settings

START = datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)
PG_URL = os.environ.get("TEST_DATABASE_URL")
REQUIRE_PG = os.environ.get("GUARDLOOP_REQUIRE_POSTGRES") == "1"


def backends():
    params = [pytest.param("sqlite", id="sqlite")]
    params.append(pytest.param("postgres", id="postgres", marks=pytest.mark.postgres))
    return params


def _pg_schema_url(schema: str) -> str:
    separator = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{separator}options=-csearch_path%3D{schema},public"


def shared_extensions(admin) -> None:
    """pg_trgm once per database, in ``public`` (on every test's search path), so that dropping one test's
    schema never drops it under a test running beside it (pytest-xdist workers)."""
    for attempt in range(5):
        try:
            with admin.connect() as conn:
                where = conn.execute(text("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n "
                                          "ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'")).scalar()
                if where is None:
                    conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))
                elif where != "public":
                    conn.execute(text("ALTER EXTENSION pg_trgm SET SCHEMA public"))
            return
        except DBAPIError:   # another worker created it at the same moment
            if attempt == 4:
                raise


def _pg_admin():
    url = PG_URL.replace("postgresql://", "postgresql+psycopg://", 1)
    return create_engine(url, isolation_level="AUTOCOMMIT")


@pytest.fixture
def database_url(request, tmp_path):
    backend = getattr(request, "param", "sqlite")
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'guardloop.db'}"
        return
    with postgres_schema() as url:
        yield url


@contextmanager
def postgres_schema():
    """A PostgreSQL schema of its own (its URL), dropped afterwards; skips (or fails in CI) without one."""
    if not PG_URL:
        if REQUIRE_PG:
            pytest.fail("TEST_DATABASE_URL is required (GUARDLOOP_REQUIRE_POSTGRES=1)")
        pytest.skip("TEST_DATABASE_URL not set")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = _pg_admin()
    shared_extensions(admin)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _pg_schema_url(schema)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch):
    # The cost factor is stored in each hash, so cheap test hashes still verify; production keeps 2**14.
    monkeypatch.setattr(passwords, "_N", 2**8)


@pytest.fixture
def clock():
    engine_clock.set(START)
    yield engine_clock
    engine_clock.reset()


@pytest.fixture(scope="session")
def sqlite_initialised(tmp_path_factory):
    """A SQLite file after ``init(with_demo_users=True)`` at ``START``, built once per worker: each SQLite test
    starts from a copy of it (``init`` itself, migrations and seeding, costs 2–4 s a test)."""
    path = tmp_path_factory.mktemp("initialised") / "guardloop.db"
    url = f"sqlite:///{path}"
    engine_clock.set(START)  # asked for by ``gl`` only, whose ``clock`` fixture stands at START and resets it
    context = GuardLoop(Settings(database_url=url, demo_mode=True), engine=make_engine(url))
    init(context, with_demo_users=True)
    context.engine.dispose()  # the last connection to close checkpoints the WAL into the file
    return path


@pytest.fixture
def gl(request, database_url, clock):
    sqlite_file = database_url.removeprefix("sqlite:///") if database_url.startswith("sqlite:///") else None
    if sqlite_file and not os.path.exists(sqlite_file):
        shutil.copy(request.getfixturevalue("sqlite_initialised"), sqlite_file)
        context = GuardLoop(Settings(database_url=database_url, demo_mode=True), engine=make_engine(database_url))
    else:
        context = GuardLoop(Settings(database_url=database_url, demo_mode=True), engine=make_engine(database_url))
        init(context, with_demo_users=True)
    yield context
    context.engine.dispose()


@pytest.fixture
def driver(gl):
    return Driver(gl)


@pytest.fixture
def demo_password():
    return DEMO_PASSWORD
