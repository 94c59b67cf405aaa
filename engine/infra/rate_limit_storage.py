"""The counters of the web's rate limits (Flask-Limiter) in the application's own database, so every gunicorn
worker and every host counts together without Redis.

The storage implements ``limits``' fixed-window interface: one row per key and window, advanced by one
``INSERT … ON CONFLICT DO UPDATE … RETURNING`` (atomic on PostgreSQL and SQLite alike). Defining the class
registers its scheme with ``limits``."""
import random
import time

from limits.storage import Storage
from sqlalchemy import case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from engine.models import RateLimitWindow

SCHEME = "guardloop-db"
_WINDOW = RateLimitWindow.__table__
PURGE_ONE_IN = 200   # now and then an increment also removes windows long expired


class DatabaseStorage(Storage):
    """``guardloop-db://``: fixed windows in the ``rate_limit_window`` table of the engine passed in."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, engine=None, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.engine = engine

    @property
    def base_exceptions(self):
        return SQLAlchemyError

    def _upsert(self):
        return (postgresql if self.engine.dialect.name == "postgresql" else sqlite).insert(_WINDOW)

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        insert = self._upsert().values(key=key, expires_at=now + expiry, hits=amount)
        expired = _WINDOW.c.expires_at <= now
        statement = insert.on_conflict_do_update(index_elements=[_WINDOW.c.key], set_={
            "hits": case((expired, amount), else_=_WINDOW.c.hits + amount),
            "expires_at": case((expired, now + expiry), else_=_WINDOW.c.expires_at),
        }).returning(_WINDOW.c.hits)
        with self.engine.begin() as conn:
            hits = conn.execute(statement).scalar_one()
            if random.randrange(PURGE_ONE_IN) == 0:
                conn.execute(delete(_WINDOW).where(_WINDOW.c.expires_at < now - 3600))
        return hits

    def _row(self, key: str):
        with self.engine.connect() as conn:
            return conn.execute(select(_WINDOW.c.hits, _WINDOW.c.expires_at).where(_WINDOW.c.key == key)).first()

    def get(self, key: str) -> int:
        row = self._row(key)
        return row.hits if row is not None and row.expires_at > time.time() else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        return row.expires_at if row is not None and row.expires_at > time.time() else time.time()

    def check(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(select(1))
            return True
        except SQLAlchemyError:
            return False

    def reset(self) -> int | None:
        with self.engine.begin() as conn:
            return conn.execute(delete(_WINDOW)).rowcount

    def clear(self, key: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(_WINDOW).where(_WINDOW.c.key == key))
