"""Database engines: SQLite in WAL mode by default, PostgreSQL by URL."""
import time
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DisconnectionError

# A PostgreSQL connection back from the pool is pinged only when it lay unused this long: a request
# checks out a connection several times (each unit of work), and a ping each time cost one round trip
# (16-18% of a trivial page). A busy worker's connection is never idle that long; one that was may have
# been closed by a restart or a firewall, and is replaced before use. Connections are also renewed by age.
PING_AFTER_IDLE_SECONDS = 10.0
RECYCLE_SECONDS = 3600


def make_engine(url: str, **kwargs) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling defers BEGIN; emit it ourselves so reads and writes
        # of one unit of work share one transaction.
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        url = parsed.set(drivername="postgresql+psycopg")
    engine = create_engine(url, pool_recycle=RECYCLE_SECONDS, **kwargs)
    event.listen(engine, "checkin", _note_checkin)
    event.listen(engine, "checkout", _ping_if_idle)
    return engine


def _note_checkin(_dbapi_connection, record) -> None:
    record.info["idle_since"] = time.monotonic()


def _ping_if_idle(dbapi_connection, record, _proxy) -> None:
    idle_since = record.info.get("idle_since")
    if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
        return  # new, or in steady use
    try:
        dbapi_connection.execute("SELECT 1")
        dbapi_connection.commit()   # not ROLLBACK: psycopg would drop the connection's prepared statements
    except Exception as exc:  # noqa: BLE001  (any failure: the pool opens a fresh connection instead)
        raise DisconnectionError(str(exc)) from exc


def _sqlite_begin(conn):
    # Writers take the write lock up front (no deadlock on lock upgrade); readers stay deferred.
    mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
    # Straight to the driver: BEGIN needs none of SQLAlchemy's statement machinery (≈25 µs a unit of work).
    conn.connection.driver_connection.execute(f"BEGIN {mode}")


def read_only(engine: Engine) -> Engine:
    """The same engine for read-only units of work (a deferred transaction on SQLite)."""
    return engine.execution_options(sqlite_begin="DEFERRED") if engine.dialect.name == "sqlite" else engine


def _sqlite_pragmas(dbapi_connection, _record):
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"
